"""Address arithmetic shared by the network types: CIDRs, containment, private and public IPs."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable

from sandbox.arm.errors import ArmError

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
