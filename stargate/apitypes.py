"""Types shared by the API's routers: bounded text, choices, and limit/offset pages
(`?limit=&offset=`, answered as `{count, results}`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_OFFSET = 10**9
# The largest primary key (bigint): larger ids in a path would overflow the database's integer.
MAX_ID = 2**63 - 1
# Text that PostgreSQL cannot store or compare (it refuses NUL), bounded.
Text = Annotated[str, Field(max_length=300, pattern=r"^[^\x00]*$")]

Out = TypeVar("Out")


class OneOf:
    """A validator for `Annotated[str, AfterValidator(OneOf(...))]`: one of `values`."""

    def __init__(self, values: Iterable[str]) -> None:
        self.values = tuple(values)

    def __call__(self, value: str) -> str:
        if value not in self.values:
            raise ValueError(f"must be one of {', '.join(self.values)}")
        return value


def enum_schema(values: Iterable[str]) -> Any:
    """`Field` metadata listing the choices in the schema (inline: several models have a
    `Status`, and named enums would share one OpenAPI component)."""
    return Field(json_schema_extra={"enum": list(values)})


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=0, le=MAX_LIMIT, description="Rows per page.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")


class Page(Schema, Generic[Out]):
    count: int = Field(description="Rows matching the filters, on every page.")
    results: list[Out]


def page_of(
    queryset: QuerySet[Any], params: PageParams, convert: Callable[[Any], Out]
) -> Page[Out]:
    rows = queryset[params.offset : params.offset + params.limit]
    return Page(count=queryset.count(), results=[convert(row) for row in rows])
