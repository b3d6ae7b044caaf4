"""azurerm_route_table and azurerm_route ↔ Microsoft.Network/routeTables (+ /routes).

ARM serves a table's routes in its body and as child resources (``.../routeTables/{table}/routes/{name}``).
azurerm writes them either inline, in the table's ``route`` set, or one by one as ``azurerm_route``
resources; the set is Optional+Computed, so routes of the second kind read into it without a diff.
"""

from __future__ import annotations

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Echo
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.child import child_mapping
from providers.azure.mapping.merge import changed_only
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import element_problems
from providers.azure.mapping.schema import enum_problems
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import location
from providers.azure.mapping.schema import name
from providers.azure.mapping.schema import resource_group_name
from providers.azure.mapping.schema import tags

API_VERSION = "2024-05-01"
ROUTE_TABLE = "Microsoft.Network/routeTables"
ROUTE = "Microsoft.Network/routeTables/routes"

NEXT_HOP_TYPES = ("VirtualNetworkGateway", "VnetLocal", "Internet", "VirtualAppliance", "None")


def _route_items() -> tuple[Item, ...]:
    return (
        Attr("address_prefix", required=True),
        Attr("next_hop_type", required=True),
        Attr("next_hop_in_ip_address", optional=True),
    )


def route_properties(attrs: Attrs) -> Body:
    """azurerm's expand: the next hop's address only when there is one."""
    props: Body = {"addressPrefix": attrs.get("address_prefix"), "nextHopType": attrs.get("next_hop_type")}
    if attrs.get("next_hop_in_ip_address"):
        props["nextHopIpAddress"] = attrs["next_hop_in_ip_address"]
    return props


def route_attrs(body: Body) -> Attrs:
    """A route's attributes from its ARM body (inline in the table or read as a child resource)."""
    props = body.get("properties") or {}
    return {
        "name": body["name"],
        "address_prefix": props.get("addressPrefix"),
        "next_hop_type": props.get("nextHopType"),
        "next_hop_in_ip_address": props.get("nextHopIpAddress") or None,
    }


def _route_problems(route: Attrs) -> list[tuple[str, str]]:
    problems = enum_problems(route, "next_hop_type", NEXT_HOP_TYPES)
    for attr in ("address_prefix", "next_hop_in_ip_address"):
        if route.get(attr) == "":
            problems.append((attr, f'expected "{attr}" to not be an empty string, got '))
    return problems


# -- azurerm_route_table -----------------------------------------------------------------------------

# azurerm: a TypeSet in ConfigModeAttr. Here a set-nested computed block: block syntax works the same,
# but the attribute form (``route = []`` to remove every route) is not available.
_ROUTE = Block(
    "route", (Attr("name", required=True), *_route_items()), set_nested=True, computed=True, key="name"
)


def _table_id(attrs: Attrs, sub: str) -> str:
    return ids.resource_id(sub, attrs["resource_group_name"], ROUTE_TABLE, attrs["name"])


def _table_to_arm(attrs: Attrs, current: Body | None) -> Body:
    routes = sorted(attrs.get("route") or [], key=lambda r: str(r.get("name")))
    return {
        "location": attrs["location"],
        "tags": attrs.get("tags") or {},
        "properties": {
            "routes": [{"name": r["name"], "properties": route_properties(r)} for r in routes],
            "disableBgpRoutePropagation": attrs.get("bgp_route_propagation_enabled") is False,
        },
    }


def _table_update(prior: Attrs, planned: Attrs, current: Body) -> Body:
    """azurerm 4.x updates the live table, replacing its routes only when ``route`` changed.

    Routes left out of the configuration plan as the prior state's: sending those would bring back a
    route an ``azurerm_route`` deleted earlier in the same apply.
    """
    return changed_only(_table_to_arm(prior, None), _table_to_arm(planned, None), current)


def _table_from_arm(body: Body, prior: Attrs | None) -> Attrs:
    props = body.get("properties") or {}
    return {
        **ids.located(body, ROUTE_TABLE),
        "route": sorted((route_attrs(r) for r in props.get("routes") or []), key=lambda r: r["name"]),
        "bgp_route_propagation_enabled": not props.get("disableBgpRoutePropagation", False),
        "subnets": sorted(ids.ids_of(props.get("subnets"))),
        "tags": body.get("tags") or {},
    }


ROUTE_TABLE_MAPPING = Mapping(
    tf_type="azurerm_route_table",
    arm_type=ROUTE_TABLE,
    api_version=API_VERSION,
    schema=(
        id_attr(),
        name(),
        resource_group_name(),
        location(),
        _ROUTE,
        Attr("bgp_route_propagation_enabled", Kind.BOOL, optional=True, default=True),
        Attr("subnets", Kind.SET_STRING, computed=True),
        tags(),
    ),
    id_of=_table_id,
    to_arm=_table_to_arm,
    to_arm_update=_table_update,
    from_arm=_table_from_arm,
    validate=lambda config: element_problems(config, "route", _route_problems),
    echoes=(Echo("route", "azurerm_route", lambda table, r: f"{table}/routes/{r['name']}"),),
)


# -- azurerm_route -----------------------------------------------------------------------------------


ROUTE_MAPPING = child_mapping(
    tf_type="azurerm_route",
    arm_type=ROUTE,
    api_version=API_VERSION,
    parent_attr="route_table_name",
    items=_route_items(),
    attrs_of=route_attrs,
    to_arm=lambda attrs, current: {"properties": route_properties(attrs)},
    validate=_route_problems,
)
