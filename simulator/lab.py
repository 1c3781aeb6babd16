"""One generated lab: every object of its namespace plus its AnarchySubject, by role."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator import builders as b
from simulator.context import BuildContext, Obj
from simulator.virt import inference_service, virtual_machine

SHOWROOM_IMAGE = "ghcr.io/rhpds/showroom-content:v1.4"


@dataclass
class VmSet:
    vm: Obj
    vmi: Obj
    dv: Obj
    pvc: Obj
    launcher: Obj
    booted: bool = True  # False: still provisioning its disk, so no VMI and no launcher pod

    def objects(self) -> list[Obj]:
        return [self.vm, self.dv, self.pvc, *([self.vmi, self.launcher] if self.booted else [])]


@dataclass
class Lab:
    ctx: BuildContext
    catalog_item: str
    guid: str
    flavour: str  # "app", "vm" or "model"
    namespace: Obj
    app: list[Obj]  # Deployment, ReplicaSet, pods
    app_service: Obj
    app_endpoints: Obj
    app_route: Obj
    showroom: list[Obj]
    showroom_route: Obj
    subject: Obj
    vms: list[VmSet] = field(default_factory=list)
    model: Obj | None = None
    data_pvc: Obj | None = None
    events: list[Obj] = field(default_factory=list)
    extras: list[Obj] = field(default_factory=list)
    showroom_state: str = "ok"  # ok, down, not_ready, content_missing
    present: bool = True  # False: the namespace is missing altogether

    @property
    def app_pods(self) -> list[Obj]:
        return self.app[2:]

    @property
    def showroom_pods(self) -> list[Obj]:
        return [o for o in self.showroom if o["kind"] == "Pod"]

    @property
    def showroom_endpoints(self) -> Obj:
        return next(o for o in self.showroom if o["kind"] == "Endpoints")

    def warn(self, involved: Obj, reason: str, message: str, count: int = 7) -> None:
        self.events.append(b.event(self.ctx, involved, reason, message, "Warning", count))

    def objects(self) -> list[Obj]:
        """The lab's namespaced objects (none when missing) and its AnarchySubject."""
        if not self.present:
            return [self.subject]
        objs = [
            self.namespace,
            *self.app,
            self.app_service,
            self.app_endpoints,
            self.app_route,
            *self.showroom,
            self.showroom_route,
            *self.events,
            *self.extras,
        ]
        objs += [o for vm in self.vms for o in vm.objects()]
        objs += [o for o in (self.model, self.data_pvc) if o is not None]
        objs += [
            b.pod_metrics(self.ctx, p, 20 + len(p["metadata"]["name"]) * 3, 180)
            for p in objs
            if p["kind"] == "Pod" and p["status"].get("phase") == "Running"
        ]
        return [*objs, self.subject]


def showroom_objects(ctx: BuildContext, showroom_url: str) -> tuple[list[Obj], Obj]:
    objs = b.deployment(ctx, "showroom", SHOWROOM_IMAGE)
    pods = objs[2:]
    host = f"showroom-{ctx.namespace}.apps.{ctx.cluster}.example.com"
    extra = [b.service(ctx, "showroom"), b.endpoints(ctx, "showroom", pods)]
    return [*objs, *extra], b.route(ctx, "showroom", host, showroom_url)


def build_lab(ctx: BuildContext, catalog_item: str, guid: str, flavour: str, subject: Obj) -> Lab:
    """A healthy lab of the given flavour."""
    app_name = {"vm": "bastion-console", "model": "model-chat"}.get(flavour, "workshop-app")
    app = b.deployment(
        ctx, app_name, f"quay.io/rhpds/{catalog_item}:2.1", replicas=1 + ctx.rng.randrange(2)
    )
    showroom, showroom_route = showroom_objects(ctx, f"/{ctx.cluster}/{ctx.namespace}/")
    host = f"{app_name}-{ctx.namespace}.apps.{ctx.cluster}.example.com"
    lab = Lab(
        ctx=ctx,
        catalog_item=catalog_item,
        guid=guid,
        flavour=flavour,
        namespace=b.namespace(ctx, {"guid": guid, "catalog-item": catalog_item}),
        app=app,
        app_service=b.service(ctx, app_name),
        app_endpoints=b.endpoints(ctx, app_name, app[2:]),
        app_route=b.route(ctx, app_name, host),
        showroom=showroom,
        showroom_route=showroom_route,
        subject=subject,
    )
    _add_noise(lab, app_name)
    if flavour == "vm":
        for name in ("bastion", "node1", "node2"):
            vm, vmi, dv, claim, launcher = virtual_machine(ctx, name)
            lab.vms.append(VmSet(vm, vmi, dv, claim, launcher))
        return lab
    if flavour == "model":
        lab.model = inference_service(ctx, "granite")
    lab.data_pvc = b.pvc(ctx, "workshop-data", "5Gi")
    return lab


def _add_noise(lab: Lab, app_name: str) -> None:
    """What real lab namespaces also hold: a finished build, CronJob runs, normal events."""
    ctx = lab.ctx
    lab.extras.append(
        b.completed_pod(
            ctx, f"{app_name}-1-build", {"openshift.io/build.name": f"{app_name}-1"}, 175
        )
    )
    run = 29_000_000 + ctx.rng.randrange(900_000)
    lab.extras.append(
        b.completed_pod(
            ctx,
            f"cleanup-{run}-{ctx.suffix()}",
            {"batch.kubernetes.io/job-name": f"cleanup-{run}"},
            12,
        )
    )
    lab.extras.append(
        b.configmap(ctx, "lab-settings", {"guid": lab.guid, "catalog_item": lab.catalog_item})
    )
    first = lab.app_pods[0]
    image = first["spec"]["containers"][0]["image"]
    lab.events.append(b.event(ctx, first, "Pulled", f"Container image {image} already present"))
    lab.events.append(b.event(ctx, first, "Started", "Started container " + app_name))
