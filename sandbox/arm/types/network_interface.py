"""Microsoft.Network/networkInterfaces (ip configurations are read-only children, as in ARM)."""

from __future__ import annotations

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

_VM_TYPE = "Microsoft.Compute/virtualMachines"


def _prepare_ip_configuration(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    subnet_id = require(body, "properties.subnet.id")
    method = one_of(body, "properties.privateIPAllocationMethod", ("Dynamic", "Static"), default="Dynamic")
    one_of(body, "properties.privateIPAddressVersion", ("IPv4", "IPv6"), default="IPv4")
    set_default(props, "primary", False)
    addr.assign_private_ip(tx, body, old, subnet_id, method, "IP configuration")


IP_CONFIGURATION = child_type(
    "Microsoft.Network/networkInterfaces",
    "ipConfigurations",
    versions.NETWORK,
    read_only_child=True,
    refs=(
        "properties.subnet.id",
        "properties.publicIPAddress.id",
        "properties.loadBalancerBackendAddressPools[*].id",
        "properties.loadBalancerInboundNatRules[*].id",
    ),
    prepare=_prepare_ip_configuration,
)


# Read-only properties ARM derives (here: at read time, from the VM that uses the NIC). A client that PUTs
# back what it read sends them too; ARM ignores them, and so must we, or they would outlive the VM.
_DERIVED = ("virtualMachine", "macAddress", "primary")


def _prepare(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    for key in _DERIVED:
        props.pop(key, None)
    configs = props.get("ipConfigurations") or []
    if not configs:
        raise ArmError(
            400,
            "NetworkInterfaceMustHaveAtLeastOneIpConfiguration",
            f"Network interface {body['id']} must have one or more IP configurations.",
        )
    primaries = [c for c in configs if c["properties"].get("primary")]
    if not primaries:
        configs[0]["properties"]["primary"] = True
    elif len(primaries) > 1:
        raise ArmError(
            400,
            "NetworkInterfaceMustHaveOnePrimaryIpConfiguration",
            f"Network interface {body['id']} must have exactly one primary IP configuration.",
        )
    subnets = {(dig(c, "properties.subnet.id") or "").rsplit("/subnets/", 1)[0].lower() for c in configs}
    if len(subnets) > 1:
        raise ArmError(
            400,
            "IpConfigurationsOnSameNicCannotUseDifferentVnets",
            f"IP configurations on network interface {body['id']} must all be in the same virtual network.",
        )
    set_default(props, "enableAcceleratedNetworking", False)
    set_default(props, "enableIPForwarding", False)
    set_default(props, "disableTcpStateTracking", False)
    set_default(props, "nicType", "Standard")
    set_default(props, "auxiliaryMode", "None")
    dns = props.get("dnsSettings") or {}
    props["dnsSettings"] = {
        "dnsServers": dns.get("dnsServers") or [],
        "appliedDnsServers": dns.get("dnsServers") or [],
        "internalDomainNameSuffix": f"{body['id'].split('/')[2][:8]}.internal.cloudapp.net",
        **({"internalDnsNameLabel": dns["internalDnsNameLabel"]} if dns.get("internalDnsNameLabel") else {}),
    }
    props["resourceGuid"] = dig(old, "properties.resourceGuid") if old else tx.guid()


def _decorate(tx: Tx, body: Body) -> None:
    for referrer in tx.referrers(body["id"]):
        if referrer.get("type") == _VM_TYPE:
            body["properties"]["virtualMachine"] = {"id": referrer["id"]}
            body["properties"]["macAddress"] = addr.mac_for(body["id"])
            body["properties"]["primary"] = True
            return


TYPE = ResourceType(
    type_name="Microsoft.Network/networkInterfaces",
    api_versions=versions.NETWORK,
    children=(IP_CONFIGURATION,),
    refs=("properties.networkSecurityGroup.id",),
    in_use_code="NicInUse",
    etag=True,
    prepare=_prepare,
    decorate=_decorate,
)
