"""azurerm_network_security_group and azurerm_network_security_rule ↔ Microsoft.Network/networkSecurityGroups.

A group's rules are both an inline ``security_rule`` set (Optional+Computed, so rules written as
``azurerm_network_security_rule`` resources show up there without a diff) and ARM child resources at
``.../networkSecurityGroups/{nsg}/securityRules/{name}``, which is what the standalone resource manages.
"""

from __future__ import annotations

from typing import Any

from tf.types import Unknown

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Echo
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.child import child_mapping
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import element_problems
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import location
from providers.azure.mapping.schema import name
from providers.azure.mapping.schema import resource_group_name
from providers.azure.mapping.schema import tags

API_VERSION = "2024-05-01"
NSG = "Microsoft.Network/networkSecurityGroups"
RULE = "Microsoft.Network/networkSecurityGroups/securityRules"

PROTOCOLS = ("*", "Tcp", "Udp", "Icmp", "Ah", "Esp")
ACCESSES = ("Allow", "Deny")
DIRECTIONS = ("Inbound", "Outbound")

# (attribute, ARM property) for the scalar and list fields of a rule
_STRINGS = (
    ("description", "description"),
    ("source_port_range", "sourcePortRange"),
    ("destination_port_range", "destinationPortRange"),
    ("source_address_prefix", "sourceAddressPrefix"),
    ("destination_address_prefix", "destinationAddressPrefix"),
)
_LISTS = (
    ("source_port_ranges", "sourcePortRanges"),
    ("destination_port_ranges", "destinationPortRanges"),
    ("source_address_prefixes", "sourceAddressPrefixes"),
    ("destination_address_prefixes", "destinationAddressPrefixes"),
)
_GROUPS = (
    ("source_application_security_group_ids", "sourceApplicationSecurityGroups"),
    ("destination_application_security_group_ids", "destinationApplicationSecurityGroups"),
)
# pairs where azurerm accepts only one of the singular and the plural spelling
_CONFLICTS = (
    ("source_port_range", "source_port_ranges"),
    ("destination_port_range", "destination_port_ranges"),
    ("source_address_prefix", "source_address_prefixes"),
    ("destination_address_prefix", "destination_address_prefixes"),
)


def _rule_items() -> tuple[Item, ...]:
    return (
        Attr("description", optional=True),
        Attr("protocol", required=True, one_of=PROTOCOLS),
        Attr("source_port_range", optional=True),
        Attr("source_port_ranges", Kind.SET_STRING, optional=True),
        Attr("destination_port_range", optional=True),
        Attr("destination_port_ranges", Kind.SET_STRING, optional=True),
        Attr("source_address_prefix", optional=True),
        Attr("source_address_prefixes", Kind.SET_STRING, optional=True),
        Attr("destination_address_prefix", optional=True),
        Attr("destination_address_prefixes", Kind.SET_STRING, optional=True),
        Attr("source_application_security_group_ids", Kind.SET_STRING, optional=True),
        Attr("destination_application_security_group_ids", Kind.SET_STRING, optional=True),
        Attr("access", required=True, one_of=ACCESSES),
        Attr("priority", Kind.NUMBER, required=True),
        Attr("direction", required=True, one_of=DIRECTIONS),
    )


def rule_properties(attrs: Attrs) -> Body:
    """The ARM ``properties`` of a rule; unset fields are left out rather than sent empty."""
    props: Body = {
        "protocol": attrs.get("protocol"),
        "access": attrs.get("access"),
        "priority": attrs.get("priority"),
        "direction": attrs.get("direction"),
    }
    for attr, key in _STRINGS:
        if attrs.get(attr):
            props[key] = attrs[attr]
    for attr, key in _LISTS:
        if attrs.get(attr):
            props[key] = sorted(attrs[attr])
    for attr, key in _GROUPS:
        if attrs.get(attr):
            props[key] = [{"id": i} for i in sorted(attrs[attr])]
    return props


def rule_attrs(body: Body) -> Attrs:
    """A rule's attributes from its ARM body (inline in the group or read as a child resource)."""
    props = body.get("properties") or {}
    protocol = props.get("protocol")
    # ARM may answer in another casing (azurerm issue 16092); azurerm maps it back to its enum spelling.
    canonical = {p.lower(): p for p in PROTOCOLS}
    out: Attrs = {
        "name": body["name"],
        "protocol": canonical.get(protocol.lower(), protocol) if isinstance(protocol, str) else protocol,
        "access": props.get("access"),
        "priority": props.get("priority"),
        "direction": props.get("direction"),
    }
    for attr, key in _STRINGS:
        out[attr] = props.get(key) or None
    for attr, key in _LISTS:
        out[attr] = sorted(props.get(key) or [])
    for attr, key in _GROUPS:
        out[attr] = sorted(g["id"] for g in props.get(key) or [] if g.get("id"))
    return out


