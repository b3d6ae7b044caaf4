"""azurerm_storage_account ↔ Microsoft.Storage/storageAccounts.

The management-plane part of the account (4.x names and defaults). The access keys and connection
strings come from ``POST .../listKeys``, as azurerm reads them; the data-plane blocks (``blob_properties``,
``queue_properties``, ``share_properties``, ``static_website``) are not mapped.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from tf.types import Unknown

from providers.azure.mapping import ids
from providers.azure.mapping.base import LOOKUPS
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Lookup
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import location
from providers.azure.mapping.schema import name
from providers.azure.mapping.schema import resource_group_name
from providers.azure.mapping.schema import tags

API_VERSION = "2023-05-01"
ACCOUNT = "Microsoft.Storage/storageAccounts"

KINDS = ("BlobStorage", "BlockBlobStorage", "FileStorage", "Storage", "StorageV2")
TIERS = ("Standard", "Premium")
REPLICATION_TYPES = ("LRS", "ZRS", "GRS", "RAGRS", "GZRS", "RAGZRS")
ACCESS_TIERS = ("Hot", "Cool", "Cold", "Premium")
TLS_VERSIONS = ("TLS1_0", "TLS1_1", "TLS1_2")
_KEY_TYPES = ("Service", "Account")
#: account kinds that take an access tier
_TIERED_KINDS = ("BlobStorage", "FileStorage", "StorageV2")
_NAME = re.compile(r"^[a-z0-9]{3,24}$")
_SERVICES = ("blob", "queue", "table", "file", "dfs", "web")
#: the routing-preference endpoints ARM publishes per service (internet routing, Microsoft routing)
_ROUTED = {
    "blob": ("internet", "microsoft"),
    "queue": ("microsoft",),
    "table": ("microsoft",),
    "file": ("internet", "microsoft"),
    "dfs": ("internet", "microsoft"),
    "web": ("internet", "microsoft"),
}
_KEYS = "keys"

_NETWORK_RULES = Block(
    "network_rules",
    (
        Attr("default_action", required=True),
        Attr("bypass", Kind.SET_STRING, optional=True, computed=True),
        Attr("ip_rules", Kind.SET_STRING, optional=True, computed=True),
        Attr("virtual_network_subnet_ids", Kind.SET_STRING, optional=True, computed=True),
        Block(
            "private_link_access",
            (
                Attr("endpoint_resource_id", required=True),
                Attr("endpoint_tenant_id", optional=True, computed=True),
            ),
        ),
    ),
    max_items=1,
    computed=True,
)


def _id(attrs: Attrs, sub: str) -> str:
    return ids.resource_id(sub, attrs["resource_group_name"], ACCOUNT, attrs["name"])


# -- to ARM ------------------------------------------------------------------------------------------


def _to_arm(attrs: Attrs, current: Body | None) -> Body:
    kind = attrs.get("account_kind") or "StorageV2"
    props: Body = {
        "supportsHttpsTrafficOnly": attrs.get("https_traffic_only_enabled") is not False,
        "minimumTlsVersion": attrs.get("min_tls_version") or "TLS1_2",
        "allowBlobPublicAccess": attrs.get("allow_nested_items_to_be_public") is not False,
        "allowSharedKeyAccess": attrs.get("shared_access_key_enabled") is not False,
        "publicNetworkAccess": "Disabled"
        if attrs.get("public_network_access_enabled") is False
        else "Enabled",
        "allowCrossTenantReplication": bool(attrs.get("cross_tenant_replication_enabled")),
        "defaultToOAuthAuthentication": bool(attrs.get("default_to_oauth_authentication")),
        "isHnsEnabled": bool(attrs.get("is_hns_enabled")),
        "isNfsV3Enabled": bool(attrs.get("nfsv3_enabled")),
        "isSftpEnabled": bool(attrs.get("sftp_enabled")),
        "isLocalUserEnabled": attrs.get("local_user_enabled") is not False,
        "dnsEndpointType": attrs.get("dns_endpoint_type") or "Standard",
        "encryption": {
            "keySource": "Microsoft.Storage",
            "requireInfrastructureEncryption": bool(attrs.get("infrastructure_encryption_enabled")),
            "services": {
                "blob": {"enabled": True, "keyType": "Account"},
                "file": {"enabled": True, "keyType": "Account"},
                "queue": {"keyType": attrs.get("queue_encryption_key_type") or "Service"},
                "table": {"keyType": attrs.get("table_encryption_key_type") or "Service"},
            },
        },
        "networkAcls": _network_acls(attrs.get("network_rules") or []),
    }
    if kind in _TIERED_KINDS:
        props["accessTier"] = attrs.get("access_tier") or "Hot"
    if attrs.get("large_file_share_enabled") is not None:
        props["largeFileSharesState"] = "Enabled" if attrs["large_file_share_enabled"] else "Disabled"
    if attrs.get("allowed_copy_scope"):
        props["allowedCopyScope"] = attrs["allowed_copy_scope"]
    return {
        "location": attrs["location"],
        "tags": attrs.get("tags") or {},
        "kind": kind,
        "sku": {"name": f"{attrs['account_tier']}_{attrs['account_replication_type']}"},
        "properties": props,
    }


def _network_acls(blocks: list[Any]) -> Body:
    if not blocks or not blocks[0]:
        return {"defaultAction": "Allow", "bypass": "AzureServices", "ipRules": [], "virtualNetworkRules": []}
    rules = blocks[0]
    bypass = sorted(rules.get("bypass") or []) or ["AzureServices"]
    return {
        "defaultAction": rules.get("default_action") or "Allow",
        "bypass": ", ".join(bypass),
        "ipRules": [{"value": ip, "action": "Allow"} for ip in rules.get("ip_rules") or []],
        "virtualNetworkRules": [
            {"id": subnet, "action": "Allow"} for subnet in rules.get("virtual_network_subnet_ids") or []
        ],
        "resourceAccessRules": [
            {"resourceId": p["endpoint_resource_id"], "tenantId": p.get("endpoint_tenant_id")}
            for p in rules.get("private_link_access") or []
        ],
    }


# -- from ARM ----------------------------------------------------------------------------------------


def _from_arm(body: Body, prior: Attrs | None) -> Attrs:
    props = body.get("properties") or {}
    sku = (body.get("sku") or {}).get("name") or "_"
    tier, _, replication = sku.partition("_")
    encryption = props.get("encryption") or {}
    services = encryption.get("services") or {}
    attrs: Attrs = {
        **ids.located(body, ACCOUNT),
        "account_kind": body.get("kind"),
        "account_tier": tier,
        "account_replication_type": replication,
        "access_tier": props.get("accessTier"),
        "https_traffic_only_enabled": props.get("supportsHttpsTrafficOnly", True) is not False,
        "min_tls_version": props.get("minimumTlsVersion") or "TLS1_0",
        "allow_nested_items_to_be_public": bool(props.get("allowBlobPublicAccess")),
        "shared_access_key_enabled": props.get("allowSharedKeyAccess", True) is not False,
        "public_network_access_enabled": props.get("publicNetworkAccess") != "Disabled",
        "cross_tenant_replication_enabled": bool(props.get("allowCrossTenantReplication")),
        "default_to_oauth_authentication": bool(props.get("defaultToOAuthAuthentication")),
        "is_hns_enabled": bool(props.get("isHnsEnabled")),
        "nfsv3_enabled": bool(props.get("isNfsV3Enabled")),
        "sftp_enabled": bool(props.get("isSftpEnabled")),
        "local_user_enabled": props.get("isLocalUserEnabled", True) is not False,
        "large_file_share_enabled": props.get("largeFileSharesState") == "Enabled",
        "dns_endpoint_type": props.get("dnsEndpointType") or "Standard",
        "allowed_copy_scope": props.get("allowedCopyScope"),
        "infrastructure_encryption_enabled": bool(encryption.get("requireInfrastructureEncryption")),
        "queue_encryption_key_type": (services.get("queue") or {}).get("keyType") or "Service",
        "table_encryption_key_type": (services.get("table") or {}).get("keyType") or "Service",
        "network_rules": _network_rules(props.get("networkAcls")),
        "primary_location": props.get("primaryLocation"),
        "secondary_location": props.get("secondaryLocation"),
        "tags": body.get("tags") or {},
    }
    for role in ("primary", "secondary"):
        endpoints = props.get(f"{role}Endpoints") or {}
        for service in _SERVICES:
            attrs.update(_endpoint(role, service, endpoints.get(service)))
            for routing in _ROUTED[service]:
                routed = (endpoints.get(f"{routing}Endpoints") or {}).get(service)
                attrs.update(_endpoint(role, f"{service}_{routing}", routed))
    attrs.update(_keys(body, attrs))
    return attrs


def _endpoint(role: str, service: str, url: str | None) -> Attrs:
    return {
        f"{role}_{service}_endpoint": url or None,
        f"{role}_{service}_host": (urlparse(url).hostname if url else None) or None,
    }


def _network_rules(acls: Body | None) -> list[Attrs]:
    if acls is None:
        return []
    bypass = [b.strip() for b in (acls.get("bypass") or "").split(",") if b.strip()]
    return [
        {
            "default_action": acls.get("defaultAction"),
            "bypass": bypass,
            "ip_rules": [r["value"] for r in acls.get("ipRules") or [] if r.get("value")],
            "virtual_network_subnet_ids": [
                r["id"] for r in acls.get("virtualNetworkRules") or [] if r.get("id")
            ],
            "private_link_access": [
                {"endpoint_resource_id": r.get("resourceId"), "endpoint_tenant_id": r.get("tenantId")}
                for r in acls.get("resourceAccessRules") or []
            ],
        }
    ]


def _keys(body: Body, attrs: Attrs) -> Attrs:
    listed = ((body.get(LOOKUPS) or {}).get(_KEYS) or {}).get("keys") or []
    values = [k.get("value") for k in listed] + [None, None]
    primary, secondary = values[0], values[1]
    blob = attrs.get("primary_blob_endpoint")
    suffix = (attrs.get("primary_blob_host") or "").split(".", 2)[-1] or "core.windows.net"
    name_ = body["name"]

    def connection(key: str | None) -> str | None:
        if key is None:
            return None
        return f"DefaultEndpointsProtocol=https;AccountName={name_};AccountKey={key};EndpointSuffix={suffix}"

    def blob_connection(endpoint: str | None, key: str | None) -> str | None:
        if key is None or not endpoint:
            return None
        return f"DefaultEndpointsProtocol=https;BlobEndpoint={endpoint};AccountName={name_};AccountKey={key}"

    return {
        "primary_access_key": primary,
        "secondary_access_key": secondary,
        "primary_connection_string": connection(primary),
        "secondary_connection_string": connection(secondary),
        "primary_blob_connection_string": blob_connection(blob, primary),
        "secondary_blob_connection_string": blob_connection(attrs.get("secondary_blob_endpoint"), secondary),
    }


def _lookups(body: Body) -> list[Lookup]:
    return [Lookup(_KEYS, body["id"], API_VERSION, action="listKeys")]


# -- checks -------------------------------------------------------------------------------------------


def _validate(config: Attrs) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    account_name = config.get("name")
    if isinstance(account_name, str) and not _NAME.match(account_name):
        problems.append(
            (
                "name",
                "name can only consist of lowercase letters and numbers, "
                "and must be between 3 and 24 characters long",
            )
        )
    kind = config.get("account_kind") or "StorageV2"
    if config.get("access_tier") not in (None, Unknown) and kind is not Unknown and kind not in _TIERED_KINDS:
        problems.append(
            (
                "access_tier",
                "`access_tier` is only available for accounts where `kind` is set to one of: "
                + " / ".join(_TIERED_KINDS),
            )
        )
    return problems


def _computed(*names: str, sensitive: bool = False) -> tuple[Attr, ...]:
    return tuple(Attr(n, computed=True, sensitive=sensitive) for n in names)


def _endpoint_attrs() -> tuple[Attr, ...]:
    out: list[str] = []
    for role in ("primary", "secondary"):
        for service in _SERVICES:
            for variant in (service, *(f"{service}_{r}" for r in _ROUTED[service])):
                out += [f"{role}_{variant}_endpoint", f"{role}_{variant}_host"]
    return _computed(*out)


MAPPING = Mapping(
    tf_type="azurerm_storage_account",
    arm_type=ACCOUNT,
    api_version=API_VERSION,
    schema=(
        id_attr(),
        name(),
        resource_group_name(),
        location(),
        # Storage → StorageV2 is an upgrade in place; ARM refuses the other changes
        Attr("account_kind", optional=True, default="StorageV2", one_of=KINDS),
        Attr("account_tier", required=True, force_new=True, one_of=TIERS),
        Attr("account_replication_type", required=True, one_of=REPLICATION_TYPES),
        Attr("access_tier", optional=True, computed=True, one_of=ACCESS_TIERS),
        Attr("allowed_copy_scope", optional=True),
        Attr("allow_nested_items_to_be_public", Kind.BOOL, optional=True, default=True),
        Attr("cross_tenant_replication_enabled", Kind.BOOL, optional=True, default=False),
        Attr("default_to_oauth_authentication", Kind.BOOL, optional=True, default=False),
        Attr(
            "dns_endpoint_type",
            optional=True,
            default="Standard",
            force_new=True,
            one_of=("Standard", "AzureDnsZone"),
        ),
        Attr("https_traffic_only_enabled", Kind.BOOL, optional=True, default=True),
        Attr("infrastructure_encryption_enabled", Kind.BOOL, optional=True, default=False, force_new=True),
        Attr("is_hns_enabled", Kind.BOOL, optional=True, default=False, force_new=True),
        Attr("large_file_share_enabled", Kind.BOOL, optional=True, computed=True),
        Attr("local_user_enabled", Kind.BOOL, optional=True, default=True),
        Attr("min_tls_version", optional=True, default="TLS1_2", one_of=TLS_VERSIONS),
        _NETWORK_RULES,
        Attr("nfsv3_enabled", Kind.BOOL, optional=True, default=False, force_new=True),
        Attr("public_network_access_enabled", Kind.BOOL, optional=True, default=True),
        Attr(
            "queue_encryption_key_type", optional=True, default="Service", force_new=True, one_of=_KEY_TYPES
        ),
        Attr("sftp_enabled", Kind.BOOL, optional=True, default=False),
        Attr("shared_access_key_enabled", Kind.BOOL, optional=True, default=True),
        Attr(
            "table_encryption_key_type", optional=True, default="Service", force_new=True, one_of=_KEY_TYPES
        ),
        tags(),
        *_computed("primary_location", "secondary_location"),
        *_endpoint_attrs(),
        *_computed(
            "primary_access_key",
            "secondary_access_key",
            "primary_connection_string",
            "secondary_connection_string",
            "primary_blob_connection_string",
            "secondary_blob_connection_string",
            sensitive=True,
        ),
    ),
    id_of=_id,
    to_arm=_to_arm,
    update_changes_only=True,
    from_arm=_from_arm,
    validate=_validate,
    lookups=_lookups,
)
