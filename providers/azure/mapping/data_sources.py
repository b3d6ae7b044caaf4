"""azurerm data sources that read one ARM resource, derived from the resource types' mappings.

A data source's schema is its resource's made computed, except the arguments that find the resource
(``name``, ``resource_group_name``, ...), which become required; its attributes are the resource's
``from_arm``. Only what azurerm's data source does differently is written here: nested blocks are left
out (a data source's are computed lists of objects, which azurerm replaces by flatter attributes such as
a network's ``subnets`` names), some sets are lists, and a few attributes are the data source's own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from collections.abc import Mapping as MappingType
from dataclasses import dataclass
from types import MappingProxyType

from providers.azure.mapping import resource_group
from providers.azure.mapping import virtual_network
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Lookup
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import Kind


@dataclass(frozen=True)
class DataSource:
    tf_type: str
    schema: tuple[Item, ...]
    api_version: str
    #: the arguments that find the resource
    arguments: tuple[str, ...]
    #: the ARM id to read, from the configuration and the subscription
    id_of: Callable[[Attrs, str], str]
    #: the attributes from the body read (the arguments come from the configuration)
    from_arm: Callable[[Body], Attrs]
    #: azurerm's error when there is no such resource, from the configuration and the subscription
    not_found: Callable[[Attrs, str], str]
    #: further reads, as the resource's (see :class:`~providers.azure.mapping.base.Lookup`)
    lookups: Callable[[Body], list[Lookup]] = lambda body: []


def derived(
    resource: Mapping,
    arguments: tuple[str, ...],
    not_found: Callable[[Attrs, str], str],
    *,
    lists: tuple[str, ...] = (),
    drop: tuple[str, ...] = (),
    own: tuple[Attr, ...] = (),
    read_own: Callable[[Body], Attrs] = lambda body: {},
) -> DataSource:
    """The data source of ``resource``, found by ``arguments``.

    ``lists`` are sets of the resource the data source declares as lists; ``drop`` are attributes it
    does not have; ``own`` are its own attributes (computed, replacing the resource's of that name),
    read by ``read_own``.
    """
    replaced = {a.name for a in own}
    derived_items: list[Item] = []
    for i in resource.schema:
        if not isinstance(i, Attr) or i.name in drop or i.name in replaced:
            continue
        kind = Kind.LIST_STRING if i.name in lists else i.kind
        derived_items.append(_argument(i) if i.name in arguments else _computed(i, kind))
    schema = (*derived_items, *(dataclasses.replace(a, computed=True) for a in own))
    names = {i.name for i in schema}

    def from_arm(body: Body) -> Attrs:
        attrs = {**resource.from_arm(body, None), **read_own(body)}
        return {k: v for k, v in attrs.items() if k in names}

    return DataSource(
        tf_type=resource.tf_type,
        schema=schema,
        api_version=resource.api_version,
        arguments=arguments,
        id_of=resource.id_of,
        from_arm=from_arm,
        not_found=not_found,
        lookups=resource.lookups,
    )


def _argument(attr: Attr) -> Attr:
    return Attr(attr.name, attr.kind, required=True, description=attr.description)


def _computed(attr: Attr, kind: Kind) -> Attr:
    return Attr(attr.name, kind, computed=True, sensitive=attr.sensitive, description=attr.description)


# -- the data sources --------------------------------------------------------------------------------


def _subnet_own(body: Body) -> Attrs:
    props = body.get("properties") or {}
    prefixes = props.get("addressPrefixes") or (
        [props["addressPrefix"]] if props.get("addressPrefix") else []
    )
    return {
        "address_prefix": props.get("addressPrefix") or (prefixes[0] if prefixes else None),
        "address_prefixes": prefixes,
        # azurerm sets "" when there is none
        "network_security_group_id": (props.get("networkSecurityGroup") or {}).get("id") or "",
        "route_table_id": (props.get("routeTable") or {}).get("id") or "",
    }


def _vnet_own(body: Body) -> Attrs:
    props = body.get("properties") or {}
    peerings: Attrs = {}
    addresses: list[str] = []
    for peering in props.get("virtualNetworkPeerings") or []:
        peering_props = peering.get("properties") or {}
        if peering.get("name"):
            peerings[peering["name"]] = (peering_props.get("remoteVirtualNetwork") or {}).get("id") or ""
        remote_space = peering_props.get("remoteVirtualNetworkAddressSpace") or {}
        addresses += [a for a in remote_space.get("addressPrefixes") or [] if a]
    return {
        "subnets": [s["name"] for s in props.get("subnets") or [] if s.get("name")],
        "vnet_peerings": peerings,
        "vnet_peerings_addresses": addresses,
    }


def _missing(kind: str, parts: tuple[tuple[str, str], ...]) -> Callable[[Attrs, str], str]:
    """azurerm's "not found" error, naming the id as its id types print themselves:
    ``Subnet (Subscription: "..."\nResource Group Name: "..."\n...) was not found``.
    """

    def message(config: Attrs, subscription: str) -> str:
        fields = [
            f'Subscription: "{subscription}"',
            *(f'{label}: "{config.get(key)}"' for label, key in parts),
        ]
        return f"{kind} ({chr(10).join(fields)}) was not found"

    return message


RESOURCE_GROUP = derived(
    resource_group.MAPPING,
    ("name",),
    lambda config, sub: f'Error: Resource Group "{config.get("name")}" was not found',
)

VIRTUAL_NETWORK = derived(
    virtual_network.VIRTUAL_NETWORK,
    ("name", "resource_group_name"),
    _missing(
        "Virtual Network", (("Resource Group Name", "resource_group_name"), ("Virtual Network Name", "name"))
    ),
    lists=("address_space",),
    drop=("flow_timeout_in_minutes",),
    own=(
        Attr("subnets", Kind.LIST_STRING),
        Attr("vnet_peerings", Kind.MAP_STRING),
        Attr("vnet_peerings_addresses", Kind.LIST_STRING),
    ),
    read_own=_vnet_own,
)

SUBNET = derived(
    virtual_network.SUBNET_MAPPING,
    ("name", "resource_group_name", "virtual_network_name"),
    _missing(
        "Subnet",
        (
            ("Resource Group Name", "resource_group_name"),
            ("Virtual Network Name", "virtual_network_name"),
            ("Subnet Name", "name"),
        ),
    ),
    lists=("service_endpoints",),
    own=(
        Attr("address_prefix"),
        Attr("network_security_group_id"),
        Attr("route_table_id"),
    ),
    read_own=_subnet_own,
)

DATA_SOURCES: MappingType[str, DataSource] = MappingProxyType(
    {d.tf_type: d for d in (RESOURCE_GROUP, VIRTUAL_NETWORK, SUBNET)}
)
