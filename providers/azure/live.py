"""Live reads of ARM resources: the Azure adapter behind the :class:`LiveReader` Protocol.

Two ways in, both through the real SDK: per-id GETs (``azure-mgmt-resource``, the api-version the mapping
names, bounded concurrency) and bulk reads of whole resource groups through Resource Graph
(``azure-mgmt-resourcegraph``, ``$top``/``$skipToken`` paging). Retries with backoff honour
``Retry-After`` on 429 and 5xx (azure-core's retry policy). A 404 means the resource is gone; any other
failure means *unknown* — never deleted.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import Literal
from typing import NamedTuple
from typing import Protocol

from providers.azure.sdk import client
from providers.azure.sdk import wire_json

Body = dict[str, Any]
GRAPH_API_VERSION = "2021-03-01"
Status = Literal["found", "missing", "unknown"]


class LiveRead(NamedTuple):
    resource_id: str
    status: Status
    body: Body | None = None
    error: str | None = None


class Request(NamedTuple):
    resource_id: str
    api_version: str


class ReadError(Exception):
    """A listing or log read the cloud refused or failed, after retries; the message is one line."""


class LiveReader(Protocol):
    """What the drift engine needs from a cloud. ``list_groups`` and ``events`` raise :class:`ReadError`."""

    def read(
        self, requests: Sequence[Request], progress: Callable[[int], None] | None = None
    ) -> dict[str, LiveRead]:
        """Each resource by id (keys are the lowercase ids)."""

    def list_groups(self, groups: Sequence[str], types: Sequence[str]) -> list[Body]:
        """Every resource of ``types`` in the resource groups (ids ``/subscriptions/s/resourceGroups/g``)."""

    def events(self, groups: Sequence[str], since: datetime) -> list[Body]:
        """Activity Log events of the resource groups since ``since`` (ARM's wire shape)."""


class ReadSettings(NamedTuple):
    concurrency: int = 16
    retries: int = 4
    backoff_s: float = 0.5
    timeout_s: float = 30.0
    page_size: int = 1000


class AzureLiveReader:
    """Live reads against real Azure or the sandbox, given an ``Endpoint``."""

    def __init__(self, endpoint: Any, settings: ReadSettings | None = None) -> None:
        from azure.core.pipeline.transport import RequestsTransport
        from requests import Session
        from requests.adapters import HTTPAdapter

        settings = settings or ReadSettings()
        self.endpoint = endpoint
        self.settings = settings
        session = Session()
        # One pooled connection per worker: the default pool of 10 would make extra threads wait.
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(settings.concurrency, 10))
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        self._options: dict[str, Any] = {
            "transport": RequestsTransport(session=session, session_owner=False),
            "retry_total": settings.retries,
            "retry_status": settings.retries,  # azure-core stops at 3 bad statuses unless told otherwise
            "retry_backoff_factor": settings.backoff_s,
            "retry_backoff_max": 16,
            "connection_timeout": min(10.0, settings.timeout_s),
            "read_timeout": settings.timeout_s,
        }
        self._lock = threading.Lock()

    # Clients are made on first use: a scan that the bulk listing answers whole never loads the
    # resource-management SDK (a fifth of a second).

    @functools.cached_property
    def _resources(self) -> Any:
        from azure.mgmt.resource.resources import ResourceManagementClient

        return client(ResourceManagementClient, self.endpoint, **self._options).resources

    @functools.cached_property
    def _graph(self) -> Any:
        from azure.mgmt.resourcegraph import ResourceGraphClient

        return client(ResourceGraphClient, self.endpoint, **self._options)

    def read(
        self, requests: Sequence[Request], progress: Callable[[int], None] | None = None
    ) -> dict[str, LiveRead]:
        results: dict[str, LiveRead] = {}
        unique = list({r.resource_id.lower(): r for r in requests}.values())
        if not unique:
            return results
        resources = self._resources  # made here once, not by racing workers

        def one(request: Request) -> None:
            result = self._get(resources, request)
            with self._lock:
                results[request.resource_id.lower()] = result
            if progress:
                progress(1)

        with ThreadPoolExecutor(max_workers=self.settings.concurrency) as pool:
            list(pool.map(one, unique))
        return results

    @staticmethod
    def _get(resources: Any, request: Request) -> LiveRead:
        from azure.core.exceptions import AzureError
        from azure.core.exceptions import HttpResponseError
        from azure.core.exceptions import ResourceNotFoundError

        try:
            body = resources.get_by_id(request.resource_id, api_version=request.api_version)
        except ResourceNotFoundError:
            return LiveRead(request.resource_id, "missing")
        except HttpResponseError as e:
            if e.status_code == 404:
                return LiveRead(request.resource_id, "missing")
            code = getattr(e.error, "code", None) or e.status_code
            return LiveRead(request.resource_id, "unknown", error=f"HTTP {e.status_code} ({code})")
        except AzureError as e:
            return LiveRead(request.resource_id, "unknown", error=f"{type(e).__name__}: {e}".splitlines()[0])
        return LiveRead(request.resource_id, "found", wire_json(body))

    def list_groups(self, groups: Sequence[str], types: Sequence[str]) -> list[Body]:
        from azure.core.exceptions import AzureError

        try:
            return self._list_groups(groups, types)
        except AzureError as e:
            raise ReadError(f"Resource Graph listing failed: {_one_line(e)}") from e

    def _list_groups(self, groups: Sequence[str], types: Sequence[str]) -> list[Body]:
        if not groups or not types:
            return []
        by_subscription: dict[str, list[str]] = {}
        for gid in groups:
            parts = gid.strip("/").split("/")
            by_subscription.setdefault(parts[1], []).append(parts[3])
        rows: list[Body] = []
        for subscription, names in by_subscription.items():
            query = (
                "Resources"
                f" | where type in~ ({_kql_list(types)})"
                f" | where resourceGroup in~ ({_kql_list(names)})"
                " | order by id asc"
            )
            token: str | None = None
            while True:
                answer = self._query(subscription, query, token)
                page = answer.get("data")
                rows.extend(graph_row_to_body(r) for r in (page if isinstance(page, list) else []))
                token = answer.get("$skipToken")
                if not token:
                    break
        return rows

    def _query(self, subscription: str, query: str, token: str | None) -> Body:
        """One Resource Graph page, through the client's own pipeline (auth, retries) as raw JSON.

        The model layer would walk every nested value of a thousand rows only for us to undo it.
        """
        from azure.core.exceptions import HttpResponseError
        from azure.core.rest import HttpRequest

        options: Body = {"$top": self.settings.page_size, "resultFormat": "objectArray"}
        if token:
            options["$skipToken"] = token
        body = {"subscriptions": [subscription], "query": query, "options": options}
        url = f"/providers/Microsoft.ResourceGraph/resources?api-version={GRAPH_API_VERSION}"
        # A Resource Graph query is a POST that only reads: safe to retry, which azure-core does not assume.
        retryable = frozenset({"GET", "HEAD", "OPTIONS", "POST"})
        response = self._graph._send_request(HttpRequest("POST", url, json=body), retry_on_methods=retryable)
        if response.status_code >= 400:
            raise HttpResponseError(response=response)
        answer: Body = response.json()
        return answer

    def events(self, groups: Sequence[str], since: datetime) -> list[Body]:
        from azure.core.exceptions import AzureError

        try:
            return self._events(groups, since)
        except AzureError as e:
            raise ReadError(f"Activity Log read failed: {_one_line(e)}") from e

    def _events(self, groups: Sequence[str], since: datetime) -> list[Body]:
        from azure.mgmt.monitor import MonitorManagementClient

        monitor = client(MonitorManagementClient, self.endpoint, **self._options)
        start = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

        def one(gid: str) -> list[Body]:
            group = gid.rstrip("/").rsplit("/", 1)[-1]
            flt = f"eventTimestamp ge '{start}' and resourceGroupName eq '{group}'"
            return [wire_json(e) for e in monitor.activity_logs.list(filter=flt)]

        # One query per resource group, side by side: a scan of many groups waits for the slowest only.
        with ThreadPoolExecutor(max_workers=max(1, min(len(groups), self.settings.concurrency))) as pool:
            return [e for events in pool.map(one, groups) for e in events]


