"""Resource groups: ``/subscriptions/{s}/resourceGroups[/{name}]``."""

from __future__ import annotations

from werkzeug.wrappers import Response

from sandbox.arm.cloud.groups import GROUP_API_VERSIONS
from sandbox.arm.endpoints.wire import Call
from sandbox.arm.endpoints.wire import json_response
from sandbox.arm.endpoints.wire import paged
from sandbox.arm.endpoints.wire import read_body
from sandbox.arm.endpoints.wire import reply


def list_groups(call: Call, args: list[str]) -> Response:
    (sub,) = args
    return paged(call, call.cloud.groups.list_all(sub))


def get_group(call: Call, args: list[str]) -> Response:
    sub, name = args
    call.check_version(GROUP_API_VERSIONS, "resourceGroups")
    return json_response(200, call.cloud.groups.get(sub, name))


def head_group(call: Call, args: list[str]) -> Response:
    sub, name = args
    call.check_version(GROUP_API_VERSIONS, "resourceGroups")
    call.cloud.groups.get(sub, name)
    return Response(status=204)


def put_group(call: Call, args: list[str]) -> Response:
    """PUT creates or replaces, PATCH merges into what exists."""
    sub, name = args
    call.check_version(GROUP_API_VERSIONS, "resourceGroups")
    body = read_body(call.request)
    return reply(call, call.cloud.groups.put(sub, name, body, call.caller, call.method, keep=call.keep))


def delete_group(call: Call, args: list[str]) -> Response:
    sub, name = args
    call.check_version(GROUP_API_VERSIONS, "resourceGroups")
    return reply(call, call.cloud.groups.delete(sub, name, call.caller))
