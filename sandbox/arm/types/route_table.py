"""Microsoft.Network/routeTables and their routes (writable alone or through the table, as in ARM)."""

from __future__ import annotations

import ipaddress
import re

from sandbox.arm.errors import ArmError
from sandbox.arm.types import versions
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType
from sandbox.arm.types.base import Tx
from sandbox.arm.types.base import child_type
from sandbox.arm.types.base import dig
from sandbox.arm.types.base import one_of
from sandbox.arm.types.base import require
from sandbox.arm.types.base import set_default
from sandbox.arm.types.network_addressing import network
from sandbox.arm.types.virtual_network import subnets_using

NEXT_HOP_TYPES = ("VirtualNetworkGateway", "VnetLocal", "Internet", "VirtualAppliance", "None")
# A route's prefix is a CIDR or a service tag (``AzureCloud``, ``Storage.WestEurope``).
_SERVICE_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9.]*$")


def _prepare_route(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    prefix = require(body, "properties.addressPrefix")
    if not _SERVICE_TAG.match(str(prefix)):
        network(prefix, body["id"])
    hop = one_of(body, "properties.nextHopType", NEXT_HOP_TYPES)
    require(body, "properties.nextHopType")
    address = props.get("nextHopIpAddress")
    if hop == "VirtualAppliance":
        if not address:
            raise ArmError(
                400,
                "NextHopIpAddressRequired",
                f"NextHopIpAddress cannot be Null or Empty in route {body['id']} when NextHopType is "
                "VirtualAppliance.",
            )
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ArmError(
                400,
                "InvalidNextHopIpAddress",
                f"The next hop IP address {address} of route {body['id']} is not a valid IP address.",
            ) from None
    elif address:
        raise ArmError(
            400,
            "NextHopIpAddressNotAllowed",
            f"NextHopIpAddress is not allowed in route {body['id']} when NextHopType is {hop}.",
        )
    set_default(props, "hasBgpOverride", False)


ROUTE = child_type("Microsoft.Network/routeTables", "routes", versions.NETWORK, prepare=_prepare_route)


def _prepare(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    # Read-only, derived at read time from the subnets that use the table (see _decorate).
    props.pop("subnets", None)
    set_default(props, "disableBgpRoutePropagation", False)
    props["resourceGuid"] = dig(old, "properties.resourceGuid") if old else tx.guid()


def _decorate(tx: Tx, body: Body) -> None:
    subnets = subnets_using(tx, body["id"], "routeTable")
    if subnets:
        body["properties"]["subnets"] = subnets


TYPE = ResourceType(
    type_name="Microsoft.Network/routeTables",
    api_versions=versions.NETWORK,
    children=(ROUTE,),
    in_use_code="InUseRouteTableCannotBeDeleted",
    etag=True,
    prepare=_prepare,
    decorate=_decorate,
)
