"""Team isolation, everywhere: a member of team bravo walks every URL pattern, websocket route
and API operation, with team alpha's ids in the paths too, and never meets a lab, a count or a
name of team alpha's.

Everything of team alpha's carries "alpha" in its name (team, catalog item, cluster, namespaces,
GUIDs, failure class, maintenance window, scan errors): a body that contains "alpha" leaks.
Team alpha has 7 failed labs, bravo 1 failed and 1 ready: any count of 3 or more leaks a count.
Alpha's member is `zalpha-member` (assigned to the incident shared with bravo, with an email
address and a social account): no user list, choice or row names them to bravo.
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
APPS = ["labs", "remediation", "scanning", "rubrics_app", "incidents", "forecasting", "stargate"]
APPS += ["collectors", "recommendations", "notifications", "metrics", "dashboard"]
APPS += ["auth", "django_q", "account", "socialaccount"]  # users, tasks, identities
ADMIN_ECHO = re.compile("with ID “[^”]*” doesn’t exist")  # noqa: RUF001


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
        *Permission.objects.filter(content_type__app_label__in=APPS)
        .exclude(codename="view_all_labs")
        .filter(codename__regex=r"^(view|approve|add|change|delete|review)_")
    )
    elsewhere = _elsewhere(alpha, alpha_item, alpha_labs, bravo_labs, shared, alpha_only, now)
    return {
        **elsewhere,
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


def _elsewhere(alpha, alpha_item, alpha_labs, bravo_labs, shared, alpha_only, now):
    """Team alpha's rows in the apps that came later: incidents (one of alpha's alone, one on
    the shared cluster with labs of both teams), silences, events, failure records, proposals,
    a rule whose replay names alpha's labs, a session, verdicts, an LLM call, an API key."""
    from forecasting.models import Session
    from incidents.models import (
        Event,
        FailureRecord,
        Incident,
        IncidentMember,
        Silence,
        TimelineEntry,
    )
    from rubrics_app.models import ClassificationProposal, ClassificationRule, Evaluation, LLMCall

    other = User.objects.create_user("zalpha-member", password="pw-zed-1234567")
    alpha.members.add(other)
    api_key_create(name="alpha-bot", owner=other, scopes=["read"])
    _identities_and_tasks(other, alpha_only)
    _team_owned(alpha, alpha_item, alpha_labs[0])
    own = Incident.objects.create(
        kind="catalog_item",
        key="item:alpha",
        title="alphaitem-secret: alpha-crash on 2 clusters",
        lab=alpha_item,
        failure_class="alpha-crash",
        opened_at=now,
        updated_at=now,
    )
    mixed = Incident.objects.create(
        kind="cluster_class",
        key="cluster-class:shared",
        title="crashloop on 4 labs of shared-east",
        cluster=shared,
        failure_class="crashloop",
        severity_factors={"attendees": 5, "labs": 2},
        assignee=other,
        acknowledged_by=other,
        opened_at=now,
        updated_at=now,
    )
    for incident, labs in ((own, alpha_labs[:2]), (mixed, [*alpha_labs[1::2], bravo_labs[0]])):
        for lab in labs:
            IncidentMember.objects.create(incident=incident, lab_instance=lab, joined_at=now)
            TimelineEntry.objects.create(  # a note of an alpha member's
                incident=incident, at=now, kind="note", text=f"{lab.namespace} seen", user=other
            )
            FailureRecord.objects.create(
                lab_instance=lab,
                cluster=lab.cluster,
                lab=lab.lab,
                rubric_id="deployment-ready",
                failure_class=lab.failure_class or "crashloop",
                outcome="failed",
                detected_at=now,
                incident=incident,
            )
            Event.objects.create(
                event_id=f"evt-{incident.pk:04x}{lab.pk:08x}",
                source=f"test:{incident.pk}:{lab.pk}",
                event_type="evaluation.failed",
                at=now,
                lab_instance=lab,
                cluster=lab.cluster,
                failure_class=lab.failure_class,
                message=f"{lab.namespace} failed",
                incident=incident,
            )
    silences = [
        Silence.objects.create(
            reason="alpha quiet", starts_at=now, expires_at=now + timedelta(1), **f
        )
        for f in ({"team": alpha}, {"lab": alpha_item}, {"cluster": alpha_only})
    ]
    proposal = ClassificationProposal.objects.create(
        lab_instance=alpha_labs[0],
        rubric_id="deployment-ready",
        fingerprint="alpha-fp",
        signature="alpha-sig",
        proposed_class="alpha-crash",
        message=f"{alpha_labs[0].namespace}: crash",
        created_at=now,
    )
    rule = ClassificationRule.objects.create(
        rule_id="crash-rule",
        rubric_id="deployment-ready",
        failure_class="crashloop",
        replay=[
            {"lab": str(lab), "lab_instance": lab.pk, "rubric": "r", "before": "", "after": "x"}
            for lab in alpha_labs
        ],
        replayed_at=now,
        created_at=now,
    )
    session = Session.objects.create(
        lab=alpha_item, name="alpha workshop", starts_at=now, ends_at=now + timedelta(hours=2)
    )
    for lab in alpha_labs:
        Evaluation.objects.create(
            lab_instance=lab,
            rubric_id="deployment-ready",
            outcome=Status.FAILED,
            failure_class="alpha-crash",
            reason=f"{lab.namespace} crashed",
            evaluated_at=now,
        )
    call = LLMCall.objects.create(
        prompt_id="classify",
        prompt_version="1",
        model="m",
        outcome="success",
        bundle_digest="d",
        response_preview=f"{alpha_labs[0].namespace} crash",
        called_at=now,
    )
    return {
        "incidents": [own, mixed],
        "silences": silences,
        "proposal": proposal,
        "rule": rule,
        "session": session,
        "call": call,
    }


