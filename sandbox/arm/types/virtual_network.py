"""Microsoft.Network/virtualNetworks and their subnets."""

from __future__ import annotations

import itertools

from sandbox.arm.errors import ArmError
from sandbox.arm.types import network_addressing as addr
from sandbox.arm.types import versions
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType
from sandbox.arm.types.base import Tx
from sandbox.arm.types.base import child_type
from sandbox.arm.types.base import dig
from sandbox.arm.types.base import set_default


def _prepare_subnet(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    # Read-only, derived at read time from the NICs in the subnet: a client PUTting back what it read
    # (azurerm's association resources do) must not freeze them.
    props.pop("ipConfigurations", None)
    prefixes = props.get("addressPrefixes") or (
        [props["addressPrefix"]] if props.get("addressPrefix") else []
    )
    if not prefixes:
        raise ArmError(
            400,
            "NetcfgInvalidSubnet",
            f"Subnet '{body['name']}' is not valid in virtual network: it has no address prefix.",
        )
    for p in prefixes:
        addr.network(p, body["id"])
    set_default(props, "privateEndpointNetworkPolicies", "Disabled")
    set_default(props, "privateLinkServiceNetworkPolicies", "Enabled")
    set_default(props, "delegations", [])
    set_default(props, "serviceEndpoints", [])


def _decorate_subnet(tx: Tx, body: Body) -> None:
    configs = []
    for referrer in tx.referrers(body["id"]):
        for item in dig(referrer, "properties.ipConfigurations") or []:
            if (dig(item, "properties.subnet.id") or "").lower() == body["id"].lower():
                configs.append({"id": item["id"]})
    if configs:
        body["properties"]["ipConfigurations"] = configs


def subnets_using(tx: Tx, resource_id: str, key: str) -> list[Body]:
    """References to the subnets whose ``properties[key]`` is ``resource_id`` (an NSG, a route table…)."""
    subnets = []
    for referrer in tx.referrers(resource_id):
        for subnet in dig(referrer, "properties.subnets") or []:
            if (dig(subnet, f"properties.{key}.id") or "").lower() == resource_id.lower():
                subnets.append({"id": subnet["id"]})
    return subnets


SUBNET = child_type(
    "Microsoft.Network/virtualNetworks",
    "subnets",
    versions.NETWORK,
    refs=("properties.networkSecurityGroup.id", "properties.routeTable.id", "properties.natGateway.id"),
    in_use_code="InUseSubnetCannotBeDeleted",
    prepare=_prepare_subnet,
    decorate=_decorate_subnet,
)


def _prepare(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    space = dig(props, "addressSpace.addressPrefixes")
    if not isinstance(space, list) or not space:
        raise ArmError(
            400,
            "InvalidRequestFormat",
            "Cannot parse the request: addressSpace.addressPrefixes must be a non-empty array.",
        )
    networks = [addr.network(p, body["id"]) for p in space]
    subnet_nets = []
    for subnet in props.get("subnets", []):
        sp = subnet["properties"]
        for p in sp.get("addressPrefixes") or [sp.get("addressPrefix")]:
            net = addr.network(p, subnet["id"])
            if not any(net.subnet_of(n) for n in networks):
                raise ArmError(
                    400,
                    "NetcfgSubnetRangeOutsideVnet",
                    f"Subnet '{subnet['name']}' is not valid because its IP address range is outside the IP "
                    f"address range of virtual network '{body['name']}'.",
                )
            subnet_nets.append((subnet["name"], net))
    for (a, na), (b, nb) in itertools.combinations(subnet_nets, 2):
        if na.overlaps(nb):
            raise ArmError(
                400,
                "NetcfgSubnetRangesOverlap",
                f"Subnet '{a}' is not valid because its IP address range overlaps with that of subnet '{b}'.",
            )
    set_default(props, "dhcpOptions", {"dnsServers": []})
    set_default(props, "enableDdosProtection", False)
    set_default(props, "virtualNetworkPeerings", [])
    props["resourceGuid"] = dig(old, "properties.resourceGuid") if old else tx.guid()


TYPE = ResourceType(
    type_name="Microsoft.Network/virtualNetworks",
    api_versions=versions.NETWORK,
    children=(SUBNET,),
    in_use_code="InUseSubnetCannotBeDeleted",
    etag=True,
    prepare=_prepare,
)
