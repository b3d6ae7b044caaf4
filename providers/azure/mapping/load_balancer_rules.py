"""azurerm_lb_rule and azurerm_lb_nat_rule: a load balancer's rules, written through the load balancer.

Both name their frontend by ``frontend_ip_configuration_name`` and report its id; both are
:class:`~providers.azure.mapping.load_balancer_parts.Part` s of the load balancer's body.
"""

from __future__ import annotations

from typing import Any

from tf.types import Unknown

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import MappingError
from providers.azure.mapping.ids import find
from providers.azure.mapping.ids import ids_of
from providers.azure.mapping.ids import ref
from providers.azure.mapping.load_balancer_parts import Part
from providers.azure.mapping.load_balancer_parts import part_mapping
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import case_insensitive
from providers.azure.mapping.schema import enum_problems
from providers.azure.mapping.schema import resource_group_name

NAT_RULE = "Microsoft.Network/loadBalancers/inboundNatRules"


def _frontend(attrs: Attrs, lb: Body) -> Body:
    """The reference to the frontend a rule names, as azurerm expands it (it must exist)."""
    frontend_name = attrs["frontend_ip_configuration_name"]
    found = find((lb.get("properties") or {}).get("frontendIPConfigurations"), frontend_name)
    if found is None:
        raise MappingError(f"Cannot find FrontEnd IP Configuration with the name {frontend_name}")
    return {"id": found[1]["id"]}


def _frontend_attrs(props: Body) -> Attrs:
    frontend_id = ref(props, "frontendIPConfiguration")
    return {
        "frontend_ip_configuration_name": frontend_id.rsplit("/", 1)[-1] if frontend_id else None,
        "frontend_ip_configuration_id": frontend_id,
    }


def _range_problems(config: Attrs, attr: str, low: int, high: int) -> list[tuple[str, str]]:
    value = config.get(attr)
    if isinstance(value, int | float) and not low <= value <= high:
        return [(attr, f"expected {attr} to be in the range ({low} - {high}), got {value}")]
    return []


def _given(value: Any) -> bool:
    """Set to something: SDKv2 defers its checks on unknown values, and 0 is what a read leaves unset."""
    return value is not Unknown and value not in (None, "", 0)


# -- azurerm_lb_rule ---------------------------------------------------------------------------------


def _rule_item(attrs: Attrs, lb: Body) -> Body:
    """azurerm's expandAzureRmLoadBalancerRule: the frontend by name, one pool unless the LB is a Gateway."""
    props: Body = {
        "protocol": attrs["protocol"],
        "frontendPort": attrs["frontend_port"],
        "backendPort": attrs["backend_port"],
        "enableFloatingIP": bool(attrs.get("floating_ip_enabled")),
        "enableTcpReset": bool(attrs.get("tcp_reset_enabled")),
        "disableOutboundSnat": bool(attrs.get("disable_outbound_snat")),
    }
    if attrs.get("idle_timeout_in_minutes"):
        props["idleTimeoutInMinutes"] = attrs["idle_timeout_in_minutes"]
    if attrs.get("load_distribution"):
        props["loadDistribution"] = attrs["load_distribution"]
    if attrs.get("frontend_ip_configuration_name"):
        props["frontendIPConfiguration"] = _frontend(attrs, lb)
    pools = list(attrs.get("backend_address_pool_ids") or [])
    if pools:
        if ((lb.get("sku") or {}).get("name") or "") == "Gateway":
            props["backendAddressPools"] = [{"id": p} for p in pools]
        elif len(pools) > 1:
            raise MappingError(
                'only Gateway SKU Load Balancer can have more than one "backend_address_pool_ids"'
            )
        else:
            props["backendAddressPool"] = {"id": pools[0]}
    if attrs.get("probe_id"):
        props["probe"] = {"id": attrs["probe_id"]}
    return {"name": attrs["name"], "properties": props}


def _rule_attrs(item: Body) -> Attrs:
    props = item.get("properties") or {}
    pools = ids_of(props.get("backendAddressPools"))
    if not props.get("backendAddressPools") and ref(props, "backendAddressPool"):
        pools = [ref(props, "backendAddressPool") or ""]
    return {
        "name": item["name"],
        **_frontend_attrs(props),
        "backend_address_pool_ids": pools,
        "protocol": props.get("protocol"),
        "frontend_port": props.get("frontendPort"),
        "backend_port": props.get("backendPort"),
        "probe_id": ref(props, "probe"),
        "floating_ip_enabled": bool(props.get("enableFloatingIP")),
        "tcp_reset_enabled": bool(props.get("enableTcpReset")),
        "disable_outbound_snat": bool(props.get("disableOutboundSnat")),
        "idle_timeout_in_minutes": props.get("idleTimeoutInMinutes"),
        "load_distribution": props.get("loadDistribution") or None,
    }


RULE_MAPPING = part_mapping(
    Part(
        tf_type="azurerm_lb_rule",
        collection="loadBalancingRules",
        items=(
            Attr("frontend_ip_configuration_name", required=True),
            Attr("frontend_ip_configuration_id", computed=True),
            Attr("backend_address_pool_ids", Kind.LIST_STRING, optional=True),
            Attr("protocol", required=True, normalize=case_insensitive),
            Attr("frontend_port", Kind.NUMBER, required=True),
            Attr("backend_port", Kind.NUMBER, required=True),
            Attr("probe_id", optional=True),
            Attr("floating_ip_enabled", Kind.BOOL, optional=True, default=False),
            Attr("tcp_reset_enabled", Kind.BOOL, optional=True, default=False),
            Attr("disable_outbound_snat", Kind.BOOL, optional=True, default=False),
            Attr("idle_timeout_in_minutes", Kind.NUMBER, optional=True, default=4),
            Attr("load_distribution", optional=True, default="Default"),
        ),
        attrs_of=_rule_attrs,
        item_of=_rule_item,
        validate=lambda config: (
            enum_problems(config, "protocol", ("All", "Tcp", "Udp"))
            + _range_problems(config, "idle_timeout_in_minutes", 4, 100)
        ),
    )
)


