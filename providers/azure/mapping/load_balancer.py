"""azurerm_lb ↔ Microsoft.Network/loadBalancers, and the helpers its parts share.

As in azurerm 4.x, ``azurerm_lb`` owns the load balancer's frontends and tags; on update it PUTs back the
live body, so the pools, probes, rules and NAT rules managed as their own resources (``load_balancer_parts``,
``load_balancer_rules``) survive.
"""

from __future__ import annotations

import copy

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.ids import ids_of
from providers.azure.mapping.ids import ref
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import case_insensitive
from providers.azure.mapping.schema import enum_problems
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import location
from providers.azure.mapping.schema import name
from providers.azure.mapping.schema import resource_group_name
from providers.azure.mapping.schema import tags

API_VERSION = "2024-05-01"
LB = "Microsoft.Network/loadBalancers"
POOL = "Microsoft.Network/loadBalancers/backendAddressPools"


def lb_id_of(loadbalancer_id: str) -> dict[str, str]:
    return ids.parse(loadbalancer_id, LB, "loadbalancer_id")


# -- azurerm_lb --------------------------------------------------------------------------------------

_FRONTEND = Block(
    "frontend_ip_configuration",
    (
        Attr("name", required=True),
        Attr("subnet_id", optional=True),
        Attr("private_ip_address", optional=True, computed=True),
        Attr("private_ip_address_version", optional=True, computed=True),
        Attr("public_ip_address_id", optional=True),
        Attr("public_ip_prefix_id", optional=True, computed=True),
        Attr("private_ip_address_allocation", optional=True, computed=True, normalize=case_insensitive),
        Attr("gateway_load_balancer_frontend_ip_configuration_id", optional=True, computed=True),
        Attr("load_balancer_rules", Kind.SET_STRING, computed=True),
        Attr("inbound_nat_rules", Kind.SET_STRING, computed=True),
        Attr("outbound_rules", Kind.SET_STRING, computed=True),
        # azurerm's CustomizeDiff replaces the load balancer when a frontend's zones change
        Attr("zones", Kind.SET_STRING, optional=True, force_new=True),
        Attr("id", computed=True),
    ),
)


def _frontend_body(frontend: Attrs) -> Body:
    """azurerm's expandAzureRmLoadBalancerFrontendIpConfigurations for one block."""
    props: Body = {}
    if frontend.get("private_ip_address_allocation"):
        props["privateIPAllocationMethod"] = frontend["private_ip_address_allocation"]
    if frontend.get("gateway_load_balancer_frontend_ip_configuration_id"):
        props["gatewayLoadBalancer"] = {"id": frontend["gateway_load_balancer_frontend_ip_configuration_id"]}
    if frontend.get("private_ip_address"):
        props["privateIPAddress"] = frontend["private_ip_address"]
    if frontend.get("public_ip_address_id"):
        props["publicIPAddress"] = {"id": frontend["public_ip_address_id"]}
    if frontend.get("public_ip_prefix_id"):
        props["publicIPPrefix"] = {"id": frontend["public_ip_prefix_id"]}
    if frontend.get("subnet_id"):
        props["privateIPAddressVersion"] = frontend.get("private_ip_address_version") or "IPv4"
        props["subnet"] = {"id": frontend["subnet_id"]}
    body: Body = {"name": frontend["name"], "properties": props}
    if frontend.get("zones"):
        body["zones"] = sorted(frontend["zones"])
    return body


def _frontend_attrs(body: Body) -> Attrs:
    props = body.get("properties") or {}
    return {
        "name": body["name"],
        "subnet_id": ref(props, "subnet"),
        "private_ip_address": props.get("privateIPAddress") or None,
        "private_ip_address_version": props.get("privateIPAddressVersion") or None,
        "public_ip_address_id": ref(props, "publicIPAddress"),
        "public_ip_prefix_id": ref(props, "publicIPPrefix"),
        "private_ip_address_allocation": props.get("privateIPAllocationMethod") or None,
        "gateway_load_balancer_frontend_ip_configuration_id": ref(props, "gatewayLoadBalancer"),
        "load_balancer_rules": sorted(ids_of(props.get("loadBalancingRules"))),
        "inbound_nat_rules": sorted(ids_of(props.get("inboundNatRules"))),
        "outbound_rules": sorted(ids_of(props.get("outboundRules"))),
        "zones": sorted(body.get("zones") or []),
        "id": body.get("id"),
    }


