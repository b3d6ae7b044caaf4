"""The emulator's own admin API, ``/_sandbox/*``: health, fault rules and settings (no token needed)."""

from __future__ import annotations

from typing import Any
from typing import Protocol

from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

from sandbox.arm.cloud import Cloud
from sandbox.arm.endpoints.wire import json_response
from sandbox.arm.endpoints.wire import read_body
from sandbox.arm.errors import ArmError
from sandbox.arm.faults import FaultRule
from sandbox.arm.faults import Faults


class Emulator(Protocol):
    """What the admin API inspects and changes (an :class:`~sandbox.arm.app.ArmApp`)."""

    cloud: Cloud
    faults: Faults
    page_size: int


def serve(emulator: Emulator, request: Request, segments: list[str]) -> Response:
    """``segments`` is the path below ``/_sandbox``."""
    try:
        if segments == ["health"]:
            return _health(emulator)
        if segments == ["faults"]:
            return _faults(emulator, request)
        if segments == ["settings"]:
            if request.method in ("PUT", "PATCH"):
                _apply_settings(emulator, read_body(request))
            return json_response(200, _settings(emulator))
    except (ValueError, TypeError) as e:
        return json_response(400, {"error": {"code": "BadRequest", "message": str(e)}})
    except ArmError as e:
        return json_response(e.status, e.body())
    return json_response(
        404, {"error": {"code": "NotFound", "message": f"No admin endpoint {request.path}."}}
    )


def _health(emulator: Emulator) -> Response:
    cloud = emulator.cloud
    return json_response(
        200, {"status": "ok", "tenant": cloud.tenant, "subscriptions": list(cloud.subscriptions.values())}
    )


def _faults(emulator: Emulator, request: Request) -> Response:
    if request.method == "GET":
        return json_response(200, {"rules": emulator.faults.rules()})
    if request.method == "POST":
        rule = emulator.faults.add(FaultRule.from_json(read_body(request)))
        return json_response(201, rule.to_json())
    if request.method == "DELETE":
        emulator.faults.clear()
        return Response(status=204)
    return json_response(405, {"error": {"code": "MethodNotAllowed", "message": "GET, POST or DELETE."}})


def _settings(emulator: Emulator) -> dict[str, Any]:
    return {
        "asyncOperations": emulator.cloud.async_operations,
        "operationDelay": emulator.cloud.operation_delay,
        "pageSize": emulator.page_size,
    }


def _apply_settings(emulator: Emulator, body: dict[str, Any]) -> None:
    unknown = set(body) - set(_settings(emulator))
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    if "asyncOperations" in body:
        emulator.cloud.async_operations = bool(body["asyncOperations"])
    if "operationDelay" in body:
        emulator.cloud.operation_delay = float(body["operationDelay"])
    if "pageSize" in body:
        size = int(body["pageSize"])
        if size < 1:
            raise ValueError("pageSize must be at least 1")
        emulator.page_size = size
