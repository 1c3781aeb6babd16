"""JSON values for bulk INSERTs: serialized once, by orjson, and cast to JSON in SQL."""

from __future__ import annotations

import orjson
from django.db.models import JSONField, Value
from django.db.models.functions import Cast


def json_literal(value: object) -> Cast:
    """A JSON value for a bulk INSERT, serialized by orjson and cast to JSON in SQL.

    Plain values would be serialized by the stdlib `json` (several times slower), and on
    PostgreSQL a bulk INSERT of plain values sends each column as one array parameter (UNNEST),
    which psycopg's client-side binding quotes element by element with a regular expression:
    minutes for a first scan. An expression keeps the INSERT as VALUES rows, each JSON text
    quoted by libpq."""
    text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    return Cast(Value(text), output_field=JSONField())
