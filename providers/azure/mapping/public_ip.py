"""azurerm_public_ip ↔ Microsoft.Network/publicIPAddresses."""

from __future__ import annotations

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import case_insensitive
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import location
from providers.azure.mapping.schema import name
from providers.azure.mapping.schema import resource_group_name
from providers.azure.mapping.schema import tags

API_VERSION = "2024-05-01"
PUBLIC_IP = "Microsoft.Network/publicIPAddresses"
DDOS_DEFAULT = "VirtualNetworkInherited"


def _id(attrs: Attrs, sub: str) -> str:
    return ids.resource_id(sub, attrs["resource_group_name"], PUBLIC_IP, attrs["name"])


def _to_arm(attrs: Attrs, current: Body | None) -> Body:
    ddos: Body = {"protectionMode": attrs.get("ddos_protection_mode") or DDOS_DEFAULT}
    if attrs.get("ddos_protection_plan_id"):
        ddos["ddosProtectionPlan"] = {"id": attrs["ddos_protection_plan_id"]}
    props: Body = {
        "publicIPAllocationMethod": attrs["allocation_method"],
        "publicIPAddressVersion": attrs.get("ip_version") or "IPv4",
        "idleTimeoutInMinutes": attrs.get("idle_timeout_in_minutes") or 4,
        "ddosSettings": ddos,
    }
    dns = {
        key: attrs[attr]
        for attr, key in (
            ("domain_name_label", "domainNameLabel"),
            ("domain_name_label_scope", "domainNameLabelScope"),
            ("reverse_fqdn", "reverseFqdn"),
        )
        if attrs.get(attr)
    }
    if dns:
        props["dnsSettings"] = dns
    if attrs.get("public_ip_prefix_id"):
        props["publicIPPrefix"] = {"id": attrs["public_ip_prefix_id"]}
    if attrs.get("ip_tags"):
        props["ipTags"] = [{"ipTagType": k, "tag": v} for k, v in sorted(attrs["ip_tags"].items())]
    body: Body = {
        "location": attrs["location"],
        "tags": attrs.get("tags") or {},
        "sku": {"name": attrs.get("sku") or "Standard", "tier": attrs.get("sku_tier") or "Regional"},
        "properties": props,
    }
    if attrs.get("zones"):
        body["zones"] = sorted(attrs["zones"])
    if attrs.get("edge_zone"):
        body["extendedLocation"] = {"name": attrs["edge_zone"], "type": "EdgeZone"}
    return body


def _from_arm(body: Body, prior: Attrs | None) -> Attrs:
    props = body.get("properties") or {}
    sku = body.get("sku") or {}
    dns = props.get("dnsSettings") or {}
    ddos = props.get("ddosSettings") or {}
    edge = body.get("extendedLocation") or {}
    return {
        **ids.located(body, PUBLIC_IP),
        "allocation_method": props.get("publicIPAllocationMethod"),
        "ddos_protection_mode": ddos.get("protectionMode") or DDOS_DEFAULT,
        "ddos_protection_plan_id": (ddos.get("ddosProtectionPlan") or {}).get("id"),
        "domain_name_label": dns.get("domainNameLabel") or None,
        "domain_name_label_scope": dns.get("domainNameLabelScope") or None,
        "edge_zone": edge.get("name") if edge.get("type") == "EdgeZone" else None,
        "fqdn": dns.get("fqdn") or None,
        "idle_timeout_in_minutes": props.get("idleTimeoutInMinutes"),
        "ip_address": props.get("ipAddress") or None,
        "ip_tags": {t["ipTagType"]: t.get("tag") for t in props.get("ipTags") or [] if t.get("ipTagType")},
        "ip_version": props.get("publicIPAddressVersion"),
        "public_ip_prefix_id": (props.get("publicIPPrefix") or {}).get("id"),
        "reverse_fqdn": dns.get("reverseFqdn") or None,
        "sku": sku.get("name"),
        "sku_tier": sku.get("tier"),
        "zones": sorted(body.get("zones") or []),
        "tags": body.get("tags") or {},
    }


def _validate(config: Attrs) -> list[tuple[str, str]]:
    problems = []
    timeout = config.get("idle_timeout_in_minutes")
    if isinstance(timeout, int | float) and not 4 <= timeout <= 30:
        problems.append(
            (
                "idle_timeout_in_minutes",
                f"expected idle_timeout_in_minutes to be in the range (4 - 30), got {timeout}",
            )
        )
    # azurerm's CustomizeDiff checks, made on the configuration (an unset sku is the default Standard)
    sku, method = config.get("sku"), config.get("allocation_method")
    if isinstance(method, str) and (sku is None or sku in ("Standard", "StandardV2")) and method != "Static":
        problems.append(
            (
                "allocation_method",
                "`allocation_method` must be set to `Static` when `sku` is set to `Standard` or `StandardV2`",
            )
        )
    if config.get("sku_tier") == "Global" and isinstance(sku, str) and sku != "Standard":
        problems.append(("sku_tier", "`sku` must be set to `Standard` when `sku_tier` is set to `Global`"))
    plan_id, mode = config.get("ddos_protection_plan_id"), config.get("ddos_protection_mode")
    if (
        isinstance(plan_id, str)
        and plan_id
        and isinstance(mode, str | None)
        and (mode or "").lower() != "enabled"
    ):
        problems.append(
            (
                "ddos_protection_plan_id",
                "ddos protection plan id can only be set when ddos protection is enabled",
            )
        )
    return problems


MAPPING = Mapping(
    tf_type="azurerm_public_ip",
    arm_type=PUBLIC_IP,
    api_version=API_VERSION,
    schema=(
        id_attr(),
        name(),
        resource_group_name(),
        location(),
        Attr("allocation_method", required=True, one_of=("Static", "Dynamic")),
        Attr(
            "ddos_protection_mode",
            optional=True,
            default=DDOS_DEFAULT,
            one_of=("Disabled", "Enabled", "VirtualNetworkInherited"),
        ),
        Attr("ddos_protection_plan_id", optional=True, normalize=case_insensitive),
        Attr("domain_name_label", optional=True),
        # azurerm replaces the IP when a scope is changed or removed, not when one is first set
        Attr(
            "domain_name_label_scope",
            optional=True,
            one_of=("NoReuse", "ResourceGroupReuse", "SubscriptionReuse", "TenantReuse"),
        ),
        Attr("edge_zone", optional=True, force_new=True),
        Attr("fqdn", computed=True),
        Attr("idle_timeout_in_minutes", Kind.NUMBER, optional=True, default=4),
        Attr("ip_address", computed=True),
        Attr("ip_tags", Kind.MAP_STRING, optional=True, force_new=True),
        Attr("ip_version", optional=True, default="IPv4", force_new=True, one_of=("IPv4", "IPv6")),
        Attr("public_ip_prefix_id", optional=True, force_new=True, normalize=case_insensitive),
        Attr("reverse_fqdn", optional=True),
        Attr(
            "sku",
            optional=True,
            default="Standard",
            force_new=True,
            one_of=("Basic", "Standard", "StandardV2"),
        ),
        Attr("sku_tier", optional=True, default="Regional", force_new=True, one_of=("Global", "Regional")),
        Attr("zones", Kind.SET_STRING, optional=True, force_new=True),
        tags(),
    ),
    id_of=_id,
    to_arm=_to_arm,
    from_arm=_from_arm,
    validate=_validate,
)
