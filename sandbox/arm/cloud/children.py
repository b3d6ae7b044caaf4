"""Child collections: resources ARM embeds in their parent (subnets, NSG rules, load balancer pools).

A child is stored inside its parent's ``properties[collection]`` and has its own id and endpoint. Writing
the parent reshapes the whole collection; writing one child rewrites the parent with that item replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.arm import ids
from sandbox.arm.cloud import integrity
from sandbox.arm.cloud import shapes
from sandbox.arm.errors import ArmError
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType
from sandbox.arm.types.base import Tx

#: refuses to drop a child that something still references
Removal = Callable[[ids.ResourceId, ResourceType], None]


def write_collection(
    tx: Tx, rid: ids.ResourceId, child: ResourceType, body: Body, old: Body | None, check_removal: Removal
) -> None:
    """Shape ``body``'s ``child`` collection in place: ids, canonical names, the child type's rules."""
    items = body["properties"].get(child.collection) or []
    if not isinstance(items, list):
        raise ArmError(400, "InvalidRequestContent", f"'properties.{child.collection}' must be an array.")
    old_items = {i["name"].lower(): i for i in (old or {}).get("properties", {}).get(child.collection, [])}
    seen: set[str] = set()
    shaped = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name:
            raise ArmError(
                400, "InvalidRequestFormat", f"Each item of '{child.collection}' must have a 'name'."
            )
        if name.lower() in seen:
            raise ArmError(400, "InvalidRequestFormat", f"Duplicate name '{name}' in '{child.collection}'.")
        seen.add(name.lower())
        child.check_name(name)
        previous = old_items.get(name.lower())
        canonical = previous["name"] if previous else name
        shaped_item: Body = {
            "id": str(rid.child(child.collection, canonical)),
            "name": canonical,
            "type": child.type_name,
            "properties": shapes.properties(item.get("properties") or {}),
        }
        if item.get("zones"):
            shaped_item["zones"] = list(item["zones"])  # e.g. a zonal load balancer frontend
        child.prepare(tx, shaped_item, previous)
        integrity.check_immutable(child, shaped_item, previous)
        shaped_item["properties"]["provisioningState"] = "Succeeded"
        if child.etag:
            shaped_item["etag"] = f'W/"{tx.guid()}"'
        shaped.append(shaped_item)
    for key, previous in old_items.items():
        if key not in seen:
            check_removal(rid.child(child.collection, previous["name"]), child)
    body["properties"][child.collection] = shaped


def with_item(parent: Body | None, rid: ids.ResourceId, spec: ResourceType, incoming: Any) -> Body:
    """The parent of child ``rid`` with the child created or replaced in place, ready to be written."""
    if spec.read_only_child:
        raise ArmError(
            405,
            "MethodNotAllowed",
            f"The resource type '{spec.type_name}' does not support this operation; update its parent.",
        )
    if parent is None:
        assert rid.parent is not None
        raise ArmError(
            404,
            "ParentResourceNotFound",
            f"Can not perform requested operation on nested resource. Parent resource "
            f"'{rid.parent.name}' not found.",
        )
    if not isinstance(incoming, dict):
        raise ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.")
    current = parent["properties"].get(spec.collection, [])
    previous = item_named(current, rid.name)
    item = {
        "name": previous["name"] if previous else rid.name,
        "properties": incoming.get("properties") or {},
    }
    items = [item if i is previous else i for i in current] if previous else [*current, item]
    return {**parent, "properties": {**parent["properties"], spec.collection: items}}


def without_item(parent: Body, rid: ids.ResourceId, spec: ResourceType) -> Body:
    """The parent of child ``rid`` without it, ready to be written."""
    if spec.read_only_child:
        raise ArmError(
            405, "MethodNotAllowed", f"The resource type '{spec.type_name}' cannot be deleted alone."
        )
    items = [
        i for i in parent["properties"].get(spec.collection, []) if i["name"].lower() != rid.name.lower()
    ]
    return {**parent, "properties": {**parent["properties"], spec.collection: items}}


def item_named(items: list[Body], name: str) -> Body | None:
    return next((i for i in items if i.get("name", "").lower() == name.lower()), None)
