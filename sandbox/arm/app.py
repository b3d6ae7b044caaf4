"""The emulator's HTTP front end: ARM's wire dialect over a :class:`~sandbox.arm.cloud.Cloud`.

Paths are matched case-insensitively; every ARM request needs a bearer token and an ``api-version``;
errors are ARM error bodies. ``/_sandbox/*`` is the emulator's own admin API (health, faults, settings).
"""

from __future__ import annotations

import json
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from sandbox.arm import activity, ids
from sandbox.arm.cloud import Cloud, Reply, Target
from sandbox.arm.cloud.groups import GROUP_API_VERSIONS
from sandbox.arm.cloud.registry import check_api_version
from sandbox.arm.errors import ArmError, no_registered_provider
from sandbox.arm.faults import FaultRule, Faults
from sandbox.arm.graph import GraphQueryError, run_query
from sandbox.arm.identity import Caller, claims_from_header
from sandbox.arm.types.base import ResourceType

ACTIVITY_API_VERSIONS = ("2014-04-01", "2015-04-01", "2017-03-01-preview")
GRAPH_API_VERSIONS = ("2019-04-01", "2020-04-01-preview", "2021-03-01", "2022-10-01", "2024-04-01")
_ASYNC_OP_SEGMENTS = ("operations", "operationresults", "operationstatuses", "asyncoperations")

Handler = Callable[[Request, list[str], Caller], Response]


