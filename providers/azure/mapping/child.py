"""azurerm resources that are ARM child resources named through their parent: a subnet, an NSG rule, a route.

Their ids are ``.../{parent type}/{parent}/{collection}/{name}``; the configuration names the parent by
a ``{parent}_name`` attribute beside ``resource_group_name``, and all three force a new resource.
"""

from __future__ import annotations

from collections.abc import Callable

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import name
from providers.azure.mapping.schema import resource_group_name


def child_mapping(
    *,
    tf_type: str,
    arm_type: str,
    api_version: str,
    parent_attr: str,
    items: tuple[Item, ...],
    attrs_of: Callable[[Body], Attrs],
    to_arm: Callable[[Attrs, Body | None], Body],
    validate: Callable[[Attrs], list[tuple[str, str]]] = lambda attrs: [],
) -> Mapping:
    """``attrs_of`` reads the child's own attributes (``name`` included) from its ARM body."""
    parent_segment = arm_type.split("/")[1]

    def id_of(attrs: Attrs, sub: str) -> str:
        return ids.resource_id(sub, attrs["resource_group_name"], arm_type, attrs[parent_attr], attrs["name"])

    def from_arm(body: Body, prior: Attrs | None) -> Attrs:
        rid = ids.parse(body["id"], arm_type)
        return {
            **attrs_of(body),
            "id": body["id"],
            "resource_group_name": rid["resource_group"],
            parent_attr: rid[parent_segment],
        }

    return Mapping(
        tf_type=tf_type,
        arm_type=arm_type,
        api_version=api_version,
        schema=(
            id_attr(),
            name(),
            resource_group_name(),
            Attr(parent_attr, required=True, force_new=True),
            *items,
        ),
        id_of=id_of,
        to_arm=to_arm,
        from_arm=from_arm,
        validate=validate,
    )
