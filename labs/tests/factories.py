from __future__ import annotations

import itertools

from django.utils import timezone

from labs.models import Cluster, Lab, LabInstance, Status, Team

_seq = itertools.count(1)


def cluster(name: str | None = None, **fields) -> Cluster:
    name = name or f"cluster-{next(_seq)}"
    return Cluster.objects.create(
        name=name, api_url=f"https://api.{name}.example.com:6443", **fields
    )


def lab(catalog_item: str | None = None, team: Team | None = None) -> Lab:
    return Lab.objects.create(catalog_item=catalog_item or f"item-{next(_seq)}", team=team)


def lab_instance(
    *, on: Cluster | None = None, of: Lab | None = None, status: str = Status.READY, **fields
) -> LabInstance:
    n = next(_seq)
    of = of or lab()
    guid = fields.pop("guid", f"g{n:05d}")
    return LabInstance.objects.create(
        cluster=on or cluster(),
        lab=of,
        namespace=f"sandbox-{guid}-{of.catalog_item}",
        guid=guid,
        status=status,
        status_changed_at=fields.pop("status_changed_at", timezone.now()),
        **fields,
    )


def platform_operator(user):
    """Give `user` the `labs.view_all_labs` permission: they see every team's labs."""
    from django.contrib.auth.models import Permission

    user.user_permissions.add(
        Permission.objects.get(codename="view_all_labs", content_type__app_label="labs")
    )
    return user
