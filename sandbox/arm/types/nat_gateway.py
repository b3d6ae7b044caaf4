"""Microsoft.Network/natGateways: outbound NAT for subnets, through Standard public IPs it holds."""

from __future__ import annotations

from sandbox.arm.errors import ArmError
from sandbox.arm.types import versions
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType
from sandbox.arm.types.base import Tx
from sandbox.arm.types.base import dig
from sandbox.arm.types.base import one_of
from sandbox.arm.types.base import set_default
from sandbox.arm.types.base import walk_refs
from sandbox.arm.types.virtual_network import subnets_using

TYPE_NAME = "Microsoft.Network/natGateways"
_PUBLIC_IPS = "properties.publicIpAddresses[*].id"


def _prepare(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    # Read-only, derived at read time from the subnets that use the gateway (see _decorate).
    props.pop("subnets", None)
    one_of(body, "sku.name", ("Standard", "StandardV2"), default="Standard")
    set_default(props, "idleTimeoutInMinutes", 4)
    timeout = props["idleTimeoutInMinutes"]
    if not isinstance(timeout, int) or not 4 <= timeout <= 120:
        raise ArmError(
            400,
            "InvalidParameter",
            f"IdleTimeoutInMinutes of natGateway {body['id']} is {timeout} but must be between 4 and 120. "
            "Target: 'properties.idleTimeoutInMinutes'.",
        )
    set_default(props, "publicIpAddresses", [])
    set_default(props, "publicIpPrefixes", [])
    for public_ip_id in walk_refs(body, _PUBLIC_IPS):
        _check_public_ip(tx, body, public_ip_id)
    props["resourceGuid"] = dig(old, "properties.resourceGuid") if old else tx.guid()


def _check_public_ip(tx: Tx, body: Body, public_ip_id: str) -> None:
    public_ip = tx.get(public_ip_id)
    if public_ip is None:
        return  # the engine's reference check answers with the exact error
    if (dig(public_ip, "sku.name") or "Basic") == "Basic":
        raise ArmError(
            400,
            "PublicIpWithBasicSkuNotAllowedOnNatGateway",
            f"Resource {body['id']} is referencing public IP address {public_ip['id']} with Basic SKU. "
            "A NAT gateway can only use Standard SKU public IP addresses.",
        )
    for holder in tx.referrers(public_ip_id):
        if holder["id"].lower() != body["id"].lower() and _holds(holder, public_ip_id):
            raise ArmError(
                400,
                "PublicIPAddressInUse",
                f"Resource {body['id']} is referencing public IP address {public_ip['id']} that is already "
                f"allocated to resource {holder['id']}.",
            )


def _holds(resource: Body, public_ip_id: str) -> bool:
    """Whether a resource uses the public IP itself (a NIC, a load balancer frontend, a NAT gateway)."""
    paths = (
        _PUBLIC_IPS,
        "properties.ipConfigurations[*].properties.publicIPAddress.id",
        "properties.frontendIPConfigurations[*].properties.publicIPAddress.id",
    )
    return any(ref.lower() == public_ip_id.lower() for path in paths for ref in walk_refs(resource, path))


def _decorate(tx: Tx, body: Body) -> None:
    subnets = subnets_using(tx, body["id"], "natGateway")
    if subnets:
        body["properties"]["subnets"] = subnets


TYPE = ResourceType(
    type_name=TYPE_NAME,
    api_versions=versions.NETWORK,
    immutable=("sku.name", "zones"),
    refs=(_PUBLIC_IPS, "properties.publicIpPrefixes[*].id"),
    in_use_code="InUseNatGatewayCannotBeDeleted",
    etag=True,
    prepare=_prepare,
    decorate=_decorate,
)
