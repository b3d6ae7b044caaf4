"""azurerm_virtual_network and azurerm_subnet ↔ Microsoft.Network/virtualNetworks (+ /subnets)."""

from __future__ import annotations

from typing import Any

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Echo
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.child import child_mapping
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import case_insensitive
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import location
from providers.azure.mapping.schema import name
from providers.azure.mapping.schema import resource_group_name
from providers.azure.mapping.schema import tags

API_VERSION = "2024-05-01"
VNET = "Microsoft.Network/virtualNetworks"
SUBNET = "Microsoft.Network/virtualNetworks/subnets"

_INLINE_SUBNET = Block(
    "subnet",
    (
        Attr("name", required=True),
        Attr("address_prefixes", Kind.LIST_STRING, required=True),
        Attr("security_group", optional=True, normalize=case_insensitive),
        Attr("default_outbound_access_enabled", Kind.BOOL, optional=True, default=True),
        Attr("private_endpoint_network_policies", optional=True, default="Disabled"),
        Attr("private_link_service_network_policies_enabled", Kind.BOOL, optional=True, default=True),
        Attr("service_endpoints", Kind.SET_STRING, optional=True),
        Attr("id", computed=True),
    ),
    computed=True,
)


def _subnet_properties(attrs: Attrs, nsg_key: str) -> Body:
    props: Body = {
        "addressPrefixes": list(attrs.get("address_prefixes") or []),
        "privateEndpointNetworkPolicies": attrs.get("private_endpoint_network_policies") or "Disabled",
        "privateLinkServiceNetworkPolicies": (
            "Enabled"
            if attrs.get("private_link_service_network_policies_enabled", True) is not False
            else "Disabled"
        ),
        "serviceEndpoints": [{"service": s} for s in attrs.get("service_endpoints") or []],
    }
    if attrs.get("default_outbound_access_enabled") is False:
        props["defaultOutboundAccess"] = False
    if attrs.get(nsg_key):
        props["networkSecurityGroup"] = {"id": attrs[nsg_key]}
    return props


def _subnet_attrs(body: Body) -> Attrs:
    props = body.get("properties") or {}
    prefixes = props.get("addressPrefixes") or (
        [props["addressPrefix"]] if props.get("addressPrefix") else []
    )
    return {
        "name": body["name"],
        "address_prefixes": prefixes,
        "default_outbound_access_enabled": props.get("defaultOutboundAccess", True) is not False,
        "private_endpoint_network_policies": props.get("privateEndpointNetworkPolicies") or "Disabled",
        "private_link_service_network_policies_enabled": props.get(
            "privateLinkServiceNetworkPolicies", "Enabled"
        )
        != "Disabled",
        "service_endpoints": [s["service"] for s in props.get("serviceEndpoints") or []],
    }


# -- azurerm_virtual_network -------------------------------------------------------------------------


def _vnet_id(attrs: Attrs, sub: str) -> str:
    return ids.resource_id(sub, attrs["resource_group_name"], VNET, attrs["name"])


def _vnet_to_arm(attrs: Attrs, current: Body | None) -> Body:
    props: Body = {
        "addressSpace": {"addressPrefixes": list(attrs.get("address_space") or [])},
        "dhcpOptions": {"dnsServers": list(attrs.get("dns_servers") or [])},
    }
    if attrs.get("flow_timeout_in_minutes"):
        props["flowTimeoutInMinutes"] = attrs["flow_timeout_in_minutes"]
    inline = [
        {"name": s["name"], "properties": _subnet_properties(s, "security_group")}
        for s in attrs.get("subnet") or []
    ]
    live = (current or {}).get("properties", {}).get("subnets") or []
    if current is not None and _same_subnets(attrs.get("subnet") or [], live):
        # The subnets were not changed here (they may be managed as azurerm_subnet): keep them as they are.
        props["subnets"] = live
    else:
        props["subnets"] = inline
    return {"location": attrs["location"], "tags": attrs.get("tags") or {}, "properties": props}


def _same_subnets(planned: list[Attrs], live: list[Body]) -> bool:
    def key(name: str, prefixes: Any) -> tuple[str, tuple[str, ...]]:
        return name, tuple(sorted(prefixes or []))

    return sorted(key(s["name"], s.get("address_prefixes")) for s in planned) == sorted(
        key(b["name"], _subnet_attrs(b)["address_prefixes"]) for b in live
    )


def _vnet_from_arm(body: Body, prior: Attrs | None) -> Attrs:
    props = body.get("properties") or {}
    subnets = []
    for s in props.get("subnets") or []:
        attrs = _subnet_attrs(s)
        attrs["security_group"] = ((s.get("properties") or {}).get("networkSecurityGroup") or {}).get("id")
        attrs["id"] = s["id"]
        subnets.append(attrs)
    return {
        **ids.located(body, VNET),
        "address_space": (props.get("addressSpace") or {}).get("addressPrefixes") or [],
        "dns_servers": (props.get("dhcpOptions") or {}).get("dnsServers") or [],
        "flow_timeout_in_minutes": props.get("flowTimeoutInMinutes"),
        "guid": props.get("resourceGuid"),
        "subnet": subnets,
        "tags": body.get("tags") or {},
    }


VIRTUAL_NETWORK = Mapping(
    tf_type="azurerm_virtual_network",
    arm_type=VNET,
    api_version=API_VERSION,
    schema=(
        id_attr(),
        name(),
        resource_group_name(),
        location(),
        Attr("address_space", Kind.SET_STRING, optional=True),
        Attr("dns_servers", Kind.LIST_STRING, optional=True, computed=True),
        Attr("flow_timeout_in_minutes", Kind.NUMBER, optional=True),
        Attr("guid", computed=True),
        _INLINE_SUBNET,
        tags(),
    ),
    id_of=_vnet_id,
    to_arm=_vnet_to_arm,
    from_arm=_vnet_from_arm,
    echoes=(Echo("subnet", "azurerm_subnet", lambda vnet, s: f"{vnet}/subnets/{s['name']}"),),
)


# -- azurerm_subnet ----------------------------------------------------------------------------------


#: a subnet's references that azurerm manages as association resources (subnet_associations)
ASSOCIATED = ("networkSecurityGroup", "routeTable", "natGateway")


def _subnet_to_arm(attrs: Attrs, current: Body | None) -> Body:
    props = _subnet_properties(attrs, "")
    live = (current or {}).get("properties") or {}
    for key in ASSOCIATED:
        # azurerm_subnet_*_association's to manage, not this resource's to drop on an update
        if live.get(key):
            props[key] = live[key]
    return {"properties": props}


SUBNET_MAPPING = child_mapping(
    tf_type="azurerm_subnet",
    arm_type=SUBNET,
    api_version=API_VERSION,
    parent_attr="virtual_network_name",
    items=(
        Attr("address_prefixes", Kind.LIST_STRING, required=True),
        Attr("default_outbound_access_enabled", Kind.BOOL, optional=True, default=True),
        Attr("private_endpoint_network_policies", optional=True, default="Disabled"),
        Attr("private_link_service_network_policies_enabled", Kind.BOOL, optional=True, default=True),
        Attr("service_endpoints", Kind.SET_STRING, optional=True),
    ),
    attrs_of=_subnet_attrs,
    to_arm=_subnet_to_arm,
)
