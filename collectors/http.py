"""The HTTP side of every collector: one `httpx.Client` per cycle with the source's timeout and
TLS settings, JSON reads that fail with a classified `SourceError`, and paging along `next`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import orjson

from .conf import SourceSettings

MAX_PAGES = 100


class SourceError(Exception):
    """A failed fetch, with its kind: timeout, connection, http_<code>, auth, parse."""

    def __init__(self, kind: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.kind not in ("auth", "parse", "config")


def client_for(
    source: SourceSettings, headers: dict[str, str] | None = None, auth: httpx.Auth | None = None
) -> httpx.Client:
    return httpx.Client(
        auth=auth,
        timeout=httpx.Timeout(source.timeout),
        verify=source.verify,
        headers={"Accept": "application/json", **(headers or {})},
        follow_redirects=False,
    )


def fetch(client: httpx.Client, url: str, **kwargs: Any) -> httpx.Response:
    """GET `url`; a non-2xx answer or a transport failure raises a classified `SourceError`."""
    try:
        response = client.get(url, **kwargs)
    except httpx.TimeoutException as exc:
        raise SourceError("timeout", f"{_where(url)}: timed out ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise SourceError("connection", f"{_where(url)}: {type(exc).__name__}: {exc}") from exc
    if response.status_code in (401, 403):
        raise SourceError(
            "auth", f"{_where(url)}: HTTP {response.status_code}", response.status_code
        )
    if response.status_code >= 400:
        detail = response.text[:200]
        raise SourceError(
            f"http_{response.status_code}",
            f"{_where(url)}: HTTP {response.status_code} {detail}",
            response.status_code,
        )
    return response


def fetch_json(client: httpx.Client, url: str, **kwargs: Any) -> Any:
    response = fetch(client, url, **kwargs)
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise SourceError("parse", f"{_where(url)}: malformed JSON ({exc})") from exc


def rows_of(body: Any, *keys: str) -> list[dict[str, Any]]:
    """A bare list, or the list under the first of `keys` an object holds (2, list envelopes)."""
    if isinstance(body, list):
        return [row for row in body if isinstance(row, dict)]
    if isinstance(body, dict):
        for key in keys:
            if isinstance(body.get(key), list):
                return [row for row in body[key] if isinstance(row, dict)]
    raise SourceError("parse", f"expected a list or an object with {' or '.join(keys)}")


def pages(
    client: httpx.Client,
    url: str,
    *keys: str,
    params: dict[str, Any] | None = None,
    limit: int = 0,
    same_host: bool = False,
) -> Iterator[dict[str, Any]]:
    """Every row of a paged listing, following `next` (relative links join the base URL) until it
    is null, `limit` rows were read, or (with `same_host`) `next` leaves the host."""
    count, pages_read, following = 0, 0, url
    query: dict[str, Any] | None = params
    host = urlsplit(url).netloc
    while following:
        body = fetch_json(client, following, params=query)
        for row in rows_of(body, *keys):
            yield row
            count += 1
            if limit and count >= limit:
                return
        pages_read += 1
        nxt = body.get("next") if isinstance(body, dict) else None
        if not nxt or pages_read >= MAX_PAGES:
            return
        following, query = urljoin(url, str(nxt)), None
        if same_host and urlsplit(following).netloc != host:
            return


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


def obj(value: Any) -> dict[str, Any]:
    """`value` when it is an object, else an empty one (tolerant parsing)."""
    return value if isinstance(value, dict) else {}


def seq(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