def _one_line(e: Exception) -> str:
    """An azure-core error as one line: the HTTP status and ARM's error code where there are some."""
    status = getattr(e, "status_code", None)
    code = getattr(getattr(e, "error", None), "code", None)
    if status:
        return f"HTTP {status}" + (f" ({code})" if code else "")
    return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}".rstrip(": ")


def graph_row_to_body(row: Body) -> Body:
    """A Resource Graph row in the shape of an ARM GET answer (what the mappings read)."""
    body: Body = {
        k: row[k] for k in ("id", "name", "location", "tags", "properties") if row.get(k) is not None
    }
    body["type"] = _canonical_type(str(row.get("type", "")), str(row.get("id", "")))
    for key in ("sku", "kind", "zones", "identity", "plan", "managedBy", "extendedLocation"):
        if row.get(key) not in (None, "", [], {}):
            body[key] = row[key]
    return body


def _canonical_type(lowered: str, resource_id: str) -> str:
    """Resource Graph lowercases types; the id keeps ARM's casing, so take it from there."""
    parts = resource_id.strip("/").split("/")
    if len(parts) >= 8 and parts[4].lower() == "providers":
        canonical = "/".join([parts[5], *parts[6::2]])
        if canonical.lower() == lowered:
            return canonical
    return lowered


def _kql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "\\'") + "'" for v in values)
