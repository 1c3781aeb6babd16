"""Cluster API access: a `kubernetes` ApiClient built from a `Cluster` row, and raw paged lists.

Lists are read as bytes (`_preload_content=False`) and parsed with orjson, never deserialized
into the client's model classes. Every failure surfaces as one `ClusterAccessError`, so a caller
can mark the cluster and move on.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from typing import Any, Protocol, TypeVar

import orjson
import urllib3
from django.conf import settings
from kubernetes import config as kube_config
from kubernetes.client import ApiClient, Configuration
from kubernetes.client.exceptions import ApiException

from labs.credentials import (
    CredentialsError,
    connection_check,
    credential_path,
    insecure_lab,
    url_check,
)
from labs.models import Cluster
from stargate.lib.evidence import KubeObject

PAGE_SIZE = 250  # fat pods are ~10 kB of JSON: bounds the memory a page takes
# A 429 (throttled) or 5xx answer is tried again, up to RETRIES more times, after a backoff
# that doubles from BACKOFF_FIRST (a Retry-After header lengthens it), never past BACKOFF_MAX.
# A 4xx answer is final: asking again gets the same answer.
RETRIES = 2
BACKOFF_FIRST, BACKOFF_MAX = 0.25, 2.0

T = TypeVar("T")


class ClusterAccessError(Exception):
    """The cluster could not be read. `kind`: timeout, refused, unauthorized, server_error,
    malformed, tls, connection, not_found or config."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


class ClusterConnection(Protocol):
    """The connection fields of a `Cluster` row (remediation passes a frozen copy of them)."""

    @property
    def api_url(self) -> str: ...
    @property
    def kubeconfig_path(self) -> str: ...
    @property
    def token_file(self) -> str: ...
    @property
    def ca_bundle_path(self) -> str: ...
    @property
    def verify_tls(self) -> bool: ...


def api_client_for(cluster: Cluster | ClusterConnection) -> ApiClient:
    """An ApiClient for the cluster: its kubeconfig file, or its API URL + token file + CA.

    The connection settings are checked first (`labs.credentials`): a refused or malformed one
    is a `config` fault, so the cluster is marked unreachable like any other fault."""
    configuration = Configuration()
    try:
        connection_check(cluster)
        _configure(configuration, cluster)
        url_check(configuration.host, insecure=insecure_lab(cluster), field="api_url")
    except CredentialsError as exc:
        raise ClusterAccessError("config", str(exc)) from exc
    except (OSError, UnicodeDecodeError, kube_config.ConfigException) as exc:
        raise ClusterAccessError("config", str(exc)) from exc
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ClusterAccessError("config", f"malformed kubeconfig: {exc!r}") from exc
    configuration.verify_ssl = bool(settings.SSL_VERIFY and cluster.verify_tls)
    # One attempt: the scanner's own backoff decides when to retry, so a dead cluster costs
    # one connect timeout per scan, not four.
    configuration.retries = False
    return ApiClient(configuration)


def _configure(configuration: Configuration, cluster: Cluster | ClusterConnection) -> None:
    if cluster.kubeconfig_path:
        kube_config.load_kube_config(
            config_file=str(credential_path(cluster.kubeconfig_path, "kubeconfig_path")),
            client_configuration=configuration,
        )
        return
    configuration.host = cluster.api_url
    if cluster.token_file:
        token_path = credential_path(cluster.token_file, "token_file")
        token = token_path.read_text(encoding="utf-8").strip()
        configuration.api_key = {"authorization": f"Bearer {token}"}
    if cluster.ca_bundle_path:
        configuration.ssl_ca_cert = cluster.ca_bundle_path


def request_timeout() -> tuple[float, float]:
    """(connect, read) seconds for every call to a cluster API."""
    return (float(settings.K8S_CONNECT_TIMEOUT), float(settings.K8S_READ_TIMEOUT))


def get_raw(api: ApiClient, path: str, query: list[tuple[str, Any]] | None = None) -> Any:
    """GET one API path and parse the JSON answer with orjson."""
    return json_parse(path, get_bytes(api, path, query))


def get_bytes(api: ApiClient, path: str, query: list[tuple[str, Any]] | None = None) -> bytes:
    """GET one API path: the answer's body, unparsed."""
    try:
        response = api_call_retried(
            lambda: api.call_api(
                path,
                "GET",
                query_params=query or [],
                header_params={"Accept": "application/json"},
                auth_settings=["BearerToken"],
                _preload_content=False,
                _return_http_data_only=True,
                _request_timeout=request_timeout(),
            )
        )
        body: bytes = response.data
    except ApiException as exc:
        raise _api_error(exc) from exc
    except AttributeError as exc:
        # kubernetes 36 wraps an SSL failure in an ApiException without a body, then fails
        # decoding that body: the ApiException is the context.
        if isinstance(exc.__context__, ApiException):
            raise _api_error(exc.__context__) from exc
        raise
    except urllib3.exceptions.HTTPError as exc:
        raise _transport_error(exc) from exc
    return body