class ArmApp:
    """A WSGI application serving one :class:`Cloud`."""

    def __init__(self, cloud: Cloud, faults: Faults, page_size: int = 1000) -> None:
        self.cloud = cloud
        self.faults = faults
        self.page_size = page_size
        self._cursors: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        response = self.handle(request)
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        segments = [s for s in request.path.split("/") if s]
        if segments and segments[0] == "_sandbox":
            return self._admin(request, segments[1:])
        correlation = request.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4())
        try:
            delay, fault = self.faults.decide(request.method, request.path)
            if delay:
                time.sleep(delay)
            if fault:
                raise fault
            claims = claims_from_header(request.headers.get("Authorization"))
            caller = Caller(
                claims=claims,
                client_request_id=request.headers.get("x-ms-client-request-id") or "",
                correlation_id=correlation,
                client_ip=request.remote_addr or "127.0.0.1",
                user_agent=request.headers.get("User-Agent", ""),
            )
            if not _api_version(request):
                raise ArmError(
                    400,
                    "MissingApiVersionParameter",
                    "The api-version query parameter (?api-version=) is required for all requests.",
                )
            self.cloud.tick()
            response = self._route(request, segments, caller)
        except ArmError as e:
            response = _json(e.status, e.body(), e.headers)
        response.headers["x-ms-request-id"] = str(uuid.uuid4())
        response.headers["x-ms-correlation-request-id"] = correlation
        if request.headers.get("x-ms-client-request-id"):
            response.headers["x-ms-client-request-id"] = request.headers["x-ms-client-request-id"]
        return response

    # -- routing --------------------------------------------------------------------------------------

    def _route(self, request: Request, seg: list[str], caller: Caller) -> Response:
        low = [s.lower() for s in seg]
        method = request.method
        if low == ["providers", "microsoft.resourcegraph", "resources"] and method == "POST":
            return self._graph(request)
        if not low or low[0] != "subscriptions":
            raise _no_route(request)
        if len(low) == 1:
            return _json(200, {"value": [self._subscription(s) for s in self.cloud.subscriptions.values()]})
        sub = self.cloud.check_subscription(seg[1])
        rest, low_rest = seg[2:], low[2:]
        if not rest:
            return _json(200, self._subscription(sub))
        if low_rest[0] == "providers":
            return self._subscription_providers(request, sub, rest[1:], caller)
        if low_rest == ["resources"]:
            return self._paged(request, self._filter_generic(request, self.cloud.list_generic(sub, None)))
        if low_rest[0] == "resourcegroups":
            return self._groups(request, sub, rest[1:], caller)
        raise _no_route(request)

    def _subscription_providers(
        self, request: Request, sub: str, rest: list[str], caller: Caller
    ) -> Response:
        low = [s.lower() for s in rest]
        if not rest:
            return _json(200, {"value": [self._provider(sub, ns) for ns in self._namespaces()]})
        if low[0] == "microsoft.insights" and low[1:] == ["eventtypes", "management", "values"]:
            return self._activity(request, sub)
        namespace = self._namespace(rest[0])
        if len(rest) == 1:
            return _json(200, self._provider(sub, namespace))
        if low[1:] == ["register"] and request.method == "POST":
            return _json(200, self._provider(sub, namespace))
        if len(rest) == 5 and low[1] == "locations" and low[3] in _ASYNC_OP_SEGMENTS:
            return self._operation(low[3], rest[4])
        if len(rest) == 2 and request.method == "GET":
            spec = self._type(namespace, rest[1], request)
            return self._paged(request, self.cloud.list(sub, None, spec))
        raise _no_route(request)

    def _groups(self, request: Request, sub: str, rest: list[str], caller: Caller) -> Response:
        method = request.method
        if not rest:
            return self._paged(request, self.cloud.groups.list_all(sub))
        name = rest[0]
        if len(rest) == 1:
            check_group_version(request)
            if method == "GET":
                return _json(200, self.cloud.groups.get(sub, name))
            if method == "HEAD":
                self.cloud.groups.get(sub, name)
                return Response(status=204)
            if method in ("PUT", "PATCH"):
                return self._reply(request, self.cloud.groups.put(sub, name, _body(request), caller, method))
            if method == "DELETE":
                return self._reply(request, self.cloud.groups.delete(sub, name, caller))
            raise _no_route(request)
        low = [s.lower() for s in rest]
        group = self.cloud.groups.get(sub, name)
        if low[1:] == ["resources"]:
            return self._paged(
                request, self._filter_generic(request, self.cloud.list_generic(sub, group["name"]))
            )
        if low[1] != "providers" or len(rest) < 4:
            raise _no_route(request)
        namespace = rest[2]
        if len(rest) == 4:
            spec = self._type(namespace, rest[3], request)
            return self._paged(request, self.cloud.list(sub, group["name"], spec))
        tail = rest[3:]
        if len(tail) % 2 == 0:
            rid = ids.ResourceId(sub, group["name"], namespace, tuple(tail[0::2]), tuple(tail[1::2]))
            return self._resource(request, self.cloud.resolve(rid, _api_version(request)), caller)
        # An odd tail ends in a child collection (list) or an action.
        rid = ids.ResourceId(sub, group["name"], namespace, tuple(tail[:-1][0::2]), tuple(tail[:-1][1::2]))
        target = self.cloud.resolve(rid, _api_version(request))
        last = tail[-1]
        if target.spec.child(last) is not None and request.method == "GET":
            return self._paged(request, self.cloud.list_children(target, last))
        return self._reply(
            request, self.cloud.action(target, last, _body(request, optional=True), caller, method)
        )

    def _resource(self, request: Request, target: Target, caller: Caller) -> Response:
        method = request.method
        if method == "GET":
            return _json(200, self.cloud.get(target))
        if method == "HEAD":
            self.cloud.get(target)
            return Response(status=204)
        if method in ("PUT", "PATCH"):
            return self._reply(request, self.cloud.put(target, _body(request), caller, method))
        if method == "DELETE":
            return self._reply(request, self.cloud.delete(target, caller))
        raise _no_route(request)

    # -- replies --------------------------------------------------------------------------------------

    def _reply(self, request: Request, reply: Reply) -> Response:
        headers: dict[str, str] = {}
        if reply.operation_id:
            rid = ids.parse(request.path)
            namespace = rid.namespace if rid else "Microsoft.Resources"
            sub = request.path.split("/")[2]
            base = (
                f"{request.host_url.rstrip('/')}/subscriptions/{sub}/providers/{namespace}"
                f"/locations/{reply.location}"
            )
            query = urlencode({"api-version": _api_version(request)})
            headers["Azure-AsyncOperation"] = f"{base}/operations/{reply.operation_id}?{query}"
            headers["Retry-After"] = "1"
            if request.method == "DELETE":
                headers["Location"] = f"{base}/operationResults/{reply.operation_id}?{query}"
        if reply.body is None:
            return Response(status=reply.status, headers=headers)
        return _json(reply.status, reply.body, headers)

    def _operation(self, kind: str, op_id: str) -> Response:
        status = self.cloud.operations.status(op_id)
        if kind == "operationresults":
            if status["status"] == "InProgress":
                return Response(status=202, headers={"Retry-After": "1"})
            if status["status"] == "Failed":
                raise self.cloud.operations.failure(op_id)
            return Response(status=204)
        # As ARM does, tell pollers when to come back rather than letting them spin.
        return _json(200, status, {"Retry-After": "1"} if status["status"] == "InProgress" else None)

    def _paged(self, request: Request, items: list[dict[str, Any]]) -> Response:
        start = _int_arg(request, "$skiptoken", 0)
        top = _int_arg(request, "$top", self.page_size)
        page = items[start : start + min(top, self.page_size)]
        body: dict[str, Any] = {"value": page}
        end = start + len(page)
        if end < len(items) and "$top" not in _lower_args(request):
            args = {k: v for k, v in request.args.items() if k.lower() != "$skiptoken"}
            args["$skiptoken"] = str(end)
            body["nextLink"] = f"{request.base_url}?{urlencode(args)}"
        return _json(200, body)

    # -- special endpoints ----------------------------------------------------------------------------

    def _activity(self, request: Request, sub: str) -> Response:
        if _api_version(request) not in ACTIVITY_API_VERSIONS:
            raise no_registered_provider(_api_version(request), "eventtypes", ACTIVITY_API_VERSIONS)
        import datetime as dt

        now = dt.datetime.fromtimestamp(self.cloud.clock(), dt.UTC)
        flt = activity.parse_filter(_lower_args(request).get("$filter"), now)
        return self._paged(request, self.cloud.events(sub, flt))

    def _graph(self, request: Request) -> Response:
        if _api_version(request) not in GRAPH_API_VERSIONS:
            raise no_registered_provider(_api_version(request), "resources", GRAPH_API_VERSIONS)
        body = _body(request)
        options = body.get("options") or {}
        token = options.get("$skipToken")
        if token:
            rows = self._cursors.get(token)
            if rows is None:
                raise ArmError(400, "BadRequest", "The $skipToken is invalid or has expired.")
        else:
            query = body.get("query")
            if not isinstance(query, str) or not query.strip():
                raise ArmError(400, "BadRequest", "The request must contain a 'query'.")
            subs = {s.lower() for s in body.get("subscriptions") or self.cloud.subscriptions}
            try:
                rows = run_query(query, self._graph_rows(subs))
            except GraphQueryError as e:
                raise ArmError(
                    400, "BadRequest", f"Please provide below info when asking for support: {e}"
                ) from None
            token = uuid.uuid4().hex
        top = min(int(options.get("$top") or 100), 1000)
        skip = int(options.get("$skip") or 0)
        offset = int(token.split(":")[1]) if ":" in token else skip
        page = rows[offset : offset + top]
        result: dict[str, Any] = {
            "totalRecords": len(rows),
            "count": len(page),
            "resultTruncated": "false",
            "facets": [],
        }
        if offset + top < len(rows):
            next_token = f"{token.split(':')[0]}:{offset + top}"
            self._cursors[next_token] = rows
            while len(self._cursors) > 64:
                self._cursors.popitem(last=False)
            result["$skipToken"] = next_token
        if (options.get("resultFormat") or "objectArray").lower() == "table":
            columns = list(page[0]) if page else []
            result["data"] = {
                "columns": [{"name": c, "type": "object"} for c in columns],
                "rows": [[row.get(c) for c in columns] for row in page],
            }
        else:
            result["data"] = page
        return _json(200, result)

    def _graph_rows(self, subscriptions: set[str]) -> list[dict[str, Any]]:
        rows = []
        for spec in self.cloud.types.values():
            for sub in self.cloud.subscriptions.values():
                if sub.lower() not in subscriptions:
                    continue
                for body in self.cloud.list(sub, None, spec):
                    rid = ids.parse(body["id"])
                    assert rid is not None
                    rows.append(
                        {
                            "id": body["id"],
                            "name": body["name"],
                            "type": body["type"].lower(),
                            "tenantId": self.cloud.tenant,
                            "kind": body.get("kind", ""),
                            "location": body.get("location", ""),
                            "resourceGroup": rid.resource_group.lower(),
                            "subscriptionId": rid.subscription,
                            "managedBy": body.get("managedBy", ""),
                            "sku": body.get("sku"),
                            "plan": body.get("plan"),
                            "properties": body.get("properties"),
                            "tags": body.get("tags"),
                            "identity": body.get("identity"),
                            "zones": body.get("zones"),
                            "extendedLocation": body.get("extendedLocation"),
                        }
                    )
        return rows

    def _filter_generic(self, request: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        text = _lower_args(request).get("$filter")
        if not text:
            return items
        wanted: dict[str, str] = {}
        for clause in text.split(" and "):
            field, _, value = clause.strip().partition(" eq ")
            if not value:
                raise ArmError(400, "InvalidFilterInQueryString", f"The $filter '{text}' is not supported.")
            wanted[field.strip().lower()] = value.strip().strip("'")
        out = []
        for item in items:
            if "resourcetype" in wanted and item["type"].lower() != wanted["resourcetype"].lower():
                continue
            if "name" in wanted and item["name"].lower() != wanted["name"].lower():
                continue
            if "location" in wanted and item.get("location", "").lower() != wanted["location"].lower():
                continue
            if "tagname" in wanted:
                tags = {k.lower(): v for k, v in (item.get("tags") or {}).items()}
                if wanted["tagname"].lower() not in tags:
                    continue
                if "tagvalue" in wanted and tags[wanted["tagname"].lower()] != wanted["tagvalue"]:
                    continue
            out.append(item)
        return out

    # -- providers ------------------------------------------------------------------------------------

    def _namespaces(self) -> list[str]:
        return sorted({t.namespace for t in self.cloud.types.values()} | {"Microsoft.Resources"})

    def _namespace(self, name: str) -> str:
        for ns in self._namespaces():
            if ns.lower() == name.lower():
                return ns
        raise ArmError(400, "InvalidResourceNamespace", f"The resource namespace '{name}' is invalid.")

    def _provider(self, sub: str, namespace: str) -> dict[str, Any]:
        from sandbox.arm.regions import REGIONS

        types: list[dict[str, Any]] = []

        def add(spec: ResourceType, path: str) -> None:
            types.append(
                {
                    "resourceType": path,
                    "locations": list(REGIONS),
                    "apiVersions": sorted(spec.api_versions, reverse=True),
                }
            )
            for child in spec.children:
                add(child, f"{path}/{child.collection}")

        for spec in self.cloud.types.values():
            if spec.namespace == namespace:
                add(spec, spec.segment)
        if namespace == "Microsoft.Resources":
            types.append(
                {
                    "resourceType": "resourceGroups",
                    "locations": [],
                    "apiVersions": sorted(GROUP_API_VERSIONS, reverse=True),
                }
            )
        return {
            "id": f"/subscriptions/{sub}/providers/{namespace}",
            "namespace": namespace,
            "registrationState": "Registered",
            "registrationPolicy": "RegistrationRequired",
            "resourceTypes": types,
        }

    def _type(self, namespace: str, segment: str, request: Request) -> ResourceType:
        spec = self.cloud.types.get(f"{namespace}/{segment}".lower())
        if spec is None:
            raise ArmError(
                400,
                "InvalidResourceType",
                f"The resource type '{segment}' could not be found in the namespace '{namespace}' for api "
                f"version '{_api_version(request)}'.",
            )
        check_api_version(spec, _api_version(request))
        return spec

    def _subscription(self, sub: str) -> dict[str, Any]:
        return {
            "id": f"/subscriptions/{sub}",
            "subscriptionId": sub,
            "tenantId": self.cloud.tenant,
            "displayName": "Sandbox subscription",
            "state": "Enabled",
            "subscriptionPolicies": {
                "locationPlacementId": "Public_2014-09-01",
                "quotaId": "Sandbox",
                "spendingLimit": "Off",
            },
            "authorizationSource": "RoleBased",
        }

    # -- admin API ------------------------------------------------------------------------------------

    def _admin(self, request: Request, seg: list[str]) -> Response:
        try:
            if seg == ["health"]:
                return _json(
                    200,
                    {
                        "status": "ok",
                        "tenant": self.cloud.tenant,
                        "subscriptions": list(self.cloud.subscriptions.values()),
                    },
                )
            if seg == ["faults"]:
                if request.method == "GET":
                    return _json(200, {"rules": self.faults.rules()})
                if request.method == "POST":
                    rule = self.faults.add(FaultRule.from_json(_body(request)))
                    return _json(201, rule.to_json())
                if request.method == "DELETE":
                    self.faults.clear()
                    return Response(status=204)
            if seg == ["settings"]:
                if request.method in ("PUT", "PATCH"):
                    self._apply_settings(_body(request))
                return _json(200, self._settings())
        except (ValueError, TypeError) as e:
            return _json(400, {"error": {"code": "BadRequest", "message": str(e)}})
        except ArmError as e:
            return _json(e.status, e.body())
        return _json(404, {"error": {"code": "NotFound", "message": f"No admin endpoint {request.path}."}})

    def _settings(self) -> dict[str, Any]:
        return {
            "asyncOperations": self.cloud.async_operations,
            "operationDelay": self.cloud.operation_delay,
            "pageSize": self.page_size,
        }

    def _apply_settings(self, body: dict[str, Any]) -> None:
        unknown = set(body) - set(self._settings())
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        if "asyncOperations" in body:
            self.cloud.async_operations = bool(body["asyncOperations"])
        if "operationDelay" in body:
            self.cloud.operation_delay = float(body["operationDelay"])
        if "pageSize" in body:
            size = int(body["pageSize"])
            if size < 1:
                raise ValueError("pageSize must be at least 1")
            self.page_size = size


def check_group_version(request: Request) -> None:
    if _api_version(request) not in GROUP_API_VERSIONS:
        raise no_registered_provider(_api_version(request), "resourceGroups", GROUP_API_VERSIONS)


def _lower_args(request: Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.args.items()}


def _api_version(request: Request) -> str:
    return _lower_args(request).get("api-version", "")


def _int_arg(request: Request, name: str, default: int) -> int:
    value = _lower_args(request).get(name)
    if value is None:
        return default
    try:
        return max(int(value), 0)
    except ValueError:
        raise ArmError(
            400, "InvalidQueryParameterValue", f"The value '{value}' of '{name}' is not an integer."
        ) from None


def _body(request: Request, optional: bool = False) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        if optional:
            return {}
        raise ArmError(
            400,
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: the body is empty.",
        )
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ArmError(
            400,
            "InvalidRequestContent",
            f"The request content was invalid and could not be deserialized: '{e}'.",
        ) from None
    if not isinstance(body, dict):
        raise ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.")
    return body


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body),
        status=status,
        headers=headers or {},
        content_type="application/json; charset=utf-8",
    )


def _no_route(request: Request) -> ArmError:
    return ArmError(
        404,
        "NoRegisteredProviderFound" if "/providers/" in request.path.lower() else "NotFound",
        f"No HTTP resource was found that matches the request URI '{request.url}'.",
    )
