"""Microsoft.Network/loadBalancers with the sub-resources ARM exposes.

Frontend IP configurations, probes and rules can be read at their own URLs but only written through the
load balancer (as in ARM); backend address pools and inbound NAT rules can also be written alone.

The back-references ARM reports on a sub-resource (a probe's ``loadBalancingRules``, a frontend's
``inboundNatRules``, a pool's ``backendIPConfigurations`` …) are read-only: clients send them back when
they PUT what they read (azurerm does), so they are dropped on write and recomputed on every read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox.arm.errors import ArmError
from sandbox.arm.types import network_addressing as addr
from sandbox.arm.types import versions
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType
from sandbox.arm.types.base import Tx
from sandbox.arm.types.base import child_type
from sandbox.arm.types.base import dig
from sandbox.arm.types.base import one_of
from sandbox.arm.types.base import require
from sandbox.arm.types.base import set_default
from sandbox.arm.types.base import walk_refs

#: read-only key -> (the load balancer's collection, the paths in its items that point back)
Backrefs = dict[str, tuple[str, tuple[str, ...]]]

_FRONTEND_BACKREFS: Backrefs = {
    "loadBalancingRules": ("loadBalancingRules", ("properties.frontendIPConfiguration.id",)),
    "inboundNatRules": ("inboundNatRules", ("properties.frontendIPConfiguration.id",)),
    "inboundNatPools": ("inboundNatPools", ("properties.frontendIPConfiguration.id",)),
    "outboundRules": ("outboundRules", ("properties.frontendIPConfigurations[*].id",)),
}
_POOL_BACKREFS: Backrefs = {
    "loadBalancingRules": (
        "loadBalancingRules",
        ("properties.backendAddressPool.id", "properties.backendAddressPools[*].id"),
    ),
    "outboundRules": ("outboundRules", ("properties.backendAddressPool.id",)),
    "inboundNatRules": ("inboundNatRules", ("properties.backendAddressPool.id",)),
}
_PROBE_BACKREFS: Backrefs = {"loadBalancingRules": ("loadBalancingRules", ("properties.probe.id",))}
_POOL_READ_ONLY = ("backendIPConfigurations", "outboundRule")


def _strip(body: Body, keys: Iterable[str]) -> None:
    for key in keys:
        body["properties"].pop(key, None)


def _backrefs(tx: Tx, body: Body, wanted: Backrefs) -> None:
    """Fill a sub-resource's read-only lists with the ids of its load balancer's items that point at it."""
    balancer = tx.get(body["id"].rsplit("/", 2)[0])
    me = body["id"].lower()
    for key, (collection, paths) in wanted.items():
        found = [
            {"id": item["id"]}
            for item in dig(balancer, f"properties.{collection}") or []
            if any(ref.lower() == me for path in paths for ref in walk_refs(item, path))
        ]
        if found:
            body["properties"][key] = found
        else:
            body["properties"].pop(key, None)


def _prepare_frontend(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    _strip(body, _FRONTEND_BACKREFS)
    public = dig(props, "publicIPAddress.id")
    subnet = dig(props, "subnet.id")
    if bool(public) == bool(subnet):
        raise ArmError(
            400,
            "InvalidFrontendIPConfiguration",
            f"Frontend IP configuration {body['id']} must reference either a public IP address or a subnet.",
        )
    if subnet:
        method = one_of(
            body, "properties.privateIPAllocationMethod", ("Dynamic", "Static"), default="Dynamic"
        )
        one_of(body, "properties.privateIPAddressVersion", ("IPv4", "IPv6"), default="IPv4")
        addr.assign_private_ip(tx, body, old, subnet, method, "Frontend IP configuration")


def _decorate_frontend(tx: Tx, body: Body) -> None:
    _backrefs(tx, body, _FRONTEND_BACKREFS)


def _prepare_pool(tx: Tx, body: Body, old: Body | None) -> None:
    _strip(body, (*_POOL_BACKREFS, *_POOL_READ_ONLY))
    set_default(body["properties"], "loadBalancerBackendAddresses", [])


def _decorate_pool(tx: Tx, body: Body) -> None:
    configs = []
    for referrer in tx.referrers(body["id"]):
        for item in dig(referrer, "properties.ipConfigurations") or []:
            pools = dig(item, "properties.loadBalancerBackendAddressPools") or []
            if any((p.get("id") or "").lower() == body["id"].lower() for p in pools):
                configs.append({"id": item["id"]})
    if configs:
        body["properties"]["backendIPConfigurations"] = configs
    _backrefs(tx, body, _POOL_BACKREFS)


def _decorate_probe(tx: Tx, body: Body) -> None:
    _backrefs(tx, body, _PROBE_BACKREFS)


def _prepare_probe(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    _strip(body, _PROBE_BACKREFS)
    protocol = one_of(body, "properties.protocol", ("Tcp", "Http", "Https"))
    require(body, "properties.protocol")
    port = require(body, "properties.port")
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise ArmError(400, "InvalidProbePort", f"Probe {body['id']} has invalid port {port}.")
    if protocol in ("Http", "Https") and not props.get("requestPath"):
        raise ArmError(
            400,
            "ProbeRequestPathRequired",
            f"Probe {body['id']} with protocol {protocol} must have a requestPath.",
        )
    if protocol == "Tcp" and props.get("requestPath"):
        raise ArmError(
            400,
            "ProbeRequestPathNotAllowed",
            f"Probe {body['id']} with protocol Tcp cannot have a requestPath.",
        )
    set_default(props, "intervalInSeconds", 15)
    set_default(props, "numberOfProbes", 2)
    set_default(props, "probeThreshold", 1)
    one_of(
        body,
        "properties.noHealthyBackendsBehavior",
        ("AllProbedDown", "AllProbedUp"),
        default="AllProbedDown",
    )


def _prepare_rule(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    require(body, "properties.frontendIPConfiguration.id")
    one_of(body, "properties.protocol", ("Tcp", "Udp", "All"))
    require(body, "properties.protocol")
    for port in ("frontendPort", "backendPort"):
        _check_port(body, port, "InvalidLoadBalancingRulePort")
    set_default(props, "idleTimeoutInMinutes", 4)
    set_default(props, "enableFloatingIP", False)
    set_default(props, "enableTcpReset", False)
    set_default(props, "disableOutboundSnat", False)
    one_of(
        body, "properties.loadDistribution", ("Default", "SourceIP", "SourceIPProtocol"), default="Default"
    )
    pools = props.get("backendAddressPools")
    if pools is None and dig(props, "backendAddressPool.id"):
        props["backendAddressPools"] = [{"id": props["backendAddressPool"]["id"]}]


def _item(collection: str, **fields: Any) -> ResourceType:
    return child_type("Microsoft.Network/loadBalancers", collection, versions.NETWORK, **fields)


def _check_port(body: Body, port: str, code: str) -> None:
    value = require(body, f"properties.{port}")
    if not isinstance(value, int) or not 0 <= value <= 65535:
        raise ArmError(400, code, f"Rule {body['id']} has invalid {port} {value}.")


def _prepare_nat_rule(tx: Tx, body: Body, old: Body | None) -> None:
    """An inbound NAT rule maps one frontend port to one backend IP configuration, or (the v2 form) a
    frontend port range to a backend pool, one port per pool member."""
    props = body["properties"]
    props.pop("backendIPConfiguration", None)  # read-only: the NIC IP configuration using the rule
    require(body, "properties.frontendIPConfiguration.id")
    one_of(body, "properties.protocol", ("Tcp", "Udp", "All"))
    require(body, "properties.protocol")
    _check_port(body, "backendPort", "InvalidInboundNatRulePort")
    ranged = [k for k in ("frontendPortRangeStart", "frontendPortRangeEnd") if props.get(k) is not None]
    pool = dig(props, "backendAddressPool.id")
    if props.get("frontendPort") is not None:
        if ranged or pool:
            raise ArmError(
                400,
                "InvalidInboundNatRule",
                f"Inbound NAT rule {body['id']} cannot have a frontendPort together with a frontend port "
                "range or a backend address pool.",
            )
        _check_port(body, "frontendPort", "InvalidInboundNatRulePort")
    elif len(ranged) < 2 or not pool:
        raise ArmError(
            400,
            "InvalidInboundNatRule",
            f"Inbound NAT rule {body['id']} needs either a frontendPort, or frontendPortRangeStart, "
            "frontendPortRangeEnd and a backendAddressPool.",
        )
    elif not 1 <= props["frontendPortRangeStart"] <= props["frontendPortRangeEnd"] <= 65534:
        raise ArmError(
            400,
            "InvalidInboundNatRulePort",
            f"Inbound NAT rule {body['id']} has an invalid frontend port range "
            f"{props['frontendPortRangeStart']}-{props['frontendPortRangeEnd']}.",
        )
    set_default(props, "idleTimeoutInMinutes", 4)
    set_default(props, "enableFloatingIP", False)
    set_default(props, "enableTcpReset", False)


def _decorate_nat_rule(tx: Tx, body: Body) -> None:
    for referrer in tx.referrers(body["id"]):
        for config in dig(referrer, "properties.ipConfigurations") or []:
            rules = dig(config, "properties.loadBalancerInboundNatRules") or []
            if any((r.get("id") or "").lower() == body["id"].lower() for r in rules):
                body["properties"]["backendIPConfiguration"] = {"id": config["id"]}
                return


FRONTEND = _item(
    "frontendIPConfigurations",
    read_only_child=True,
    refs=("properties.publicIPAddress.id", "properties.subnet.id"),
    in_use_code="InUseFrontendIPConfigurationCannotBeDeleted",
    prepare=_prepare_frontend,
    decorate=_decorate_frontend,
)
BACKEND_POOL = _item(
    "backendAddressPools",
    in_use_code="InUseBackendAddressPoolCannotBeDeleted",
    prepare=_prepare_pool,
    decorate=_decorate_pool,
)
PROBE = _item(
    "probes",
    read_only_child=True,
    in_use_code="InUseProbeCannotBeDeleted",
    prepare=_prepare_probe,
    decorate=_decorate_probe,
)
RULE = _item(
    "loadBalancingRules",
    read_only_child=True,
    refs=(
        "properties.frontendIPConfiguration.id",
        "properties.backendAddressPool.id",
        "properties.backendAddressPools[*].id",
        "properties.probe.id",
    ),
    prepare=_prepare_rule,
)
NAT_RULE = _item(
    "inboundNatRules",
    refs=("properties.frontendIPConfiguration.id", "properties.backendAddressPool.id"),
    prepare=_prepare_nat_rule,
    decorate=_decorate_nat_rule,
)


def _prepare(tx: Tx, body: Body, old: Body | None) -> None:
    sku = one_of(body, "sku.name", ("Basic", "Standard", "Gateway"), default="Basic")
    one_of(body, "sku.tier", ("Regional", "Global"), default="Regional")
    for frontend in body["properties"].get("frontendIPConfigurations", []):
        public_id = dig(frontend, "properties.publicIPAddress.id")
        public = tx.get(public_id) if public_id else None
        if public and (dig(public, "sku.name") or "Basic") != sku:
            raise ArmError(
                400,
                "LoadBalancerReferencesPublicIPAddressWithDifferentSku",
                f"Load balancer {body['id']} of sku {sku} references public IP {public_id} of sku "
                f"{dig(public, 'sku.name')}. The skus must match.",
            )
    set_default(body["properties"], "outboundRules", [])
    set_default(body["properties"], "inboundNatPools", [])
    body["properties"]["resourceGuid"] = dig(old, "properties.resourceGuid") if old else tx.guid()


TYPE = ResourceType(
    type_name="Microsoft.Network/loadBalancers",
    api_versions=versions.NETWORK,
    immutable=("sku.name",),
    children=(FRONTEND, BACKEND_POOL, PROBE, RULE, NAT_RULE),
    in_use_code="InUseLoadBalancerCannotBeDeleted",
    etag=True,
    prepare=_prepare,
)
