"""Microsoft.Network/publicIPAddresses."""

from __future__ import annotations

from sandbox.arm.errors import ArmError
from sandbox.arm.types import network_addressing as addr
from sandbox.arm.types import versions
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType
from sandbox.arm.types.base import Tx
from sandbox.arm.types.base import dig
from sandbox.arm.types.base import one_of
from sandbox.arm.types.base import set_default

_NAT_GATEWAY = "Microsoft.Network/natGateways"


def _prepare(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    sku = one_of(body, "sku.name", ("Basic", "Standard"), default="Standard")
    one_of(body, "sku.tier", ("Regional", "Global"), default="Regional")
    method = one_of(body, "properties.publicIPAllocationMethod", ("Static", "Dynamic"), default="Static")
    if sku == "Standard" and method != "Static":
        raise ArmError(
            400,
            "StandardSkuPublicIPAddressesMustBeStatic",
            f"Standard sku publicIp {body['id']} must have AllocationMethod set to Static.",
        )
    one_of(body, "properties.publicIPAddressVersion", ("IPv4", "IPv6"), default="IPv4")
    set_default(props, "idleTimeoutInMinutes", 4)
    timeout = props["idleTimeoutInMinutes"]
    if not isinstance(timeout, int) or not 4 <= timeout <= 30:
        raise ArmError(
            400,
            "PublicIPIdleTimeoutIsOutOfRange",
            f"IdleTimeoutInMinutes of publicIPAddress {body['id']} is {timeout} but must be between 4 "
            "and 30.",
        )
    set_default(props, "ipTags", [])
    # Read-only: the associations are derived at read time, the address and FQDN are ARM's to choose. A client
    # PUTting back what it read sends them too, and a stale FQDN must not outlive its label.
    props.pop("ipConfiguration", None)
    props.pop("natGateway", None)
    props["ipAddress"] = addr.public_ip_for(body["id"])
    dns = props.get("dnsSettings")
    if isinstance(dns, dict):
        dns.pop("fqdn", None)
        if dns.get("domainNameLabel"):
            dns["fqdn"] = f"{dns['domainNameLabel']}.{body['location']}.cloudapp.azure.com"
    props["resourceGuid"] = dig(old, "properties.resourceGuid") if old else tx.guid()


def _decorate(tx: Tx, body: Body) -> None:
    for referrer in tx.referrers(body["id"]):
        props = referrer.get("properties", {})
        if referrer.get("type") == _NAT_GATEWAY:
            body["properties"]["natGateway"] = {"id": referrer["id"]}
            return
        for item in props.get("ipConfigurations", []) + props.get("frontendIPConfigurations", []):
            if (dig(item, "properties.publicIPAddress.id") or "").lower() == body["id"].lower():
                body["properties"]["ipConfiguration"] = {"id": item["id"]}
                return


TYPE = ResourceType(
    type_name="Microsoft.Network/publicIPAddresses",
    api_versions=versions.NETWORK,
    immutable=("properties.publicIPAddressVersion", "sku.tier"),
    in_use_code="PublicIPAddressCannotBeDeleted",
    etag=True,
    prepare=_prepare,
    decorate=_decorate,
)
