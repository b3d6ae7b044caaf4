"""Items of a load balancer's body that azurerm manages as resources of their own: one :class:`Part` each.

azurerm_lb_backend_address_pool, azurerm_lb_probe, azurerm_lb_rule and azurerm_lb_nat_rule share one
shape: an id below the load balancer's (``.../loadBalancers/{lb}/{collection}/{name}``), a ``name`` and a
``loadbalancer_id`` that force a new resource, and a state read from the item as ARM serves it. Probes
and (NAT) rules are written as azurerm writes them: read the load balancer, edit
``properties[collection]``, PUT it back. The backend pool is written at its own URL.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Embedded
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.ids import find
from providers.azure.mapping.ids import ids_of
from providers.azure.mapping.ids import ref
from providers.azure.mapping.load_balancer import API_VERSION
from providers.azure.mapping.load_balancer import LB
from providers.azure.mapping.load_balancer import lb_id_of
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import enum_problems
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import name

ItemOf = Callable[[Attrs, Body], Body]  # planned attributes, the load balancer -> the item to store
AttrsOf = Callable[[Body], Attrs]  # a stored item -> its attributes (less id and loadbalancer_id)
Problems = Callable[[Attrs], list[tuple[str, str]]]


@dataclass(frozen=True)
class Part:
    """One kind of load balancer item managed as an azurerm resource."""

    tf_type: str
    #: the load balancer's property, also the URL segment of the items' ids
    collection: str
    #: the attributes besides ``id``, ``name`` and ``loadbalancer_id``
    items: tuple[Item, ...]
    attrs_of: AttrsOf
    #: how azurerm writes an item into the load balancer's body; None for an item written at its own URL
    item_of: ItemOf | None = None
    #: the body PUT at the item's own URL (when ``item_of`` is None)
    own_body: Callable[[Attrs, Body | None], Body] | None = None
    validate: Problems = lambda attrs: []

    @property
    def arm_type(self) -> str:
        return f"{LB}/{self.collection}"


def part_mapping(part: Part) -> Mapping:
    """The mapping of a :class:`Part`: the id, head of the schema and state every part shares."""

    def id_of(attrs: Attrs, sub: str) -> str:
        lb = lb_id_of(attrs["loadbalancer_id"])
        return ids.resource_id(
            lb["subscription"], lb["resource_group"], part.arm_type, lb["loadBalancers"], attrs["name"]
        )

    def to_arm(attrs: Attrs, current: Body | None) -> Body:
        if part.own_body is not None:
            return part.own_body(attrs, current)
        assert part.item_of is not None
        return part.item_of(attrs, current or {})

    return Mapping(
        tf_type=part.tf_type,
        arm_type=part.arm_type,
        api_version=API_VERSION,
        schema=(id_attr(), name(), Attr("loadbalancer_id", required=True, force_new=True), *part.items),
        id_of=id_of,
        to_arm=to_arm,
        # the item as ARM serves it at its own URL (.../probes/{name}), or as found in the load balancer
        from_arm=lambda body, prior: _item_state(body["id"], part, body),
        embedded=_embedded(part) if part.item_of is not None else None,
        validate=part.validate,
    )


def _item_state(resource_id: str, part: Part, item: Body) -> Attrs:
    rid = ids.parse(resource_id, part.arm_type)
    lb_id = ids.resource_id(rid["subscription"], rid["resource_group"], LB, rid["loadBalancers"])
    return {"id": resource_id, "loadbalancer_id": lb_id, **part.attrs_of(item)}


def _embedded(part: Part) -> Embedded:
    """Insert/remove/extract in the load balancer's collection, as azurerm's part resources do."""
    collection, item_of = part.collection, part.item_of
    assert item_of is not None

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
        item_name = ids.parse(resource_id, part.arm_type)[collection]
        props[collection] = [
            i for i in props.get(collection) or [] if str(i.get("name", "")).lower() != item_name.lower()
        ]
        return body

    def extract(parent: Body, resource_id: str, prior: Attrs | None) -> Attrs | None:
        item_name = ids.parse(resource_id, part.arm_type)[collection]
        found = find((parent.get("properties") or {}).get(collection), item_name)
        return None if found is None else _item_state(resource_id, part, found[1])

    return Embedded(
        parent_of=lambda resource_id: resource_id.rstrip("/").rsplit("/", 2)[0],
        parent_api_version=API_VERSION,
        insert=insert,
        remove=remove,
        extract=extract,
    )


# -- azurerm_lb_backend_address_pool -----------------------------------------------------------------


def _pool_body(attrs: Attrs, current: Body | None) -> Body:
    props: Body = {}
    if attrs.get("virtual_network_id"):
        props["virtualNetwork"] = {"id": attrs["virtual_network_id"]}
    if attrs.get("synchronous_mode"):
        props["syncMode"] = attrs["synchronous_mode"]
    tunnels = attrs.get("tunnel_interface") or []
    if tunnels:
        props["tunnelInterfaces"] = [
            {"identifier": t["identifier"], "type": t["type"], "protocol": t["protocol"], "port": t["port"]}
            for t in tunnels
        ]
    kept = ((current or {}).get("properties") or {}).get("loadBalancerBackendAddresses")
    if kept:
        # Addresses are azurerm_lb_backend_address_pool_address's to manage, not this resource's to drop.
        props["loadBalancerBackendAddresses"] = kept
    return {"properties": props}


def _pool_attrs(item: Body) -> Attrs:
    props = item.get("properties") or {}
    return {
        "name": item["name"],
        "synchronous_mode": props.get("syncMode") or None,
        "tunnel_interface": [
            {
                "identifier": t.get("identifier"),
                "type": t.get("type"),
                "protocol": t.get("protocol"),
                "port": t.get("port"),
            }
            for t in props.get("tunnelInterfaces") or []
        ],
        "virtual_network_id": ref(props, "virtualNetwork"),
        "backend_ip_configurations": ids_of(props.get("backendIPConfigurations")),
        "inbound_nat_rules": ids_of(props.get("inboundNatRules")),
        "load_balancing_rules": ids_of(props.get("loadBalancingRules")),
        "outbound_rules": ids_of(props.get("outboundRules")),
    }


BACKEND_ADDRESS_POOL = part_mapping(
    Part(
        tf_type="azurerm_lb_backend_address_pool",
        collection="backendAddressPools",
        items=(
            Attr("synchronous_mode", optional=True, force_new=True),
            Block(
                "tunnel_interface",
                (
                    Attr("identifier", Kind.NUMBER, required=True),
                    Attr("type", required=True),
                    Attr("protocol", required=True),
                    Attr("port", Kind.NUMBER, required=True),
                ),
            ),
            Attr("virtual_network_id", optional=True),
            Attr("backend_ip_configurations", Kind.LIST_STRING, computed=True),
            Attr("inbound_nat_rules", Kind.LIST_STRING, computed=True),
            Attr("load_balancing_rules", Kind.LIST_STRING, computed=True),
            Attr("outbound_rules", Kind.LIST_STRING, computed=True),
        ),
        attrs_of=_pool_attrs,
        own_body=_pool_body,
        validate=lambda config: enum_problems(config, "synchronous_mode", ("Automatic", "Manual")),
    )
)


# -- azurerm_lb_probe --------------------------------------------------------------------------------


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


PROBE_MAPPING = part_mapping(
    Part(
        tf_type="azurerm_lb_probe",
        collection="probes",
        items=(
            Attr("protocol", optional=True, default="Tcp"),
            Attr("port", Kind.NUMBER, required=True),
            Attr("probe_threshold", Kind.NUMBER, optional=True, default=1),
            Attr("request_path", optional=True),
            Attr("interval_in_seconds", Kind.NUMBER, optional=True, default=15),
            Attr("number_of_probes", Kind.NUMBER, optional=True, default=2),
            Attr("no_healthy_backends_behavior", optional=True, default="AllProbedDown"),
            Attr("load_balancer_rules", Kind.SET_STRING, computed=True),
        ),
        attrs_of=_probe_attrs,
        item_of=_probe_item,
        validate=lambda config: (
            enum_problems(config, "protocol", ("Http", "Https", "Tcp"))
            + enum_problems(config, "no_healthy_backends_behavior", ("AllProbedDown", "AllProbedUp"))
        ),
    )
)