def json_parse(path: str, body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ClusterAccessError("malformed", f"{path}: {exc}") from exc


def api_retryable(exc: ApiException) -> bool:
    """429 Too Many Requests and 5xx are passing states of the API server; 4xx are answers."""
    status = exc.status or 0
    return status == 429 or 500 <= status <= 599


def api_call_retried(call: Callable[[], T], *, retries: int = RETRIES) -> T:
    """`call()`, tried again with backoff while it raises a retryable `ApiException`."""
    for attempt in range(retries + 1):
        try:
            return call()
        except ApiException as exc:
            if attempt == retries or not api_retryable(exc):
                raise
            time.sleep(retry_delay(exc, attempt))
    raise AssertionError("unreachable")  # the last attempt returns or raises


def retry_delay(exc: ApiException, attempt: int) -> float:
    """Exponential backoff with jitter; the server's Retry-After, when longer, wins (capped)."""
    backoff = BACKOFF_FIRST * 2**attempt * (1 + random.random() / 4)
    try:  # exc.headers is urllib3's case-insensitive HTTPHeaderDict
        asked = float((exc.headers or {}).get("Retry-After") or 0)
    except (TypeError, ValueError):
        asked = 0.0
    return float(min(BACKOFF_MAX, max(backoff, asked)))


def list_pages(
    api: ApiClient,
    path: str,
    *,
    limit: int = PAGE_SIZE,
    query: list[tuple[str, Any]] | None = None,
    read_ahead: bool = False,
) -> Iterator[list[KubeObject]]:
    """The items of a list, one page at a time, following `continue` tokens.

    A page is let go before the next one is parsed: a caller that keeps no reference to it
    (`del page` at the end of its loop's body) holds one parsed page at a time, not two (a page
    of 250 real-sized pods is some 30 MB of dicts). With `read_ahead`, the next page's bytes
    are fetched by a background thread while the caller works on the current page, so the API
    server's serializing overlaps the caller's work; bytes only (a tenth of the parsed page's
    memory): the parse waits for the caller's next turn."""
    with ThreadPoolExecutor(1, "scan-read-ahead") if read_ahead else nullcontext() as reader:
        token = ""
        ahead: Future[bytes] | None = None
        while True:
            params = _page_query(query, limit, token)
            body = ahead.result() if ahead is not None else get_bytes(api, path, params)
            page = json_parse(path, body)
            del body
            if (problem := list_problem(page)) is not None:
                raise ClusterAccessError("malformed", f"{path}: not a List ({problem})")
            token = str((page.get("metadata") or {}).get("continue") or "")
            if reader is not None and token:
                ahead = reader.submit(get_bytes, api, path, _page_query(query, limit, token))
            items: list[KubeObject] = page["items"]
            del page
            yield items
            del items
            if not token:
                return


def _page_query(
    query: list[tuple[str, Any]] | None, limit: int, token: str
) -> list[tuple[str, Any]]:
    return [*(query or []), ("limit", limit)] + ([("continue", token)] if token else [])


def list_problem(page: Any) -> str | None:
    """What keeps a parsed answer from being a Kubernetes List of objects, or None."""
    if not isinstance(page, dict):
        return f"a JSON {type(page).__name__}"
    if not isinstance(page.get("items"), list):
        return "no items list"
    if not isinstance(page.get("metadata") or {}, dict):
        return "metadata is not a mapping"
    for item in page["items"]:
        metadata = item.get("metadata") if isinstance(item, dict) else None
        if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str):
            return "an item is not an object with a name"
    return None


def list_all(api: ApiClient, path: str, **kwargs: Any) -> list[KubeObject]:
    return [item for page in list_pages(api, path, **kwargs) for item in page]


def api_latency_ms(api: ApiClient) -> float:
    """Round-trip time of `/version`, the cheapest authenticated call."""
    started = time.perf_counter()
    get_raw(api, "/version")
    return (time.perf_counter() - started) * 1000


def _api_error(exc: ApiException) -> ClusterAccessError:
    status = exc.status or 0
    if status == 0:
        kind = "tls" if "SSL" in str(exc.reason) else "connection"
        return ClusterAccessError(kind, str(exc.reason))
    if status in (401, 403):
        return ClusterAccessError("unauthorized", f"HTTP {status}")
    if status == 404:
        return ClusterAccessError("not_found", f"HTTP 404 {exc.reason}")
    return ClusterAccessError("server_error", f"HTTP {status} {exc.reason}")


def _transport_error(exc: urllib3.exceptions.HTTPError) -> ClusterAccessError:
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, urllib3.exceptions.SSLError):
        return ClusterAccessError("tls", str(reason))
    # NewConnectionError subclasses ConnectTimeoutError in urllib3 2: test it first.
    if isinstance(reason, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
        return ClusterAccessError("refused", str(reason))
    if isinstance(reason, urllib3.exceptions.TimeoutError | TimeoutError):
        return ClusterAccessError("timeout", str(reason))
    return ClusterAccessError("connection", str(reason))