def rule_problems(rule: Attrs) -> list[tuple[str, str]]:
    """What azurerm refuses in a rule before calling ARM besides its enums, as (attribute, message).

    The enums are declared on the attributes; they are case-sensitive: ``TCP`` is refused although ARM
    would take it.
    """
    problems = []
    priority = rule.get("priority")
    if isinstance(priority, int | float) and not 100 <= priority <= 4096:
        problems.append(("priority", f"expected priority to be in the range (100 - 4096), got {priority}"))
    description = rule.get("description")
    if isinstance(description, str) and len(description) > 140:
        problems.append(("description", "expected length of description to be in the range (0 - 140)"))
    for single, plural in _CONFLICTS:
        if _given(rule.get(single)) and _given(rule.get(plural)):
            problems.append((single, f'only one of "{single}" and "{plural}" can be used per security rule'))
    return problems


def _given(value: Any) -> bool:
    """Set to something (SDKv2 defers its checks on unknown values, and an empty set is no value)."""
    return value is not Unknown and value not in (None, "", [])


# -- azurerm_network_security_group ------------------------------------------------------------------


# azurerm: a TypeSet in ConfigModeAttr. Here a set-nested computed block: block syntax works the same,
# but the attribute form (``security_rule = []`` to remove every rule) is not available.
_SECURITY_RULE = Block(
    "security_rule",
    (Attr("name", required=True), *_rule_items()),
    set_nested=True,
    computed=True,
    key="name",
)


def _nsg_id(attrs: Attrs, sub: str) -> str:
    return ids.resource_id(sub, attrs["resource_group_name"], NSG, attrs["name"])


def _nsg_to_arm(attrs: Attrs, current: Body | None) -> Body:
    rules = [{"name": r["name"], "properties": rule_properties(r)} for r in attrs.get("security_rule") or []]
    return {
        "location": attrs["location"],
        "tags": attrs.get("tags") or {},
        "properties": {"securityRules": rules},
    }


def _nsg_update(prior: Attrs, planned: Attrs, current: Body) -> Body:
    """azurerm 4.x updates the live group, replacing its rules only when ``security_rule`` changed.

    Rules left out of the configuration plan as the prior state's: sending those would bring back a rule
    an ``azurerm_network_security_rule`` deleted earlier in the same apply.
    """
    body = _nsg_to_arm(planned, current)
    if _rules_key(prior.get("security_rule")) == _rules_key(planned.get("security_rule")):
        live = (current.get("properties") or {}).get("securityRules") or []
        body["properties"]["securityRules"] = [
            {"name": r["name"], "properties": r.get("properties") or {}} for r in live
        ]
    if (prior.get("tags") or {}) == (planned.get("tags") or {}):
        body["tags"] = current.get("tags") or {}
    return body


def _rules_key(rules: Any) -> list[tuple[str, Body]]:
    return sorted(((r["name"], rule_properties(r)) for r in rules or []), key=lambda pair: pair[0])


def _nsg_from_arm(body: Body, prior: Attrs | None) -> Attrs:
    props = body.get("properties") or {}
    rules = sorted((rule_attrs(r) for r in props.get("securityRules") or []), key=lambda r: r["name"])
    return {
        **ids.located(body, NSG),
        "security_rule": rules,
        "tags": body.get("tags") or {},
    }


NETWORK_SECURITY_GROUP = Mapping(
    tf_type="azurerm_network_security_group",
    arm_type=NSG,
    api_version=API_VERSION,
    schema=(id_attr(), name(), resource_group_name(), location(), _SECURITY_RULE, tags()),
    id_of=_nsg_id,
    to_arm=_nsg_to_arm,
    from_arm=_nsg_from_arm,
    validate=lambda config: element_problems(config, "security_rule", rule_problems),
    to_arm_update=_nsg_update,
    echoes=(
        Echo(
            "security_rule",
            "azurerm_network_security_rule",
            lambda nsg, r: f"{nsg}/securityRules/{r['name']}",
        ),
    ),
)


# -- azurerm_network_security_rule -------------------------------------------------------------------


def _rule_validate(config: Attrs) -> list[tuple[str, str]]:
    problems = rule_problems(config)
    for side in ("source", "destination"):
        group = (
            f"{side}_address_prefix",
            f"{side}_address_prefixes",
            f"{side}_application_security_group_ids",
        )
        given = [a for a in group if _given(config.get(a))]
        listed = ",".join(group)
        if not given and not any(config.get(a) is Unknown for a in group):
            problems.append((group[0], f"one of `{listed}` must be specified"))
        elif len(given) > 1:
            problems.append(
                (
                    given[0],
                    f"only one of `{listed}` can be specified, but `{','.join(given)}` were specified.",
                )
            )
    return problems


NETWORK_SECURITY_RULE = child_mapping(
    tf_type="azurerm_network_security_rule",
    arm_type=RULE,
    api_version=API_VERSION,
    parent_attr="network_security_group_name",
    items=_rule_items(),
    attrs_of=rule_attrs,
    to_arm=lambda attrs, current: {"properties": rule_properties(attrs)},
    validate=_rule_validate,
)