def _lb_id(attrs: Attrs, sub: str) -> str:
    return ids.resource_id(sub, attrs["resource_group_name"], LB, attrs["name"])


def _lb_to_arm(attrs: Attrs, current: Body | None) -> Body:
    frontends = [_frontend_body(f) for f in attrs.get("frontend_ip_configuration") or []]
    if current is None:
        body: Body = {
            "location": attrs["location"],
            "tags": attrs.get("tags") or {},
            "sku": {"name": attrs.get("sku") or "Standard", "tier": attrs.get("sku_tier") or "Regional"},
            "properties": {"frontendIPConfigurations": frontends},
        }
        if attrs.get("edge_zone"):
            body["extendedLocation"] = {"name": attrs["edge_zone"], "type": "EdgeZone"}
        return body
    # azurerm updates the body it read: probes, rules, pools and NAT rules (their own resources) stay.
    body = copy.deepcopy(current)
    props = body.setdefault("properties", {})
    live = [_frontend_body(_frontend_attrs(f)) for f in props.get("frontendIPConfigurations") or []]
    if frontends != live:
        props["frontendIPConfigurations"] = frontends
    body["tags"] = attrs.get("tags") or {}
    return body


def _lb_to_arm_update(prior: Attrs, planned: Attrs, current: Body) -> Body:
    """azurerm's update: the live body, with the frontends and tags replaced only where they changed."""
    body = copy.deepcopy(current)
    props = body.setdefault("properties", {})
    frontends = [_frontend_body(f) for f in planned.get("frontend_ip_configuration") or []]
    if frontends != [_frontend_body(f) for f in prior.get("frontend_ip_configuration") or []]:
        props["frontendIPConfigurations"] = frontends
    if (planned.get("tags") or {}) != (prior.get("tags") or {}):
        body["tags"] = planned.get("tags") or {}
    return body


def _lb_from_arm(body: Body, prior: Attrs | None) -> Attrs:
    props = body.get("properties") or {}
    frontends = props.get("frontendIPConfigurations") or []
    addresses = [
        f["properties"]["privateIPAddress"] for f in frontends if f["properties"].get("privateIPAddress")
    ]
    return {
        **ids.located(body, LB),
        "edge_zone": (body.get("extendedLocation") or {}).get("name") or None,
        "sku": (body.get("sku") or {}).get("name"),
        "sku_tier": (body.get("sku") or {}).get("tier"),
        "frontend_ip_configuration": [_frontend_attrs(f) for f in frontends],
        "private_ip_address": addresses[0] if addresses else None,
        "private_ip_addresses": addresses,
        "tags": body.get("tags") or {},
    }


def _lb_validate(config: Attrs) -> list[tuple[str, str]]:
    return enum_problems(config, "sku", ("Basic", "Standard", "Gateway")) + enum_problems(
        config, "sku_tier", ("Regional", "Global")
    )


LOAD_BALANCER = Mapping(
    tf_type="azurerm_lb",
    arm_type=LB,
    api_version=API_VERSION,
    schema=(
        id_attr(),
        name(),
        resource_group_name(),
        location(),
        Attr("edge_zone", optional=True, force_new=True),
        Attr("sku", optional=True, default="Standard", force_new=True),
        Attr("sku_tier", optional=True, default="Regional", force_new=True),
        _FRONTEND,
        Attr("private_ip_address", computed=True),
        Attr("private_ip_addresses", Kind.LIST_STRING, computed=True),
        tags(),
    ),
    id_of=_lb_id,
    to_arm=_lb_to_arm,
    to_arm_update=_lb_to_arm_update,
    from_arm=_lb_from_arm,
    validate=_lb_validate,
)
