"""Bulk inserts and upserts on PostgreSQL for a scan's evidence, revisions and verdicts.

`Model.objects.bulk_create` compiles every value of every row into one INSERT (with JSON as
cast expressions, see `sqljson`): for a first scan's 2,000 labs that compiling, the quoting of
megabytes of JSON into the statement and the server parsing it were most of the scan, and the
statement's text, held several times over while sent, most of its peak memory. Here:
- `rows_insert` streams the rows by COPY, each JSON value the text orjson made, written once
  (COPY does not pass through Django's query log: `django_assert_num_queries` misses it);
- `rows_upsert` sends one INSERT ... ON CONFLICT whose rows are one JSON array parameter,
  read back by `jsonb_to_recordset` on the server.

Elsewhere (SQLite in development) both fall back to `bulk_create`, with the same rows. Neither
sets the primary keys of the objects given, nor sends signals (`bulk_create` sends none)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from django.db import connections, router, transaction
from django.db.models import Field, JSONField, Model

from stargate.lib.sqljson import json_literal


class JsonText(str):
    """A JSON value already serialized (by orjson), stored as is."""


def json_text(value: object) -> JsonText:
    return JsonText(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode())


def rows_insert(model: type[Model], objs: Sequence[Model]) -> None:
    """INSERT `objs` (every concrete field but an automatic primary key)."""
    if not objs:
        return
    using = router.db_for_write(model)
    if connections[using].vendor != "postgresql":
        model._default_manager.using(using).bulk_create(_with_literals(objs))
        return
    fields = _fields(model)
    with transaction.atomic(using=using, savepoint=False):
        _copy(using, model._meta.db_table, fields, objs)


def rows_upsert(
    model: type[Model],
    objs: Sequence[Model],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> None:
    """INSERT `objs`, updating `update_fields` of the rows already there (by `unique_fields`):
    `bulk_create(update_conflicts=True)`'s meaning, in one statement: the rows travel as one
    JSON array parameter (serialized by orjson), read back by `jsonb_to_recordset`."""
    if not objs:
        return
    using = router.db_for_write(model)
    if connections[using].vendor != "postgresql":
        model._default_manager.using(using).bulk_create(
            _with_literals(objs),
            update_conflicts=True,
            unique_fields=list(unique_fields),
            update_fields=list(update_fields),
        )
        return
    connection = connections[using]
    fields = _fields(model)
    column = {f.name: _quote(f.column) for f in model._meta.concrete_fields}
    columns = ", ".join(_quote(f.column) for f in fields)
    record = ", ".join(f"{_quote(f.column)} {f.db_type(connection)}" for f in fields)
    conflict = ", ".join(column[name] for name in unique_fields)
    updates = ", ".join(f"{column[n]} = EXCLUDED.{column[n]}" for n in update_fields)
    json_fields = [isinstance(f, JSONField) for f in fields]
    rows = [
        {
            f.column: _fragment(value) if is_json else value
            for f, is_json, value in zip(
                fields, json_fields, (f.pre_save(obj, add=True) for f in fields), strict=True
            )
        }
        for obj in objs
    ]
    # Every name in the statement comes from the model's metadata, quoted: none from outside.
    table = _quote(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
            f"FROM jsonb_to_recordset(%s::jsonb) AS r({record}) "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
            [orjson.dumps(rows, option=orjson.OPT_NON_STR_KEYS).decode()],
        )


def _fields(model: type[Model]) -> list[Field[Any, Any]]:
    pk = model._meta.pk
    auto = pk is not None and pk.get_internal_type() in {"AutoField", "BigAutoField"}
    return [f for f in model._meta.concrete_fields if not (auto and f is pk)]


def _copy(using: str, table: str, fields: list[Field[Any, Any]], objs: Sequence[Model]) -> None:
    connection = connections[using]
    columns = ", ".join(_quote(f.column) for f in fields)
    json_fields = [isinstance(f, JSONField) for f in fields]
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.copy(f"COPY {_quote(table)} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objs:
            values = (f.pre_save(obj, add=True) for f in fields)
            copy.write_row(
                [
                    _json(value) if is_json else value
                    for value, is_json in zip(values, json_fields, strict=True)
                ]
            )


def _json(value: object) -> str | None:
    """A JSON field's value as COPY text: SQL NULL for None, as `bulk_create` stores it."""
    if value is None or isinstance(value, JsonText):
        return value
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _fragment(value: object) -> object:
    """A JSON field's value inside the rows' JSON: pre-serialized text goes in as it is."""
    return orjson.Fragment(str(value)) if isinstance(value, JsonText) else value


def _with_literals(objs: Sequence[Model]) -> Sequence[Model]:
    """For `bulk_create`: pre-serialized JSON becomes a cast literal (`sqljson`)."""
    for obj in objs:
        for name, value in vars(obj).items():
            if isinstance(value, JsonText):
                setattr(
                    obj, name, json_literal(orjson.loads(str(value)))
                )  # orjson takes exact str only
    return objs


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
