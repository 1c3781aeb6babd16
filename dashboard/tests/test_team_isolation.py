"""Team isolation, everywhere: a member of team bravo walks every URL pattern, websocket route
and API operation, with team alpha's ids in the paths too, and never meets a lab, a count or a
name of team alpha's.

Everything of team alpha's carries "alpha" in its name (team, catalog item, cluster, namespaces,
GUIDs, failure class, maintenance window, scan errors): a body that contains "alpha" leaks.
Team alpha has 7 failed labs, bravo 1 failed and 1 ready: any count of 3 or more leaks a count.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from dashboard.tests.test_consumers import headers_for, run
from labs import services
from labs.models import Lab, LabInstance, Status, Team
from labs.tests import factories
from remediation.catalog import catalog_load
from remediation.management.commands.load_catalog import catalog_rows
from remediation.models import ActionRequest, MaintenanceWindow
from remediation.services import catalog_apply
from rubrics_app.models import StateChange
from scanning.models import ScanRun
from stargate import realtime
from stargate.apikeys import api_key_create
from stargate.asgi import application
from stargate.routing import websocket_urlpatterns

pytestmark = [pytest.mark.smoke, pytest.mark.django_db(transaction=True)]

SECRET = re.compile("alpha", re.IGNORECASE)
ALPHA_LABS = 7
ADMIN_ECHO = re.compile("with ID “[^”]*” doesn’t exist")  # noqa: RUF001
# Not scoped yet (stargate's configuration audit names catalog items): see the xfail below.
KNOWN_LEAKS = ("config-changes/",)


def _leaks(body: str, asked: str = "") -> list[str]:
    """Where `body` names something of alpha's; an echo of the path asked for is no leak."""
    if asked:
        body = body.replace(asked, "")
    body = ADMIN_ECHO.sub("", body)  # the admin's "X with ID “alpha-only” doesn't exist"
    return [body[max(0, m.start() - 60) : m.end() + 60] for m in SECRET.finditer(body)]


@pytest.fixture
def world(settings: Any) -> dict[str, Any]:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    alpha = Team.objects.create(name="team-alpha", catalog_item_patterns="alphaitem-*")
    bravo = Team.objects.create(name="team-bravo", catalog_item_patterns="bravoitem-*")
    shared, alpha_only = factories.cluster("shared-east"), factories.cluster("alpha-only")
    alpha_item = services.lab_team_assign(Lab.objects.create(catalog_item="alphaitem-secret"))
    bravo_item = services.lab_team_assign(Lab.objects.create(catalog_item="bravoitem-web"))
    assert (alpha_item.team, bravo_item.team) == (alpha, bravo)
    alpha_labs = [
        factories.lab_instance(
            on=shared if n % 2 else alpha_only,
            of=alpha_item,
            status=Status.FAILED,
            failure_class="alpha-crash",
            guid=f"zalpha{n}",
        )
        for n in range(ALPHA_LABS)
    ]
    bravo_labs = [
        factories.lab_instance(on=shared, of=bravo_item, status=Status.FAILED, guid="bravo1"),
        factories.lab_instance(on=shared, of=bravo_item, status=Status.READY, guid="bravo2"),
    ]
    now = timezone.now()
    for lab in alpha_labs + bravo_labs:
        StateChange.objects.create(
            lab_instance=lab,
            from_status=Status.READY,
            to_status=lab.status,
            failure_class=lab.failure_class,
            at=now,
        )
    runs = [
        ScanRun.objects.create(
            cluster=shared,
            tier=3,
            status=ScanRun.Status.FAILED,
            namespaces_seen=9,
            started_at=now,
            namespaces_evaluated=9,
            objects_read=4242,
            error_count=1,
            errors=[f"namespace {alpha_labs[1].namespace}: forbidden"],
        ),
        ScanRun.objects.create(
            cluster=alpha_only, tier=1, status=ScanRun.Status.SUCCEEDED, started_at=now
        ),
    ]
    catalog_apply(rows=catalog_rows(catalog_load(settings.REMEDIATIONS_DIR / "catalog.yaml")))
    action = ActionRequest._meta.get_field("action").related_model.objects.first()
    requests = [
        ActionRequest.objects.create(
            lab_instance=lab,
            action=action,
            status=ActionRequest.Status.PENDING,
            failure_class=lab.failure_class or "crashloop",
            source="auto",
            parameters={"pod": f"{lab.namespace}-pod"},
            expires_at=now + timedelta(hours=1),
        )
        for lab in (*alpha_labs[:3], bravo_labs[0])
    ]
    window = MaintenanceWindow.objects.create(
        lab=alpha_item,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        reason="alpha upgrade",
    )
    member = User.objects.create_user("bravo-member", password="pw-bravo-123456", is_staff=True)
    bravo.members.add(member)
    member.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["labs", "remediation", "scanning"])
        .exclude(codename="view_all_labs")
        .filter(codename__regex=r"^(view|approve|add|delete)_")
    )
    return {
        "alpha": alpha,
        "bravo": bravo,
        "alpha_labs": alpha_labs,
        "bravo_labs": bravo_labs,
        "runs": runs,
        "requests": requests,
        "window": window,
        "member": member,
        "alpha_item": alpha_item,
        "clusters": (shared, alpha_only),
    }


