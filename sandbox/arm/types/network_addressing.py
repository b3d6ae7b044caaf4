"""Address arithmetic shared by the network types: CIDRs, containment, private and public IPs."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable

from sandbox.arm.errors import ArmError
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import Tx
from sandbox.arm.types.base import dig
from sandbox.arm.types.base import require

# Azure reserves the network address, the gateway and two DNS addresses in every subnet.
_RESERVED_LOW = 4


def network(prefix: object, target: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(str(prefix), strict=True)
    except ValueError:
        raise ArmError(
            400,
            "InvalidCIDRNotation",
            f"The address prefix {prefix} in resource {target} has an invalid CIDR notation.",
        ) from None


def contains(prefix: str, ip: str, target: str) -> bool:
    try:
        return ipaddress.IPv4Address(ip) in network(prefix, target)
    except ValueError:
        raise ArmError(
            400, "InvalidPrivateIPAddress", f"{ip} is not a valid IP address in {target}."
        ) from None


def allocate(prefix: str, used: Iterable[str], target: str) -> str:
    """The lowest free address of a subnet, after Azure's reserved ones."""
    net = network(prefix, target)
    taken = set(used)
    hosts = list(net.hosts())
    for host in hosts[_RESERVED_LOW - 1 : -1]:
        if str(host) not in taken:
            return str(host)
    raise ArmError(
        400,
        "SubnetIsFull",
        f"Subnet with address prefix {prefix} does not have enough capacity for {target}.",
    )


def public_ip_for(resource_id: str) -> str:
    """A stable public address for a public IP resource (hash of its id, in 20.0.0.0/8)."""
    digest = hashlib.sha256(resource_id.lower().encode()).digest()
    return f"20.{digest[0]}.{digest[1]}.{max(digest[2], 1) % 255 or 1}"


def mac_for(resource_id: str) -> str:
    digest = hashlib.sha256(resource_id.lower().encode()).hexdigest()
    return "00-0D-3A-" + "-".join(digest[i : i + 2].upper() for i in (0, 2, 4))


def assign_private_ip(
    tx: Tx, body: Body, old: Body | None, subnet_id: str, method: str | None, what: str
) -> None:
    """The private address of an IP configuration in a subnet (a NIC's, a load balancer frontend's).

    Static is checked against the subnet and every address in use there; Dynamic keeps its address
    while it stays in the same subnet, else takes the lowest free one.
    """
    props = body["properties"]
    subnet = tx.get(subnet_id)
    if subnet is None:
        return  # the engine's reference check answers with the exact error
    prefix = (
        dig(subnet, "properties.addressPrefix") or (dig(subnet, "properties.addressPrefixes") or [None])[0]
    )
    used = _used_addresses(tx, subnet_id, body["id"])
    if method == "Static":
        ip = require(body, "properties.privateIPAddress")
        if not contains(prefix, ip, subnet_id):
            raise ArmError(
                400,
                "PrivateIPAddressNotInSubnet",
                f"{what} {body['id']} is referencing private IP address {ip} which is not in the subnet "
                f"{subnet_id}.",
            )
        if ip in used:
            raise ArmError(
                400,
                "PrivateIPAddressInUse",
                f"{what} {body['id']} is using the private IP address {ip} which is already allocated to "
                "another resource.",
            )
        return
    previous_ip = dig(old, "properties.privateIPAddress")
    same_subnet = (dig(old, "properties.subnet.id") or "").lower() == subnet_id.lower()
    if previous_ip and same_subnet and previous_ip not in used:
        props["privateIPAddress"] = previous_ip
    else:
        props["privateIPAddress"] = allocate(prefix, used, body["id"])


def _used_addresses(tx: Tx, subnet_id: str, except_config: str) -> set[str]:
    """Private addresses taken in a subnet, by NIC IP configurations and load balancer frontends alike."""
    used = set()
    for referrer in tx.referrers(subnet_id):
        props = referrer.get("properties") or {}
        for item in (props.get("ipConfigurations") or []) + (props.get("frontendIPConfigurations") or []):
            if item["id"].lower() == except_config.lower():
                continue
            if (dig(item, "properties.subnet.id") or "").lower() == subnet_id.lower():
                used.add(dig(item, "properties.privateIPAddress"))
    return used
