"""ARM's wire dialect, shared by every endpoint: the call being served, reading requests, writing replies."""

from __future__ import annotations

import json
from typing import Any
from typing import NamedTuple
from urllib.parse import urlencode

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

from sandbox.arm import ids
from sandbox.arm.cloud import Cloud
from sandbox.arm.cloud import Reply
from sandbox.arm.errors import ArmError
from sandbox.arm.errors import no_registered_provider
from sandbox.arm.identity import Caller


class Call(NamedTuple):
    """One ARM request being served: what endpoints get besides the path segments they matched."""

    request: Request
    cloud: Cloud
    caller: Caller
    page_size: int
    keep: tuple[str, ...] = ()  # property paths a write leaves as they were (a fault rule says so)

    @property
    def method(self) -> str:
        return str(self.request.method)

    @property
    def api_version(self) -> str:
        return api_version(self.request)

    def check_version(self, supported: tuple[str, ...], type_segment: str) -> None:
        if self.api_version not in supported:
            raise no_registered_provider(self.api_version, type_segment, supported)


def lower_args(request: Request) -> dict[str, str]:
    """Query arguments by lowercase name: ARM reads ``$skipToken`` and ``$skiptoken`` alike."""
    return {k.lower(): v for k, v in request.args.items()}


def api_version(request: Request) -> str:
    return lower_args(request).get("api-version", "")


def int_arg(request: Request, name: str, default: int) -> int:
    value = lower_args(request).get(name)
    if value is None:
        return default
    try:
        return max(int(value), 0)
    except ValueError:
        raise ArmError(
            400, "InvalidQueryParameterValue", f"The value '{value}' of '{name}' is not an integer."
        ) from None


#: ARM refuses request bodies over 4 MB (RequestContentTooLarge)
MAX_BODY_BYTES = 4 * 1024 * 1024
#: deeper JSON is refused, as .NET's JSON readers do by default; real request bodies nest under 20 levels
MAX_DEPTH = 64


class ArmRequest(Request):
    # One byte over the limit is read, so a body cut at the limit is told from one that fits it.
    max_content_length = MAX_BODY_BYTES + 1


def read_body(request: Request, optional: bool = False) -> dict[str, Any]:
    """The request's JSON object; ``optional`` lets an empty body stand for ``{}``.

    Refused as ARM refuses them: a body over 4 MB (413), JSON that does not parse, nests deeper than
    :data:`MAX_DEPTH` or is not an object (400).
    """
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raw = None
    if raw is None or len(raw) > MAX_BODY_BYTES:
        raise ArmError(
            413, "RequestContentTooLarge", "The request content size exceeds the maximum size of 4 MB."
        )
    if not raw.strip():
        if optional:
            return {}
        raise _undeserializable("the body is empty")
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise _undeserializable(f"'{e}'") from None
    except RecursionError:
        raise _too_deep() from None
    if _deeper_than(body, MAX_DEPTH):
        raise _too_deep()
    if not isinstance(body, dict):
        raise ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.")
    return body


def _undeserializable(reason: str) -> ArmError:
    return ArmError(
        400,
        "InvalidRequestContent",
        f"The request content was invalid and could not be deserialized: {reason}.",
    )


def _too_deep() -> ArmError:
    return _undeserializable(f"'The reader's MaxDepth of {MAX_DEPTH} has been exceeded.'")


def _deeper_than(value: Any, limit: int) -> bool:
    # Iterative: the point is to refuse what would exhaust the interpreter's stack further on.
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body),
        status=status,
        headers=headers or {},
        content_type="application/json; charset=utf-8",
    )


def error_response(error: ArmError) -> Response:
    return json_response(error.status, error.body(), error.headers)


def paged(call: Call, items: list[dict[str, Any]]) -> Response:
    """A list page as ARM answers it: ``value``, and a ``nextLink`` while more remain.

    The skip token is the offset into the list, so paging keeps no state between requests.
    """
    request = call.request
    start = int_arg(request, "$skiptoken", 0)
    top = int_arg(request, "$top", call.page_size)
    page = items[start : start + min(top, call.page_size)]
    body: dict[str, Any] = {"value": page}
    end = start + len(page)
    if end < len(items) and "$top" not in lower_args(request):
        args = {k: v for k, v in request.args.items() if k.lower() != "$skiptoken"}
        args["$skiptoken"] = str(end)
        body["nextLink"] = f"{request.base_url}?{urlencode(args)}"
    return json_response(200, body)


def reply(call: Call, answer: Reply) -> Response:
    """A write's answer; an operation still running gets the headers pollers follow."""
    headers: dict[str, str] = {}
    request = call.request
    if answer.operation_id:
        rid = ids.parse(request.path)
        namespace = rid.namespace if rid else "Microsoft.Resources"
        sub = request.path.split("/")[2]
        base = (
            f"{request.host_url.rstrip('/')}/subscriptions/{sub}/providers/{namespace}"
            f"/locations/{answer.location}"
        )
        query = urlencode({"api-version": call.api_version})
        headers["Azure-AsyncOperation"] = f"{base}/operations/{answer.operation_id}?{query}"
        headers["Retry-After"] = "1"
        if request.method == "DELETE":
            headers["Location"] = f"{base}/operationResults/{answer.operation_id}?{query}"
    if answer.body is None:
        return Response(status=answer.status, headers=headers)
    return json_response(answer.status, answer.body, headers)


def no_route(request: Request) -> ArmError:
    return ArmError(
        404,
        "NoRegisteredProviderFound" if "/providers/" in request.path.lower() else "NotFound",
        f"No HTTP resource was found that matches the request URI '{request.url}'.",
    )
