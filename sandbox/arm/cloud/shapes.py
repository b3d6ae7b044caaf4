"""How ARM turns a request body into a stored resource: merge-patch, tags, the envelope around properties."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from sandbox.arm import ids
from sandbox.arm import regions
from sandbox.arm.errors import ArmError
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType
from sandbox.arm.types.base import dig

#: envelope keys ARM keeps beside ``properties`` when a client sends them
TOP_LEVEL_KEYS = ("sku", "kind", "zones", "identity", "plan", "extendedLocation")
MAX_TAGS, MAX_TAG_NAME, MAX_TAG_VALUE = 50, 512, 256


def merge_patch(old: Body, patch: Any) -> Body:
    """ARM's PATCH: objects merge recursively, everything else (lists included) replaces."""
    if not isinstance(patch, dict):
        raise ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.")
    merged = copy.deepcopy(old)
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(merged.get(k), dict):
            merged[k] = merge_patch(merged[k], v)
        elif v is None:
            merged.pop(k, None)
        else:
            merged[k] = copy.deepcopy(v)
    return merged


def restore(body: Body, old: Body, paths: Iterable[str]) -> Body:
    """A copy of ``body`` with the values ``old`` has at the dotted ``paths`` (removed where it has none)."""
    kept = copy.deepcopy(body)
    for path in paths:
        *parents, last = path.split(".")
        before = dig(old, path)
        node: Any = kept
        for part in parents:
            if not isinstance(node.get(part), dict):
                if before is None:
                    break
                node[part] = {}
            node = node[part]
        else:
            if before is None:
                node.pop(last, None)
            else:
                node[last] = copy.deepcopy(before)
    return kept


def envelope(rid: ids.ResourceId, spec: ResourceType, incoming: Any) -> Body:
    """A new body from a request: id, name, type, location, tags, the top-level keys and a copy of
    the properties (without the read-only provisioning state)."""
    if not isinstance(incoming, dict):
        raise ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.")
    props = incoming.get("properties") or {}
    if not isinstance(props, dict):
        raise ArmError(400, "InvalidRequestContent", "The 'properties' member must be a JSON object.")
    body: Body = {"id": str(rid), "name": rid.name, "type": spec.type_name}
    if spec.tracked:
        body["location"] = regions.normalize(incoming.get("location"))
        body["tags"] = tags(incoming.get("tags"))
    for k in TOP_LEVEL_KEYS:
        if incoming.get(k) is not None:
            body[k] = copy.deepcopy(incoming[k])
    body["properties"] = properties(props)
    return body


def properties(props: Body) -> Body:
    return {k: copy.deepcopy(v) for k, v in props.items() if k != "provisioningState"}


def tags(value: Any) -> dict[str, str]:
    """A body's tags, refused as ARM refuses them: more than 50, a name over 512 characters or a value
    over 256 (codes and wording as ARM answers; resources and resource groups alike)."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ArmError(400, "InvalidTagNameCharacters", "Tags must be an object of string values.")
    if len(value) > MAX_TAGS:
        raise ArmError(
            400,
            "InvalidTags",
            f"Too many tags specified. Requested tag count - '{len(value)}'. "
            f"Maximum number of tags allowed - '{MAX_TAGS}'.",
        )
    long_names = [k for k in value if len(k) > MAX_TAG_NAME]
    if long_names:
        raise ArmError(
            400,
            "InvalidTagName",
            f"Tag key too large. Following tag name '{', '.join(long_names)}' exceeded the maximum length. "
            f"Maximum allowed length for tag name - '{MAX_TAG_NAME}' characters.",
        )
    long_values = [v for v in value.values() if len(v) > MAX_TAG_VALUE]
    if long_values:
        raise ArmError(
            400,
            "InvalidTagValueLength",
            f"Tag value too large.  Following tag value '{', '.join(long_values)}' exceeded the maximum "
            f"length. Maximum allowed length for tag value - '{MAX_TAG_VALUE}' characters.",
        )
    return dict(value)
