"""The rubrics page: every active rubric (criteria, grace windows, classes, version) and the
failure-class catalog, read-only."""

from __future__ import annotations

from typing import Any

import pytest

from rubrics_app.registry import active_rubrics
from stargate.lib.durations import duration_text

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_it_shows_every_rubric_and_failure_class(client: Any, django_user_model: Any) -> None:
    client.force_login(django_user_model.objects.create_user("bob"))
    response = client.get("/rubrics/")
    html = response.content.decode()
    rubric_set = active_rubrics()

    assert response.status_code == 200
    for rubric in rubric_set.rubrics:
        assert f'id="rubric-{rubric.id}"' in html
        assert f"v{rubric.version}" in html
        for criterion in rubric.exit_criteria:
            assert criterion.id in html
    for cls in rubric_set.classes.values():
        assert f'id="class-{cls.id}"' in html and cls.code in html
    graced = next(c for r in rubric_set.rubrics for c in r.exit_criteria if c.grace_seconds)
    assert duration_text(graced.grace_seconds) in html  # "2 h", not "7200"


def test_it_needs_a_login(client: Any) -> None:
    assert client.get("/rubrics/").status_code == 302