def _team_owned(alpha: Team, alpha_item: Lab, lab: LabInstance) -> None:
    """Alpha's notification channel (a route, a message), recommendation and smoke test."""
    from collectors.models import SmokeTestResult
    from notifications.models import Channel, Notification, Route
    from recommendations.models import Recommendation

    channel = Channel.objects.create(name="alpha-pager", kind="webhook", team=alpha)
    Route.objects.create(channel=channel, topic="incidents", team=alpha, lab=alpha_item)
    Notification.objects.create(
        channel=channel, key="alpha-key", group="lab-1", change="opened", title="alpha down"
    )
    Recommendation.objects.create(
        key=f"scale:{alpha_item.catalog_item}",
        rule="scale",
        scope="lab",
        target=alpha_item.catalog_item,
        team=alpha,
        lab=alpha_item,
        urgency="high",
        confidence=0.9,
        title=f"{alpha_item.catalog_item} needs more",
        recommendation="alpha: scale the pool",
    )
    SmokeTestResult.objects.create(
        source="push", catalog_item=alpha_item.catalog_item, lab=alpha_item, guid=lab.guid
    )


def _identities_and_tasks(user: User, cluster: Any) -> None:
    """Alpha's member's email address and SSO account, an SSO app, and q2 tasks, a failure
    and a schedule whose names and arguments name alpha's cluster."""
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount, SocialApp
    from django_q.models import Schedule, Task

    EmailAddress.objects.create(user=user, email="zalpha@example.com", verified=True)
    SocialAccount.objects.create(user=user, provider="sso", uid="zalpha-uid")
    SocialApp.objects.create(  # an app kept in the database: its secret is for operators
        provider="openid_connect",
        provider_id="sso-db",
        name="Red Hat SSO",
        client_id="stargate",
        secret="alpha-client-secret",
        settings={"server_url": "https://sso.example.com/realms/rhpds"},
    )
    Schedule.objects.create(
        name=f"scan {cluster.name}", func="scanning.tasks.scan_cluster", args=f"{cluster.pk}"
    )
    for n, success in enumerate((True, False)):
        Task.objects.create(
            id=f"task-alpha-{n}",
            name=f"scan-{cluster.name}-{n}",
            func="scanning.tasks.scan_cluster",
            args=[cluster.name],
            result=f"{cluster.name}: done",
            started=timezone.now(),
            stopped=timezone.now(),
            success=success,
        )


def _alpha_ids(world: dict[str, Any]) -> list[str]:
    ids = {lab.pk for lab in world["alpha_labs"]} | {world["alpha_item"].pk, world["alpha"].pk}
    ids |= {r.pk for r in world["requests"][:3]} | {run.pk for run in world["runs"]}
    ids |= {world["window"].pk} | {c.pk for c in world["clusters"]}
    ids |= {i.pk for i in world["incidents"]} | {s.pk for s in world["silences"]}
    ids |= {world[name].pk for name in ("proposal", "rule", "session", "call")}
    return [str(pk) for pk in sorted(ids)] + ["alpha-only", "shared-east", "alpha-crash"]


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


def test_a_staff_team_member_meets_nothing_of_another_team_in_the_admin(client, world):
    _walk(client, world, staff=True)


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
    leaks, seen, errors, answered = [], 0, [], set()
    for route in routes:
        if "logout" in route:
            continue
        # Pages as a browser asks for them, and the htmx fragments the same views give.
        for htmx in ("false", "true") if not route.startswith("admin/") else ("false",):
            for path in _paths(route, _alpha_ids(world)):
                response = client.get("/" + path, HTTP_HX_REQUEST=htmx)
                body = response.content.decode(errors="replace")
                seen += 1
                if response.status_code >= 500:
                    errors.append(path)
                if response.status_code == 200:
                    answered.add(path)
                if found := _leaks(body, "/" + path):
                    leaks.append((path, htmx, response.status_code, found[:2]))
    assert seen > 200
    assert not leaks, leaks
    assert not errors, errors
    # The walk reached the pages (a refusal leaks nothing, and proves nothing).
    pages = {"incidents/", "incidents/silences/", "rubrics/proposals/", "config-changes/"}
    pages |= {"remediation/effectiveness/", "remediation/approvals/", "scans/runs/", "labs/"}
    pages |= {"recommendations/", "notifications/", "notifications/deliveries/", "sources/"}
    pages |= {"forecasting/capacity/"}
    if staff:
        pages |= {"admin/incidents/silence/", "admin/scanning/scanrun/", "admin/labs/lab/"}
        pages |= {"admin/remediation/actionrequest/", "admin/forecasting/session/"}
        pages |= {"admin/rubrics_app/evaluation/", "admin/stargate/configchange/"}
        pages |= {"admin/", "admin/auth/user/", "admin/recommendations/recommendation/"}
        pages |= {"admin/notifications/channel/", "admin/notifications/notification/"}
    assert pages <= answered, pages - answered
    _own_are_shown(client, world, staff=staff)

    # The counts: bravo's 2 labs (1 failed), never alpha's 7.
    html = client.get("/").content.decode()
    counters = html.split('id="status-counters"')[1].split("</section>")[0]
    assert not re.search(r"\b([3-9]|\d\d+)\b", re.sub(r"<[^>]+>", " ", counters)), counters
    shared = client.get("/clusters/shared-east/").content.decode()
    assert "4242" not in shared and "/9" not in shared
    assert client.get("/clusters/alpha-only/").status_code == 404
    for lab in world["alpha_labs"]:
        assert client.get(f"/labs/{lab.pk}/").status_code == 404


