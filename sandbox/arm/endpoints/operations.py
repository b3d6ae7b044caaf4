"""Long-running operation status: ``…/providers/{ns}/locations/{l}/operations|operationResults/{id}``."""

from __future__ import annotations

from werkzeug.wrappers import Response

from sandbox.arm.endpoints.wire import Call
from sandbox.arm.endpoints.wire import json_response
from sandbox.arm.endpoints.wire import no_route

_KINDS = ("operations", "operationresults", "operationstatuses", "asyncoperations")


def status(call: Call, args: list[str]) -> Response:
    _sub, namespace, _location, kind, op_id = args
    call.cloud.registry.namespace(namespace)
    if kind.lower() not in _KINDS:
        raise no_route(call.request)
    operation = call.cloud.operations.status(op_id)
    if kind.lower() == "operationresults":
        # The Location header's endpoint: 202 while running, then the outcome itself.
        if operation["status"] == "InProgress":
            return Response(status=202, headers={"Retry-After": "1"})
        if operation["status"] == "Failed":
            raise call.cloud.operations.failure(op_id)
        return Response(status=204)
    # As ARM does, tell pollers when to come back rather than letting them spin.
    return json_response(
        200, operation, {"Retry-After": "1"} if operation["status"] == "InProgress" else None
    )
