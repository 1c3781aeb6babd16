"""The investigation on the pages: the Investigate button (permission), the run queued and its
steps and verdict shown, polling while it runs, team scoping; the sibling comparison on the lab
page (env var names, never values) within the page's query budget."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_q.conf import Conf

from labs.models import Lab, LabInstance, Team
from rubrics_app.models import InvestigationRun, InvestigationStep
from simulator.tests.conftest import simulator_server  # noqa: F401

from .investigation_fixtures import failed_lab, investigator, log_cluster, unreachable_cluster

HX = {"HTTP_HX_REQUEST": "true"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.smoke
def test_investigate_queues_a_run_whose_steps_and_verdict_the_panel_shows(
    db: None,
    llm: Any,
    simulator_server: Any,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)  # the queued task runs when queued
    lab = failed_lab(log_cluster(simulator_server, "fatal: keyring locked\n"))
    client = _client(investigator())
    page = client.get(lab.get_absolute_url()).content.decode()
    assert f'hx-get="/rubrics/labs/{lab.pk}/investigation/"' in page  # the panel loads itself
    panel = client.get(f"/rubrics/labs/{lab.pk}/investigation/", **HX).content.decode()
    assert "Not investigated yet." in panel and ">Investigate</button>" in panel
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(f"/rubrics/labs/{lab.pk}/investigate/", **HX).content.decode()
    assert "queued" in queued and 'hx-trigger="every 1s"' in queued  # it polls until done
    html = client.get(f"/rubrics/labs/{lab.pk}/investigation/", **HX).content.decode()
    run = InvestigationRun.objects.get()  # the worker ran it (the tests' queue is synchronous)
    assert run.status == "complete" and run.requested_by is not None
    assert "ACTIONABLE" in html and "pod_log_tail" in html and "fatal: keyring locked" in html
    assert "every 1s" not in html  # finished: no more polling
    detail = client.get(run.get_absolute_url()).content.decode()
    assert "investigation-steps" in detail and run.root_cause in detail


def test_a_running_run_polls_its_panel(db: None) -> None:
    lab = failed_lab(unreachable_cluster())
    run = InvestigationRun.objects.create(
        lab_instance=lab, status="running", created_at=timezone.now()
    )
    InvestigationStep.objects.create(
        run=run, number=1, kind="tool", tool="list_events", output="[]", at=timezone.now()
    )
    client = _client(investigator())
    panel = client.get(f"/rubrics/labs/{lab.pk}/investigation/", **HX).content.decode()
    assert 'hx-trigger="every 1s"' in panel and "list_events" in panel
    assert ">Investigate</button>" not in panel  # one run at a time


def test_the_lab_page_shows_the_sibling_differences_within_its_query_budget(
    db: None, django_assert_max_num_queries: Any
) -> None:
    lab = failed_lab(unreachable_cluster())
    run = InvestigationRun.objects.create(
        lab_instance=lab, status="complete", verdict="TRANSIENT", created_at=timezone.now()
    )
    InvestigationStep.objects.create(
        run=run, number=1, kind="answer", output="{}", at=timezone.now()
    )
    client = _client(investigator())
    client.get(lab.get_absolute_url())  # warm the per-process caches (rubrics, catalog)
    with django_assert_max_num_queries(12):
        html = client.get(lab.get_absolute_url()).content.decode()
    section = html.split(f'id="siblings-{lab.pk}"')[1].split("</section>")[0]
    assert "gone/sandbox-ok-lab" in section and "1 on the same cluster" in section
    assert "c.DEBUG_TOKEN" in section and "c=quay.io/x/app:2" in section
    assert "worker-2" in section and "worker-1" in section  # node
    assert "TRANSIENT" in client.get(f"/rubrics/labs/{lab.pk}/investigation/").content.decode()


def test_without_the_permission_there_is_no_button_and_no_run(db: None, llm: Any) -> None:
    lab = failed_lab(unreachable_cluster())
    user = investigator()
    user.user_permissions.clear()
    from labs.tests.factories import platform_operator

    platform_operator(user)
    client = _client(user)
    panel = client.get(f"/rubrics/labs/{lab.pk}/investigation/").content.decode()
    assert "Not investigated yet." in panel and ">Investigate</button>" not in panel
    assert client.post(f"/rubrics/labs/{lab.pk}/investigate/").status_code == 403
    assert not InvestigationRun.objects.exists() and not llm.requests


def test_a_member_investigates_only_their_teams_labs(db: None, llm: Any) -> None:
    lab = failed_lab(unreachable_cluster())
    other = LabInstance.objects.create(
        cluster=lab.cluster, namespace="sandbox-x-lab", lab=Lab.objects.create(catalog_item="z")
    )
    run = InvestigationRun.objects.create(lab_instance=other, created_at=timezone.now())
    team = Team.objects.create(name="alpha")
    Lab.objects.filter(pk=lab.lab_id).update(team=team)
    member = investigator("member", operator=False)
    team.members.add(member)
    client = _client(member)
    assert client.post(f"/rubrics/labs/{other.pk}/investigate/").status_code == 404
    assert client.get(run.get_absolute_url()).status_code == 404
    assert client.get(f"/rubrics/labs/{other.pk}/investigation/").status_code == 404
    response = client.post(f"/rubrics/labs/{lab.pk}/investigate/")
    assert response.status_code == 302
    assert InvestigationRun.objects.filter(lab_instance=lab).count() == 1


def test_a_ready_lab_is_refused(db: None, llm: Any) -> None:
    lab = failed_lab(unreachable_cluster())
    LabInstance.objects.filter(pk=lab.pk).update(status="ready")
    client = _client(investigator())
    response = client.post(f"/rubrics/labs/{lab.pk}/investigate/")
    assert response.status_code == 409 and not InvestigationRun.objects.exists()
    panel = client.post(f"/rubrics/labs/{lab.pk}/investigate/", **HX).content.decode()
    assert "nothing to investigate" in panel  # htmx swaps a 200 in: the panel says why
