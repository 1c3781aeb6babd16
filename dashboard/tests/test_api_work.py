"""The API's incidents, recommendations and classification proposals: read with a `read` key,
team-scoped like their pages (a shared incident counts and names the key owner's labs only)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from incidents.models import Incident, IncidentMember
from labs.models import Team
from labs.tests import factories
from recommendations.models import Recommendation
from rubrics_app.models import ClassificationProposal
from stargate.apikeys import api_key_create

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def world() -> dict[str, Any]:
    now = timezone.now()
    east = factories.cluster("east")
    teams, labs = {}, {}
    for name in ("alpha", "bravo"):
        teams[name] = Team.objects.create(name=f"team-{name}")
        item = factories.lab(f"{name}item", team=teams[name])
        labs[name] = [factories.lab_instance(on=east, of=item) for _ in range(3)]
        Recommendation.objects.create(
            key=f"scale:{name}",
            rule="scale",
            scope="lab",
            target=f"{name}item",
            team=teams[name],
            lab=item,
            urgency="high",
            confidence=0.8,
            title=f"{name}item: scale the pool",
            recommendation="scale",
        )
        ClassificationProposal.objects.create(
            lab_instance=labs[name][0],
            rubric_id="r",
            fingerprint="f",
            signature=f"{name}-s",
            proposed_class=f"{name}-crash",
            created_at=now,
        )
    shared = Incident.objects.create(
        kind="cluster_class",
        key="cc:east",
        title="crashloop on 6 labs of east",
        cluster=east,
        failure_class="crashloop",
        opened_at=now,
        updated_at=now,
    )
    own = Incident.objects.create(
        kind="catalog_item",
        key="item:alpha",
        title="alphaitem: crash",
        opened_at=now,
        updated_at=now,
    )
    for lab in (*labs["alpha"], *labs["bravo"]):
        IncidentMember.objects.create(incident=shared, lab_instance=lab, joined_at=now)
    IncidentMember.objects.create(incident=own, lab_instance=labs["alpha"][0], joined_at=now)
    return {"teams": teams, "shared": shared, "own": own}


def _key(user: User) -> dict[str, str]:
    token = api_key_create(name=f"{user}-key", owner=user, scopes=["read"]).token
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def bravo(world: dict[str, Any]) -> dict[str, str]:
    member = User.objects.create_user("bravo-member")
    world["teams"]["bravo"].members.add(member)
    return _key(member)


def test_it_lists_a_members_incidents_counting_their_labs(
    client: Client, world: dict[str, Any], bravo: dict[str, str]
) -> None:
    page = client.get("/api/v1/incidents?status=all", **bravo).json()
    assert page["count"] == 1
    [row] = page["results"]
    assert row["id"] == world["shared"].pk and row["members_total"] == 3
    assert row["title"] == "crashloop on several labs of east"
    assert client.get(f"/api/v1/incidents/{world['own'].pk}", **bravo).status_code == 404
    assert client.get(f"/api/v1/incidents/{world['shared'].pk}", **bravo).json()["id"] > 0


def test_it_lists_a_members_recommendations_and_proposals(
    client: Client, bravo: dict[str, str]
) -> None:
    recommendations = client.get("/api/v1/recommendations?status=all", **bravo).json()
    assert [r["target"] for r in recommendations["results"]] == ["bravoitem"]
    proposals = client.get("/api/v1/proposals", **bravo).json()
    assert [p["proposed_class"] for p in proposals["results"]] == ["bravo-crash"]
    assert "alpha" not in str(recommendations) + str(proposals)


def test_an_operator_reads_every_team(client: Client, world: dict[str, Any]) -> None:
    operator = _key(factories.platform_operator(User.objects.create_user("ops")))
    incidents = client.get("/api/v1/incidents?status=all", **operator).json()
    assert incidents["count"] == 2
    shared = next(r for r in incidents["results"] if r["id"] == world["shared"].pk)
    assert shared["members_total"] == 6 and shared["title"].startswith("crashloop on 6")
    assert client.get("/api/v1/recommendations", **operator).json()["count"] == 2
    assert client.get("/api/v1/proposals?status=proposed", **operator).json()["count"] == 2


def _writer(user: User) -> dict[str, str]:
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="add_silence"))
    token = api_key_create(name=f"{user}-w", owner=user, scopes=["approve"]).token
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _silence(client: Client, auth: dict[str, str], **body: object) -> Any:
    expires = (timezone.now() + timezone.timedelta(hours=2)).isoformat()
    data = {"reason": "upgrade", "expires_at": expires, **body}
    return client.post("/api/v1/incidents/silences", data, content_type="application/json", **auth)


def test_a_member_silences_their_catalog_items_and_teams_only(
    client: Client, world: dict[str, Any]
) -> None:
    from incidents.models import Silence

    member = User.objects.create_user("bravo-writer")
    world["teams"]["bravo"].members.add(member)
    auth = _writer(member)
    made = _silence(client, auth, catalog_item="bravoitem", failure_class="crashloop")
    assert made.status_code == 201, made.content
    assert made.json()["catalog_item"] == "bravoitem"
    assert _silence(client, auth, team="team-bravo").status_code == 201
    for body in (
        {"catalog_item": "alphaitem"},  # another team's: unknown
        {"catalog_item": "no-such-item"},
        {"team": "team-alpha"},
        {"cluster": "east"},  # a cluster alone would silence other teams' labs
        {"failure_class": "crashloop"},
        {},
    ):
        refused = _silence(client, auth, **body)
        assert refused.status_code == 400, body
        assert "alpha" not in refused.content.decode()
    assert Silence.objects.count() == 2
    operator = factories.platform_operator(User.objects.create_user("ops-writer"))
    assert _silence(client, _writer(operator), cluster="east").status_code == 201
    reader = _key(member)
    assert _silence(client, reader, team="team-bravo").status_code == 403


def _reviewer(user: User) -> dict[str, str]:
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="review_classificationproposal"))
    token = api_key_create(name=f"{user}-r", owner=user, scopes=["approve"]).token
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _review(client: Client, auth: dict[str, str], pk: int, **body: object) -> Any:
    return client.post(
        f"/api/v1/proposals/{pk}/review", body, content_type="application/json", **auth
    )


def test_a_member_reviews_their_teams_proposals_as_the_page_does(
    client: Client, world: dict[str, Any]
) -> None:
    member = User.objects.create_user("bravo-reviewer")
    world["teams"]["bravo"].members.add(member)
    auth = _reviewer(member)
    mine = ClassificationProposal.objects.get(signature="bravo-s")
    theirs = ClassificationProposal.objects.get(signature="alpha-s")

    assert _review(client, auth, mine.pk, decision="accept", reason=" ").status_code == 400
    accepted = _review(client, auth, mine.pk, decision="accept", reason="seen it twice")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    again = _review(client, auth, mine.pk, decision="accept", reason="still right")
    assert again.status_code == 200  # the same decision again: a no-op
    conflict = _review(client, auth, mine.pk, decision="reject", reason="on second thought")
    assert conflict.status_code == 409
    assert conflict["Content-Type"] == "application/problem+json"
    assert "already accepted" in conflict.json()["error"]

    hidden = _review(client, auth, theirs.pk, decision="reject", reason="not mine")
    assert hidden.status_code == 404 and "alpha" not in hidden.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == ClassificationProposal.Status.PROPOSED

    reader = _key(member)
    assert _review(client, reader, theirs.pk, decision="reject", reason="x").status_code == 403
    operator = factories.platform_operator(User.objects.create_user("ops-reviewer"))
    corrected = _review(
        client,
        _reviewer(operator),
        theirs.pk,
        decision="correct",
        reason="it is the image",
        failure_class="image-pull-failure",
    )
    assert corrected.status_code == 200, corrected.content
    theirs.refresh_from_db()
    assert (theirs.status, theirs.final_class) == ("corrected", "image-pull-failure")
