"""Microsoft.Network/networkSecurityGroups and their security rules."""

from __future__ import annotations

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
from sandbox.arm.types.virtual_network import subnets_using

_DEFAULT_RULES = (
    ("AllowVnetInBound", "Inbound", "Allow", 65000, "VirtualNetwork", "VirtualNetwork"),
    ("AllowAzureLoadBalancerInBound", "Inbound", "Allow", 65001, "AzureLoadBalancer", "*"),
    ("DenyAllInBound", "Inbound", "Deny", 65500, "*", "*"),
    ("AllowVnetOutBound", "Outbound", "Allow", 65000, "VirtualNetwork", "VirtualNetwork"),
    ("AllowInternetOutBound", "Outbound", "Allow", 65001, "*", "Internet"),
    ("DenyAllOutBound", "Outbound", "Deny", 65500, "*", "*"),
)


def _prepare_rule(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    one_of(body, "properties.protocol", ("Tcp", "Udp", "Icmp", "Esp", "Ah", "*"))
    require(body, "properties.protocol")
    one_of(body, "properties.access", ("Allow", "Deny"))
    require(body, "properties.access")
    one_of(body, "properties.direction", ("Inbound", "Outbound"))
    require(body, "properties.direction")
    priority = require(body, "properties.priority")
    if not isinstance(priority, int) or not 100 <= priority <= 4096:
        raise ArmError(
            400,
            "SecurityRuleInvalidPriority",
            f"Security rule {body['name']} has invalid priority {priority}. Value provided: {priority}. "
            "Allowed range 100-4096.",
        )
    for side in ("source", "destination"):
        if not props.get(f"{side}PortRange") and not props.get(f"{side}PortRanges"):
            raise ArmError(
                400,
                "SecurityRuleParameterContainsUnsupportedValue",
                f"Security rule parameter {side}PortRange for rule with Id {body['id']} cannot be empty.",
            )
        has_prefix = (
            props.get(f"{side}AddressPrefix")
            or props.get(f"{side}AddressPrefixes")
            or props.get(f"{side}ApplicationSecurityGroups")
        )
        if not has_prefix:
            raise ArmError(
                400,
                "SecurityRuleParameterContainsUnsupportedValue",
                f"Security rule parameter {side}AddressPrefix for rule with Id {body['id']} cannot be empty.",
            )
        set_default(props, f"{side}PortRanges", [])
        set_default(props, f"{side}AddressPrefixes", [])


RULE = child_type(
    "Microsoft.Network/networkSecurityGroups", "securityRules", versions.NETWORK, prepare=_prepare_rule
)


def _prepare(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    # Read-only, derived at read time from the NICs and subnets that use the group: a client PUTting back
    # what it read must not freeze them.
    props.pop("networkInterfaces", None)
    props.pop("subnets", None)
    seen: dict[tuple[str, int], str] = {}
    for rule in props.get("securityRules", []):
        key = (rule["properties"]["direction"], rule["properties"]["priority"])
        if key in seen:
            raise ArmError(
                400,
                "SecurityRuleConflict",
                f"Security rule {rule['name']} conflicts with rule {seen[key]}. Rules cannot have the same "
                "Priority and Direction.",
            )
        seen[key] = rule["name"]
    props["defaultSecurityRules"] = [
        {
            "id": f"{body['id']}/defaultSecurityRules/{name}",
            "name": name,
            "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
            "properties": {
                "description": name,
                "protocol": "*",
                "sourcePortRange": "*",
                "destinationPortRange": "*",
                "sourceAddressPrefix": src,
                "destinationAddressPrefix": dst,
                "access": access,
                "priority": priority,
                "direction": direction,
                "sourcePortRanges": [],
                "destinationPortRanges": [],
                "sourceAddressPrefixes": [],
                "destinationAddressPrefixes": [],
                "provisioningState": "Succeeded",
            },
        }
        for name, direction, access, priority, src, dst in _DEFAULT_RULES
    ]
    props["resourceGuid"] = dig(old, "properties.resourceGuid") if old else tx.guid()


def _decorate(tx: Tx, body: Body) -> None:
    nics = [
        {"id": r["id"]}
        for r in tx.referrers(body["id"])
        if r.get("type") == "Microsoft.Network/networkInterfaces"
    ]
    subnets = subnets_using(tx, body["id"], "networkSecurityGroup")
    if nics:
        body["properties"]["networkInterfaces"] = nics
    if subnets:
        body["properties"]["subnets"] = subnets


TYPE = ResourceType(
    type_name="Microsoft.Network/networkSecurityGroups",
    api_versions=versions.NETWORK,
    children=(RULE,),
    in_use_code="InUseNetworkSecurityGroupCannotBeDeleted",
    etag=True,
    prepare=_prepare,
    decorate=_decorate,
)