def _alpha_ids(world: dict[str, Any]) -> list[str]:
    ids = {lab.pk for lab in world["alpha_labs"]} | {world["alpha_item"].pk, world["alpha"].pk}
    ids |= {r.pk for r in world["requests"][:3]} | {run.pk for run in world["runs"]}
    ids |= {world["window"].pk} | {c.pk for c in world["clusters"]}
    return [str(pk) for pk in sorted(ids)] + ["alpha-only", "shared-east"]


def _patterns(resolver: URLResolver, prefix: str = "") -> list[str]:
    found: list[str] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(_patterns(entry, route))
        elif isinstance(entry, URLPattern):
            found.append(route)
    return found


def _paths(route: str, values: list[str]) -> list[str]:
    """Fill the route's parameters (`<int:pk>`, regexes of the admin) with each value."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    params = re.findall(r"<[^>]+>|\(\?P<[^>]+>[^)]*\)", route)
    if not params:
        return [route]
    paths = []
    for value in values:
        path = route
        for param in params:
            path = path.replace(param, value, 1)
        paths.append(path)
    return paths


def test_a_team_member_meets_nothing_of_another_team_anywhere(client, world):
    _walk(client, world, staff=False)


@pytest.mark.xfail(
    strict=True,
    reason="the Django admin still leaks to staff team members: list filters and foreign-key "
    "choices name every team and catalog item, and the scanning and remediation admins are "
    "not scoped yet (labs' changelists are)",
)
def test_a_staff_team_member_meets_nothing_of_another_team_in_the_admin(client, world):
    _walk(client, world, staff=True)


@pytest.mark.xfail(strict=True, reason="stargate's configuration audit page is not team-scoped")
def test_the_configuration_audit_names_nothing_of_another_team(client, world):
    client.force_login(world["member"])
    assert not _leaks(client.get("/config-changes/").content.decode())


def _walk(client, world, *, staff: bool):
    from dashboard import fleet

    fleet.fleet_forget()
    member = world["member"]
    member.is_staff = staff
    member.save(update_fields=["is_staff"])
    client.force_login(member)
    client.raise_request_exception = False
    routes = _patterns(get_resolver())
    assert len(routes) > 40
    leaks, seen, errors = [], 0, []
    for route in routes:
        if "logout" in route or (not staff and route.startswith(KNOWN_LEAKS)):
            continue
        for path in _paths(route, _alpha_ids(world)):
            response = client.get("/" + path, HTTP_HX_REQUEST="false")
            body = response.content.decode(errors="replace")
            seen += 1
            if response.status_code >= 500:
                errors.append(path)
            if found := _leaks(body, "/" + path):
                leaks.append((path, response.status_code, found[:2]))
    assert seen > 100
    assert not leaks, leaks
    # allauth's provider list fails on the oauth-proxy provider (no login URL): not a leak.
    assert errors == ["accounts/3rdparty/"], errors

    # The counts: bravo's 2 labs (1 failed), never alpha's 7.
    html = client.get("/").content.decode()
    counters = html.split('id="status-counters"')[1].split("</section>")[0]
    assert not re.search(r"\b([3-9]|\d\d+)\b", re.sub(r"<[^>]+>", " ", counters)), counters
    shared = client.get("/clusters/shared-east/").content.decode()
    assert "4242" not in shared and "/9" not in shared
    assert client.get("/clusters/alpha-only/").status_code == 404
    for lab in world["alpha_labs"]:
        assert client.get(f"/labs/{lab.pk}/").status_code == 404


def test_the_api_answers_a_team_member_with_their_labs_only(client, world):
    token = api_key_create(name="bravo-bot", owner=world["member"], scopes=["approve"]).token
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    schema = client.get("/api/v1/openapi.json", **auth).json()
    leaks = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        for filled in _paths(path.replace("{", "<").replace("}", ">"), _alpha_ids(world)):
            response = client.get(filled, **auth)
            assert response.status_code < 500, filled
            body = response.content.decode()
            if found := _leaks(body, filled):
                leaks.append((filled, found[:2]))
            for key, value in _numbers(json.loads(body) if body else None):
                if key in {"count", "total", "failed", "ready", "namespaces_seen"}:
                    assert value is None or value <= 2, (filled, key, value)
    assert not leaks, leaks
    # Approvers approve their own team's labs only.
    for request in world["requests"][:3]:
        for verb in ("approve", "reject"):
            response = client.post(
                f"/api/v1/remediation/requests/{request.pk}/{verb}",
                data={"reason": "mine now"},
                content_type="application/json",
                **auth,
            )
            assert response.status_code == 404
            assert not _leaks(response.content.decode())
        request.refresh_from_db()
        assert request.status == ActionRequest.Status.PENDING
    assert client.get("/api/v1/labs", **auth).json()["count"] == 2


def _numbers(data: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [pair for k, v in data.items() for pair in _numbers(v, k)]
    if isinstance(data, list):
        return [pair for item in data for pair in _numbers(item, key)]
    return [(key, data)] if isinstance(data, int | type(None)) else []


def test_the_approval_pages_refuse_another_teams_request(client, world):
    client.force_login(world["member"])
    for request in world["requests"][:3]:
        response = client.post(
            f"/remediation/approvals/{request.pk}/decide/",
            {"decision": "approve", "reason": "mine"},
        )
        assert response.status_code == 404
        request.refresh_from_db()
        assert request.status == ActionRequest.Status.PENDING
    own = world["requests"][3]
    response = client.post(
        f"/remediation/approvals/{own.pk}/decide/", {"decision": "reject", "reason": "no"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == ActionRequest.Status.REJECTED


def test_no_fragment_of_another_teams_lab_reaches_a_team_members_socket(client, world):
    client.force_login(world["member"])
    headers = headers_for(client)
    alpha_ids = [lab.pk for lab in world["alpha_labs"]]
    bravo_id = world["bravo_labs"][0].pk

    async def scenario() -> tuple[list[str], list[bool]]:
        refused = []
        for route in websocket_urlpatterns:
            for path in _paths(str(route.pattern), [str(pk) for pk in alpha_ids]):
                if "<" in path or path.count("/") < 2 or not any(c.isdigit() for c in path):
                    continue
                communicator = WebsocketCommunicator(application, "/" + path, headers=headers)
                connected, _ = await communicator.connect()
                refused.append(not connected)
                await communicator.disconnect()
        sockets = [
            WebsocketCommunicator(application, path, headers=headers)
            for path in ("/ws/dashboard/", "/ws/approvals/", f"/ws/labs/{bravo_id}/")
        ]
        for socket in sockets:
            connected, _ = await socket.connect()
            assert connected
        await database_sync_to_async_deliver(alpha_ids, world["requests"][0].pk)
        await database_sync_to_async_deliver([bravo_id], world["requests"][3].pk)
        received = []
        for socket in sockets:
            while not await socket.receive_nothing(timeout=0.5):
                received.append(await socket.receive_from())
            await socket.disconnect()
        return received, refused

    received, refused = run(scenario)
    assert refused and all(refused)
    assert received, "the member's own lab changed: its fragments must arrive"
    assert any(f'id="lab-row-{bravo_id}"' in html for html in received)
    leaks = [found for html in received for found in _leaks(html)]
    assert not leaks, leaks
    for html in received:
        for pk in alpha_ids:
            assert f'lab-row-{pk}"' not in html and f"lab-{pk}-" not in html


async def database_sync_to_async_deliver(lab_ids: list[int], request_id: int) -> None:
    from channels.db import database_sync_to_async

    def deliver() -> None:
        realtime.deliver(realtime.LABS, lab_ids)
        realtime.deliver(realtime.FLEET, [])
        realtime.deliver(realtime.APPROVALS, [request_id])

    await database_sync_to_async(deliver)()


def test_patterns_give_new_catalog_items_their_team_and_an_admins_choice_wins(db):
    from labs.naming import LabName

    alpha = Team.objects.create(name="team-alpha", catalog_item_patterns="alphaitem-*\nshared-*")
    longer = Team.objects.create(name="team-zeta", catalog_item_patterns="shared-zeta-*")
    cluster = factories.cluster("east")
    made = services.lab_instance_upsert(
        cluster=cluster, lab_name=LabName("sandbox-q1w2e-alphaitem-x", "q1w2e", "alphaitem-x")
    )
    assert made.lab.team == alpha
    zeta = services.lab_instance_upsert(
        cluster=cluster, lab_name=LabName("sandbox-r1t2y-zeta", "r1t2y", "shared-zeta-lab")
    )
    assert zeta.lab.team == longer  # the longest matching pattern wins
    chosen = Lab.objects.create(catalog_item="alphaitem-chosen", team=longer)  # an admin's choice
    teamless = Lab.objects.create(catalog_item="alphaitem-later")
    assert services.team_patterns_apply(alpha) == 1
    chosen.refresh_from_db()
    teamless.refresh_from_db()
    assert (chosen.team, teamless.team) == (longer, alpha)


def test_an_operator_sees_every_team(client, world):
    """The control: the same walk finds alpha's labs for a platform operator."""
    operator = factories.platform_operator(User.objects.create_user("ops"))
    client.force_login(operator)
    html = client.get("/labs/").content.decode()
    assert "zalpha1" in html and "bravo1" in html
    assert client.get(f"/labs/{world['alpha_labs'][0].pk}/").status_code == 200
    assert LabInstance.objects.count() == ALPHA_LABS + 2
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("InMemoryChannelLayer")