def _own_are_shown(client, world, *, staff: bool) -> None:
    """The control: the member's own labs are there, counted alone."""
    assert "bravo1" in client.get("/labs/").content.decode()
    changes = client.get("/config-changes/?model=labs.lab").content.decode()
    assert "bravoitem-web" in changes  # the creation of bravo's catalog item
    mixed = world["incidents"][1]
    listed = client.get("/incidents/").content.decode()
    assert f'id="incident-row-{mixed.pk}"' in listed
    row = listed.split(f'id="incident-row-{mixed.pk}"')[1].split("</tr>")[0]
    assert "1 / 1" in row and "4 labs" not in row, row  # bravo's one lab, never alpha's 3
    detail = client.get(f"/incidents/{mixed.pk}/").content.decode()
    assert "Members (1)" in detail and "4 labs" not in detail and "5 attendees" not in detail
    if staff:
        assert "bravo1" in client.get("/admin/labs/labinstance/").content.decode()
        _users_are_of_their_team(client, world)


def _users_are_of_their_team(client, world) -> None:
    """The user lists a staff member reaches name their teams' members: the users' changelist,
    their team's members' choices and the admin's autocomplete; the task queue and the identity
    admin (emails, SSO accounts and apps) are the platform operators' and are not listed."""
    assert "bravo-member" in client.get("/admin/auth/user/").content.decode()
    team = client.get(f"/admin/labs/team/{world['bravo'].pk}/change/").content.decode()
    assert "bravo-member" in team and not _leaks(team)
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "labs", "model_name": "team", "field_name": "members", "term": "member"},
    )
    assert not _leaks(found.content.decode())
    index = client.get("/admin/").content.decode()
    for model in ("Scheduled tasks", "Failed tasks", "Email addresses", "Social accounts"):
        assert model not in index, model
    assert "Users" in index  # the control: their teams' users are listed


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
            for path in (
                "/ws/dashboard/",
                "/ws/approvals/",
                f"/ws/labs/{bravo_id}/",
                "/ws/incidents/",
                "/ws/proposals/",
            )
        ]
        for socket in sockets:
            connected, _ = await socket.connect()
            assert connected
        others = [world["incidents"][0].pk, world["proposal"].pk]
        await database_sync_to_async_deliver(alpha_ids, world["requests"][0].pk, others)
        await database_sync_to_async_deliver([bravo_id], world["requests"][3].pk, [])
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


async def database_sync_to_async_deliver(
    lab_ids: list[int], request_id: int, others: list[int]
) -> None:
    """Broadcasts of these labs and request; `others`: an incident's and a proposal's ids."""
    from channels.db import database_sync_to_async

    def deliver() -> None:
        realtime.deliver(realtime.LABS, lab_ids)
        realtime.deliver(realtime.FLEET, [])
        realtime.deliver(realtime.APPROVALS, [request_id])
        if others:
            realtime.deliver("incidents", others[:1])
            realtime.deliver("proposals", others[1:])

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


def test_a_staff_team_member_cannot_delete_another_teams_rows_nor_make_operators(client, world):
    """Deleting the shared cluster would delete alpha's labs: refused, without naming them; and
    a team's operator flag, patterns and SSO group are the platform operators' to set."""
    from labs.models import Cluster

    member = world["member"]
    client.force_login(member)
    shared = world["clusters"][0]
    page = client.get(f"/admin/labs/cluster/{shared.pk}/delete/").content.decode()
    assert "objects of other teams" in page and not _leaks(page)
    client.post(f"/admin/labs/cluster/{shared.pk}/delete/", {"post": "yes"})
    assert Cluster.objects.filter(pk=shared.pk).exists()

    bravo = world["bravo"]
    client.post(
        f"/admin/labs/team/{bravo.pk}/change/",
        {"name": "team-bravo", "platform_operators": "on", "catalog_item_patterns": "*"},
    )
    bravo.refresh_from_db()
    assert not bravo.platform_operators and bravo.catalog_item_patterns == "bravoitem-*"
