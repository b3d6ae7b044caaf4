"""Building and reading the ARM ids azurerm keeps in state."""

from __future__ import annotations

from typing import Any

from providers.azure.mapping.base import Body
from providers.azure.mapping.base import MappingError


def group_id(subscription: str, resource_group: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{resource_group}"


def resource_id(subscription: str, resource_group: str, type_name: str, *names: str) -> str:
    """``type_name`` like ``Microsoft.Network/virtualNetworks/subnets`` with one name per type segment."""
    namespace, *types = type_name.split("/")
    if len(types) != len(names):
        raise ValueError(f"{type_name} needs {len(types)} names, got {len(names)}")
    tail = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    return f"{group_id(subscription, resource_group)}/providers/{namespace}/{tail}"


def parse(resource_id: str, type_name: str, attribute: str = "id") -> dict[str, str]:
    """The parts of an id of ``type_name``: ``subscription``, ``resource_group`` and one key per type segment.

    ``parse(id, "Microsoft.Network/virtualNetworks/subnets")`` gives ``virtualNetworks`` and ``subnets``.
    """
    parts = resource_id.strip("/").split("/")
    namespace, *types = type_name.split("/")
    expected = 6 + 2 * len(types)
    ok = (
        len(parts) == expected
        and parts[0].lower() == "subscriptions"
        and parts[2].lower() == "resourcegroups"
        and parts[4].lower() == "providers"
        and parts[5].lower() == namespace.lower()
        and all(parts[6 + 2 * i].lower() == t.lower() for i, t in enumerate(types))
    )
    if not ok:
        raise MappingError(f"{attribute}: {resource_id!r} is not the id of a {type_name}")
    out = {"subscription": parts[1], "resource_group": parts[3]}
    for i, t in enumerate(types):
        out[t] = parts[7 + 2 * i]
    return out


def parse_group(resource_id: str, attribute: str = "id") -> dict[str, str]:
    parts = resource_id.strip("/").split("/")
    if len(parts) != 4 or parts[0].lower() != "subscriptions" or parts[2].lower() != "resourcegroups":
        raise MappingError(f"{attribute}: {resource_id!r} is not the id of a resource group")
    return {"subscription": parts[1], "resource_group": parts[3]}


def same(a: str | None, b: str | None) -> bool:
    return (a or "").lower() == (b or "").lower()


def ids_of(refs: Any) -> list[str]:
    """The ids of a list of ARM sub-resource references (``[{"id": ...}]``), in ARM's order."""
    return [r["id"] for r in refs or [] if isinstance(r, dict) and r.get("id")]


def ref(body: Any, key: str) -> str | None:
    """The id of the sub-resource reference ``body[key]`` (``{"id": ...}``), or None."""
    value = (body or {}).get(key) or {}
    return value.get("id") or None if isinstance(value, dict) else None


def find(items: Any, item_name: str) -> tuple[int, Body] | None:
    """The index and body of the item of an ARM collection with a name (names are case-insensitive)."""
    for index, item in enumerate(items or []):
        if str(item.get("name", "")).lower() == item_name.lower():
            return index, item
    return None


def located(body: dict[str, Any], type_name: str) -> dict[str, Any]:
    """The attributes a tracked resource's state starts with: ``id``, ``name``, ``resource_group_name``,
    ``location``, from its ARM body (whose id must be of ``type_name``).
    """
    return {
        "id": body["id"],
        "name": body["name"],
        "resource_group_name": parse(body["id"], type_name)["resource_group"],
        "location": body["location"],
    }
