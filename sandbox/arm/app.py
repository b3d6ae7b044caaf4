"""The emulator's HTTP front end: ARM's wire dialect over a :class:`~sandbox.arm.cloud.Cloud`.

One router for every request. Paths match case-insensitively; every ARM request needs a bearer token and
an ``api-version``; every error is an ARM error body. ``/_sandbox/*`` is the emulator's own admin API
(health, faults, settings). What each path does lives in :mod:`sandbox.arm.endpoints`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any
from typing import NamedTuple

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

from sandbox.arm.cloud import Cloud
from sandbox.arm.endpoints import activity
from sandbox.arm.endpoints import admin
from sandbox.arm.endpoints import graph
from sandbox.arm.endpoints import groups
from sandbox.arm.endpoints import metadata
from sandbox.arm.endpoints import operations
from sandbox.arm.endpoints import resources
from sandbox.arm.endpoints.wire import ArmRequest
from sandbox.arm.endpoints.wire import Call
from sandbox.arm.endpoints.wire import api_version
from sandbox.arm.endpoints.wire import error_response
from sandbox.arm.endpoints.wire import no_route
from sandbox.arm.errors import ArmError
from sandbox.arm.faults import Faults
from sandbox.arm.identity import Caller
from sandbox.arm.identity import claims_from_header

Endpoint = Callable[[Call, list[str]], Response]
_LOG = logging.getLogger(__name__)


class Route(NamedTuple):
    """``pattern``: lowercase path segments; ``*`` captures one, a final ``**`` captures one or more."""

    methods: frozenset[str]
    pattern: tuple[str, ...]
    endpoint: Endpoint

    def match(self, segments: list[str], low: list[str]) -> list[str] | None:
        """The captured segments (as sent), or None when the path does not match."""
        captured: list[str] = []
        for i, part in enumerate(self.pattern):
            if part == "**":
                return captured + segments[i:] if len(segments) > i else None
            if i >= len(low):
                return None
            if part == "*":
                captured.append(segments[i])
            elif part != low[i]:
                return None
        return captured if len(low) == len(self.pattern) else None


def _route(methods: str, pattern: str, endpoint: Endpoint) -> Route:
    return Route(frozenset(methods.split()), tuple(pattern.split("/")), endpoint)


_ANY = "GET HEAD PUT PATCH POST DELETE"
_SUB = "subscriptions/*"
_GROUP = f"{_SUB}/resourcegroups/*"
# First match wins: literal routes come before the wildcard routes they would also match.
ROUTES = (
    _route("POST", "providers/microsoft.resourcegraph/resources", graph.query),
    _route("GET", "subscriptions", metadata.subscriptions),
    _route("GET", _SUB, metadata.subscription),
    _route("GET", f"{_SUB}/providers", metadata.providers),
    _route("GET", f"{_SUB}/providers/microsoft.insights/eventtypes/management/values", activity.events),
    _route("GET", f"{_SUB}/providers/*", metadata.provider),
    _route("POST", f"{_SUB}/providers/*/register", metadata.provider),
    _route("GET", f"{_SUB}/providers/*/locations/*/*/*", operations.status),
    _route("GET", f"{_SUB}/providers/*/*", resources.list_in_subscription),
    _route("GET", f"{_SUB}/resources", resources.generic_in_subscription),
    _route("GET", f"{_SUB}/resourcegroups", groups.list_groups),
    _route("GET", _GROUP, groups.get_group),
    _route("HEAD", _GROUP, groups.head_group),
    _route("PUT PATCH", _GROUP, groups.put_group),
    _route("DELETE", _GROUP, groups.delete_group),
    _route("GET", f"{_GROUP}/resources", resources.generic_in_group),
    _route("GET", f"{_GROUP}/providers/*/*", resources.list_in_group),
    _route(_ANY, f"{_GROUP}/providers/*/*/**", resources.serve),
)


class ArmApp:
    """A WSGI application serving one :class:`Cloud`."""

    def __init__(self, cloud: Cloud, faults: Faults, page_size: int = 1000) -> None:
        self.cloud = cloud
        self.faults = faults
        self.page_size = page_size

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = ArmRequest(environ)
        response = self.handle(request)
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        segments = [s for s in request.path.split("/") if s]
        if segments and segments[0] == "_sandbox":
            try:
                return admin.serve(self, request, segments[1:])
            except Exception as e:
                return _crashed(request, e)
        correlation = request.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4())
        try:
            response = self._serve(request, segments, correlation)
        except ArmError as e:
            response = error_response(e)
        except HTTPException as e:  # refused by werkzeug itself (say, a client that disconnected)
            response = error_response(ArmError(e.code or 400, type(e).__name__, e.description or e.name))
        except Exception as e:
            response = _crashed(request, e)
        response.headers["x-ms-request-id"] = str(uuid.uuid4())
        response.headers["x-ms-correlation-request-id"] = correlation
        if request.headers.get("x-ms-client-request-id"):
            response.headers["x-ms-client-request-id"] = request.headers["x-ms-client-request-id"]
        return response

    def _serve(self, request: Request, segments: list[str], correlation: str) -> Response:
        decision = self.faults.decide(request.method, request.path)
        if decision.delay:
            time.sleep(decision.delay)
        if decision.error:
            raise decision.error
        caller = Caller(
            claims=claims_from_header(request.headers.get("Authorization")),
            client_request_id=request.headers.get("x-ms-client-request-id") or "",
            correlation_id=correlation,
            client_ip=request.remote_addr or "127.0.0.1",
            user_agent=request.headers.get("User-Agent", ""),
        )
        if not api_version(request):
            raise ArmError(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        self.cloud.tick()
        call = Call(request, self.cloud, caller, self.page_size, decision.ignored)
        return self._dispatch(call, segments)

    def _dispatch(self, call: Call, segments: list[str]) -> Response:
        low = [s.lower() for s in segments]
        if len(low) >= 2 and low[0] == "subscriptions":
            # An unknown subscription is refused whatever follows it; endpoints get it as created.
            segments = [segments[0], self.cloud.check_subscription(segments[1]), *segments[2:]]
        for route in ROUTES:
            if call.method in route.methods:
                args = route.match(segments, low)
                if args is not None:
                    return route.endpoint(call, args)
        raise no_route(call.request)


def _crashed(request: Request, error: Exception) -> Response:
    """A bug in the emulator: logged with its traceback, answered as ARM answers its own failures
    (a client sees an ARM error body it can parse and retry, never the server's HTML page)."""
    _LOG.error("%s %s failed", request.method, request.path, exc_info=error)
    return error_response(
        ArmError(
            500,
            "InternalServerError",
            f"Encountered internal server error. Please try again. ({type(error).__name__}: {error})",
        )
    )
