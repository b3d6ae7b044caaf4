"""azurerm_lb_probe and azurerm_lb_rule: items of a load balancer's body, written through the load balancer.

As azurerm does: read the load balancer, edit ``properties.probes`` / ``properties.loadBalancingRules``,
PUT it back. Their ids are the items' ARM ids (``.../loadBalancers/{lb}/probes/{name}``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body, Embedded, Mapping, MappingError
from providers.azure.mapping.load_balancer import API_VERSION, LB, enum_problems, find, ids_of, lb_id_of, ref
from providers.azure.mapping.schema import Attr, Attrs, Kind, case_insensitive, id_attr, name

PROBE = "Microsoft.Network/loadBalancers/probes"
RULE = "Microsoft.Network/loadBalancers/loadBalancingRules"

ItemOf = Callable[[Attrs, Body], Body]  # planned attributes, the load balancer -> the item to store
AttrsOf = Callable[[Body], Attrs]  # a stored item -> its attributes (less id and loadbalancer_id)


def _child_id(collection: str) -> Callable[[Attrs, str], str]:
    def id_of(attrs: Attrs, sub: str) -> str:
        lb = lb_id_of(attrs["loadbalancer_id"])
        return ids.resource_id(
            sub, lb["resource_group"], f"{LB}/{collection}", lb["loadBalancers"], attrs["name"]
        )

    return id_of


def _parent_lb(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 2)[0]


def _item_state(resource_id: str, type_name: str, item: Body, attrs_of: AttrsOf) -> Attrs:
    rid = ids.parse(resource_id, type_name)
    lb_id = ids.resource_id(rid["subscription"], rid["resource_group"], LB, rid["loadBalancers"])
    return {"id": resource_id, "loadbalancer_id": lb_id, **attrs_of(item)}


def _embedded_in_lb(collection: str, type_name: str, item_of: ItemOf, attrs_of: AttrsOf) -> Embedded:
    """Insert/remove/extract for a load balancer collection, as azurerm's probe and rule resources do."""

    def insert(parent: Body, resource_id: str, attrs: Attrs) -> Body:
        body = copy.deepcopy(parent)
        props = body.setdefault("properties", {})
        items = list(props.get(collection) or [])
        found = find(items, attrs["name"])
        # azurerm appends the new copy and drops the old one: an updated item moves to the end
        items.append(item_of(attrs, body))
        if found is not None:
            del items[found[0]]
        props[collection] = items
        return body

    def remove(parent: Body, resource_id: str, attrs: Attrs) -> Body:
        body = copy.deepcopy(parent)
        props = body.setdefault("properties", {})
        item_name = ids.parse(resource_id, type_name)[collection]
        props[collection] = [
            i for i in props.get(collection) or [] if str(i.get("name", "")).lower() != item_name.lower()
        ]
        return body

    def extract(parent: Body, resource_id: str, prior: Attrs | None) -> Attrs | None:
        item_name = ids.parse(resource_id, type_name)[collection]
        found = find((parent.get("properties") or {}).get(collection), item_name)
        return None if found is None else _item_state(resource_id, type_name, found[1], attrs_of)

    return Embedded(
        parent_of=_parent_lb, parent_api_version=API_VERSION, insert=insert, remove=remove, extract=extract
    )


def _probe_item(attrs: Attrs, lb: Body) -> Body:
    props: Body = {
        "numberOfProbes": attrs.get("number_of_probes"),
        "intervalInSeconds": attrs.get("interval_in_seconds"),
        "port": attrs["port"],
    }
    for key, attr in (
        ("protocol", "protocol"),
        ("requestPath", "request_path"),
        ("probeThreshold", "probe_threshold"),
        ("noHealthyBackendsBehavior", "no_healthy_backends_behavior"),
    ):
        if attrs.get(attr):
            props[key] = attrs[attr]
    return {"name": attrs["name"], "properties": props}


