"""Resources: typed CRUD, child collections and actions, listings by type and the generic ``/resources``."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sandbox.arm import ids
from sandbox.arm.cloud import Target
from sandbox.arm.endpoints.wire import Call
from sandbox.arm.endpoints.wire import json_response
from sandbox.arm.endpoints.wire import lower_args
from sandbox.arm.endpoints.wire import no_route
from sandbox.arm.endpoints.wire import paged
from sandbox.arm.endpoints.wire import read_body
from sandbox.arm.endpoints.wire import reply
from sandbox.arm.errors import ArmError


def serve(call: Call, args: list[str]) -> Response:
    """``…/resourceGroups/{g}/providers/{ns}/{type}/{name}[/{type}/{name}…][/{collection or action}]``."""
    sub, group_name, namespace, *tail = args
    group = call.cloud.groups.get(sub, group_name)["name"]
    if len(tail) % 2 == 0:
        rid = ids.ResourceId(sub, group, namespace, tuple(tail[0::2]), tuple(tail[1::2]))
        return _resource(call, call.cloud.resolve(rid, call.api_version))
    # An odd tail ends in a child collection (list) or an action.
    head, last = tail[:-1], tail[-1]
    target = call.cloud.resolve(
        ids.ResourceId(sub, group, namespace, tuple(head[0::2]), tuple(head[1::2])), call.api_version
    )
    if target.spec.child(last) is not None and call.method == "GET":
        return paged(call, call.cloud.list_children(target, last))
    payload = read_body(call.request, optional=True)
    return reply(call, call.cloud.action(target, last, payload, call.caller, call.method))


def _resource(call: Call, target: Target) -> Response:
    cloud, method = call.cloud, call.method
    if method == "GET":
        return json_response(200, cloud.get(target))
    if method == "HEAD":
        cloud.get(target)
        return Response(status=204)
    if method in ("PUT", "PATCH"):
        return reply(call, cloud.put(target, read_body(call.request), call.caller, method, keep=call.keep))
    if method == "DELETE":
        return reply(call, cloud.delete(target, call.caller))
    raise no_route(call.request)


def list_in_group(call: Call, args: list[str]) -> Response:
    """``…/resourceGroups/{g}/providers/{ns}/{type}``."""
    sub, group_name, namespace, segment = args
    group = call.cloud.groups.get(sub, group_name)["name"]
    spec = call.cloud.registry.top_level(namespace, segment, call.api_version)
    return paged(call, call.cloud.list(sub, group, spec))


def list_in_subscription(call: Call, args: list[str]) -> Response:
    """``/subscriptions/{s}/providers/{ns}/{type}``."""
    sub, namespace, segment = args
    spec = call.cloud.registry.top_level(call.cloud.registry.namespace(namespace), segment, call.api_version)
    return paged(call, call.cloud.list(sub, None, spec))


def generic_in_subscription(call: Call, args: list[str]) -> Response:
    """``/subscriptions/{s}/resources``: every resource, generic shape, ``$filter`` applied."""
    (sub,) = args
    return paged(call, _filtered(call, call.cloud.list_generic(sub, None)))


def generic_in_group(call: Call, args: list[str]) -> Response:
    """``/subscriptions/{s}/resourceGroups/{g}/resources``."""
    sub, group_name = args
    group = call.cloud.groups.get(sub, group_name)["name"]
    return paged(call, _filtered(call, call.cloud.list_generic(sub, group)))


def _filtered(call: Call, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``$filter`` subset the SDKs send to ``/resources``: ``field eq 'value'`` joined by ``and``."""
    text = lower_args(call.request).get("$filter")
    if not text:
        return items
    wanted: dict[str, str] = {}
    for clause in text.split(" and "):
        field, _, value = clause.strip().partition(" eq ")
        if not value:
            raise ArmError(400, "InvalidFilterInQueryString", f"The $filter '{text}' is not supported.")
        wanted[field.strip().lower()] = value.strip().strip("'")
    return [item for item in items if _matches(item, wanted)]


def _matches(item: dict[str, Any], wanted: dict[str, str]) -> bool:
    if "resourcetype" in wanted and item["type"].lower() != wanted["resourcetype"].lower():
        return False
    if "name" in wanted and item["name"].lower() != wanted["name"].lower():
        return False
    if "location" in wanted and item.get("location", "").lower() != wanted["location"].lower():
        return False
    if "tagname" in wanted:
        tags = {k.lower(): v for k, v in (item.get("tags") or {}).items()}
        if wanted["tagname"].lower() not in tags:
            return False
        if "tagvalue" in wanted and tags[wanted["tagname"].lower()] != wanted["tagvalue"]:
            return False
    return True
