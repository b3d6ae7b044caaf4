"""The provider block: what users write in ``provider "azurerm" { ... }`` and what the sandbox reads of it.

The schema accepts the real provider's common arguments so ordinary configurations validate unchanged;
the sandbox uses the subscription, the client id (its identity in the Activity Log) and two feature flags.
"""

from __future__ import annotations

import os
from typing import Any
from typing import NamedTuple

from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import Kind

#: The app id the sandbox provider signs in with unless ``client_id`` / ``ARM_CLIENT_ID`` says otherwise.
DEFAULT_CLIENT_ID = "5a2f7c1e-9b3d-4e8f-a6c0-7d1e2f3a4b5c"

_FEATURE_BLOCKS = (
    Block(
        "resource_group",
        (Attr("prevent_deletion_if_contains_resources", Kind.BOOL, optional=True),),
        max_items=1,
    ),
    Block(
        "virtual_machine",
        (
            Attr("delete_os_disk_on_deletion", Kind.BOOL, optional=True),
            Attr("detach_implicit_data_disk_on_deletion", Kind.BOOL, optional=True),
            Attr("skip_shutdown_and_force_delete", Kind.BOOL, optional=True),
            Attr("graceful_shutdown", Kind.BOOL, optional=True),
        ),
        max_items=1,
    ),
    Block(
        "key_vault",
        (
            Attr("purge_soft_delete_on_destroy", Kind.BOOL, optional=True),
            Attr("recover_soft_deleted_key_vaults", Kind.BOOL, optional=True),
        ),
        max_items=1,
    ),
    Block("storage", (Attr("data_plane_available", Kind.BOOL, optional=True),), max_items=1),
)

SCHEMA: tuple[Item, ...] = (
    Block("features", _FEATURE_BLOCKS, max_items=1),
    Attr("subscription_id", optional=True),
    Attr("tenant_id", optional=True),
    Attr("client_id", optional=True),
    Attr("client_secret", optional=True, sensitive=True),
    Attr("environment", optional=True),
    Attr("metadata_host", optional=True),
    Attr("skip_provider_registration", Kind.BOOL, optional=True),
    Attr("resource_provider_registrations", optional=True),
    Attr("resource_providers_to_register", Kind.LIST_STRING, optional=True),
    Attr("storage_use_azuread", Kind.BOOL, optional=True),
    Attr("use_cli", Kind.BOOL, optional=True),
    Attr("use_msi", Kind.BOOL, optional=True),
    Attr("use_oidc", Kind.BOOL, optional=True),
    Attr("partner_id", optional=True),
    Attr("disable_terraform_partner_id", Kind.BOOL, optional=True),
)


class ProviderConfig(NamedTuple):
    endpoint: str
    subscription_id: str
    tenant_id: str
    client_id: str
    delete_os_disk_on_deletion: bool
    prevent_group_deletion_with_resources: bool


class ProviderConfigError(Exception):
    def __init__(self, summary: str, detail: str, attribute: str | None = None) -> None:
        super().__init__(summary)
        self.summary = summary
        self.detail = detail
        self.attribute = attribute


def resolve(config: dict[str, Any], environ: dict[str, str] | None = None) -> ProviderConfig:
    env = os.environ if environ is None else environ
    endpoint = env.get("RECONCILE_AZURE_ENDPOINT", "")
    if not endpoint:
        raise ProviderConfigError(
            "The sandbox azurerm provider has no sandbox to talk to",
            'RECONCILE_AZURE_ENDPOINT is not set. Start a sandbox and run: eval "$(reconcile sandbox env)"',
        )
    subscription = config.get("subscription_id") or env.get("ARM_SUBSCRIPTION_ID", "")
    if not subscription:
        raise ProviderConfigError(
            "subscription_id is a required provider property when performing a plan/apply operation",
            "Set subscription_id in the provider block or ARM_SUBSCRIPTION_ID in the environment.",
            "subscription_id",
        )
    features = (config.get("features") or [{}])[0] or {}
    vm = (features.get("virtual_machine") or [{}])[0] or {}
    group = (features.get("resource_group") or [{}])[0] or {}
    delete_os_disk = vm.get("delete_os_disk_on_deletion")
    prevent = group.get("prevent_deletion_if_contains_resources")
    return ProviderConfig(
        endpoint=endpoint.rstrip("/"),
        subscription_id=subscription,
        tenant_id=config.get("tenant_id") or env.get("ARM_TENANT_ID", ""),
        client_id=config.get("client_id") or env.get("ARM_CLIENT_ID") or DEFAULT_CLIENT_ID,
        delete_os_disk_on_deletion=True if delete_os_disk is None else bool(delete_os_disk),
        prevent_group_deletion_with_resources=True if prevent is None else bool(prevent),
    )