def _probe_attrs(item: Body) -> Attrs:
    props = item.get("properties") or {}
    return {
        "name": item["name"],
        "protocol": props.get("protocol"),
        "port": props.get("port"),
        "probe_threshold": props.get("probeThreshold"),
        "request_path": props.get("requestPath") or None,
        "interval_in_seconds": props.get("intervalInSeconds"),
        "number_of_probes": props.get("numberOfProbes"),
        "no_healthy_backends_behavior": props.get("noHealthyBackendsBehavior") or None,
        "load_balancer_rules": sorted(ids_of(props.get("loadBalancingRules"))),
    }


def _probe_validate(config: Attrs) -> list[tuple[str, str]]:
    return enum_problems(config, "protocol", ("Http", "Https", "Tcp")) + enum_problems(
        config, "no_healthy_backends_behavior", ("AllProbedDown", "AllProbedUp")
    )


PROBE_MAPPING = Mapping(
    tf_type="azurerm_lb_probe",
    arm_type=PROBE,
    api_version=API_VERSION,
    schema=(
        id_attr(),
        name(),
        Attr("loadbalancer_id", required=True, force_new=True),
        Attr("protocol", optional=True, default="Tcp"),
        Attr("port", Kind.NUMBER, required=True),
        Attr("probe_threshold", Kind.NUMBER, optional=True, default=1),
        Attr("request_path", optional=True),
        Attr("interval_in_seconds", Kind.NUMBER, optional=True, default=15),
        Attr("number_of_probes", Kind.NUMBER, optional=True, default=2),
        Attr("no_healthy_backends_behavior", optional=True, default="AllProbedDown"),
        Attr("load_balancer_rules", Kind.SET_STRING, computed=True),
    ),
    id_of=_child_id("probes"),
    to_arm=lambda attrs, current: _probe_item(attrs, current or {}),
    # from_arm reads the item as ARM serves it at its own URL (.../probes/{name})
    from_arm=lambda body, prior: _item_state(body["id"], PROBE, body, _probe_attrs),
    embedded=_embedded_in_lb("probes", PROBE, _probe_item, _probe_attrs),
    validate=_probe_validate,
)


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
    frontend_name = attrs.get("frontend_ip_configuration_name")
    if frontend_name:
        found = find((lb.get("properties") or {}).get("frontendIPConfigurations"), frontend_name)
        if found is None:
            raise MappingError(f"Cannot find FrontEnd IP Configuration with the name {frontend_name}")
        props["frontendIPConfiguration"] = {"id": found[1]["id"]}
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
    frontend_id = ref(props, "frontendIPConfiguration")
    return {
        "name": item["name"],
        "frontend_ip_configuration_name": frontend_id.rsplit("/", 1)[-1] if frontend_id else None,
        "frontend_ip_configuration_id": frontend_id,
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


def _rule_validate(config: Attrs) -> list[tuple[str, str]]:
    problems = enum_problems(config, "protocol", ("All", "Tcp", "Udp"))
    timeout = config.get("idle_timeout_in_minutes")
    if isinstance(timeout, int | float) and not 4 <= timeout <= 100:
        problems.append(
            (
                "idle_timeout_in_minutes",
                f"expected idle_timeout_in_minutes to be in the range (4 - 100), got {timeout}",
            )
        )
    return problems


RULE_MAPPING = Mapping(
    tf_type="azurerm_lb_rule",
    arm_type=RULE,
    api_version=API_VERSION,
    schema=(
        id_attr(),
        name(),
        Attr("loadbalancer_id", required=True, force_new=True),
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
    id_of=_child_id("loadBalancingRules"),
    to_arm=lambda attrs, current: _rule_item(attrs, current or {}),
    from_arm=lambda body, prior: _item_state(body["id"], RULE, body, _rule_attrs),
    embedded=_embedded_in_lb("loadBalancingRules", RULE, _rule_item, _rule_attrs),
    validate=_rule_validate,
)
