from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_it_inserts_into_the_trigram_indexes_right_away():
    """GIN's pending list would make every search read the entries not yet vacuumed."""
    if connection.vendor != "postgresql":
        pytest.skip("the trigram indexes are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s) ORDER BY relname",
            [["labinstance_guid_trgm", "labinstance_namespace_trgm"]],
        )
        rows = cursor.fetchall()
    assert rows == [
        ("labinstance_guid_trgm", ["fastupdate=off"]),
        ("labinstance_namespace_trgm", ["fastupdate=off"]),
    ]