# -- azurerm_lb_nat_rule -----------------------------------------------------------------------------

_PORT_RANGE = ("frontend_port_start", "frontend_port_end", "backend_address_pool_id")


def _nat_rule_item(attrs: Attrs, lb: Body) -> Body:
    """azurerm's expandAzureRmLoadBalancerNatRule: one frontend port, or a port range onto a backend pool.

    Booleans and the timeout are sent only when set (``d.GetOk``): ARM's defaults fill the rest.
    """
    props: Body = {
        "protocol": attrs["protocol"],
        "backendPort": attrs["backend_port"],
        "frontendIPConfiguration": _frontend(attrs, lb),
    }
    if attrs.get("backend_address_pool_id"):
        props["frontendPortRangeStart"] = attrs.get("frontend_port_start") or 0
        props["frontendPortRangeEnd"] = attrs.get("frontend_port_end") or 0
        props["backendAddressPool"] = {"id": attrs["backend_address_pool_id"]}
    else:
        props["frontendPort"] = attrs.get("frontend_port") or 0
    for attr, key in (
        ("tcp_reset_enabled", "enableTcpReset"),
        ("floating_ip_enabled", "enableFloatingIP"),
        ("idle_timeout_in_minutes", "idleTimeoutInMinutes"),
    ):
        if attrs.get(attr):
            props[key] = attrs[attr]
    return {"name": attrs["name"], "properties": props}


def _nat_rule_attrs(item: Body) -> Attrs:
    """azurerm's read: unset ports and the missing backend read back as 0 and "", not null."""
    props = item.get("properties") or {}
    frontend = _frontend_attrs(props)
    return {
        "name": item["name"],
        "resource_group_name": ids.parse(item["id"], NAT_RULE)["resource_group"],
        "protocol": props.get("protocol"),
        "frontend_port": props.get("frontendPort") or 0,
        "backend_port": props.get("backendPort") or 0,
        "frontend_ip_configuration_name": frontend["frontend_ip_configuration_name"] or "",
        "frontend_ip_configuration_id": frontend["frontend_ip_configuration_id"] or "",
        "floating_ip_enabled": bool(props.get("enableFloatingIP")),
        "tcp_reset_enabled": bool(props.get("enableTcpReset")),
        "backend_address_pool_id": ref(props, "backendAddressPool"),
        "frontend_port_start": props.get("frontendPortRangeStart") or 0,
        "frontend_port_end": props.get("frontendPortRangeEnd") or 0,
        "idle_timeout_in_minutes": props.get("idleTimeoutInMinutes") or 0,
        "backend_ip_configuration_id": ref(props, "backendIPConfiguration") or "",
    }


def _nat_rule_validate(config: Attrs) -> list[tuple[str, str]]:
    problems = enum_problems(config, "protocol", ("All", "Tcp", "Udp"))
    problems += _range_problems(config, "frontend_port", 0, 65535)
    problems += _range_problems(config, "backend_port", 0, 65535)
    problems += _range_problems(config, "idle_timeout_in_minutes", 4, 30)
    for attr in ("frontend_port_start", "frontend_port_end"):
        if _given(config.get(attr)):
            problems += _range_problems(config, attr, 1, 65535)
    if _given(config.get("frontend_port")):
        problems += [
            ("frontend_port", f'"frontend_port": conflicts with {attr}')
            for attr in _PORT_RANGE
            if _given(config.get(attr))
        ]
    given = [a for a in _PORT_RANGE if _given(config.get(a))]
    if given and len(given) < len(_PORT_RANGE) and not any(config.get(a) is Unknown for a in _PORT_RANGE):
        listed = ",".join(sorted(_PORT_RANGE))
        problems += [(a, f'"{a}": all of `{listed}` must be specified') for a in given]
    return problems


NAT_RULE_MAPPING = part_mapping(
    Part(
        tf_type="azurerm_lb_nat_rule",
        collection="inboundNatRules",
        items=(
            resource_group_name(),
            Attr("protocol", required=True),
            Attr("frontend_port", Kind.NUMBER, optional=True),
            Attr("backend_port", Kind.NUMBER, required=True),
            Attr("frontend_ip_configuration_name", required=True),
            Attr("floating_ip_enabled", Kind.BOOL, optional=True, computed=True),
            Attr("tcp_reset_enabled", Kind.BOOL, optional=True, computed=True),
            Attr("backend_address_pool_id", optional=True),
            Attr("frontend_port_start", Kind.NUMBER, optional=True),
            Attr("frontend_port_end", Kind.NUMBER, optional=True),
            Attr("idle_timeout_in_minutes", Kind.NUMBER, optional=True, default=4),
            Attr("frontend_ip_configuration_id", computed=True),
            Attr("backend_ip_configuration_id", computed=True),
        ),
        attrs_of=_nat_rule_attrs,
        item_of=_nat_rule_item,
        validate=_nat_rule_validate,
    )
)
