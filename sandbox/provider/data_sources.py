"""The data sources the sandbox provider serves: those that read ARM (their mapping is in
:mod:`providers.azure.mapping.data_sources`) and ``azurerm_client_config``, the provider's own identity.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping as MappingType

from providers.azure.mapping.data_sources import DataSource
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import id_attr
from sandbox.provider.config import ProviderConfig

CLIENT_CONFIG = "azurerm_client_config"
_CLIENT_CONFIG_SCHEMA: tuple[Item, ...] = (
    id_attr(),
    *(Attr(n, computed=True) for n in ("client_id", "tenant_id", "subscription_id", "object_id")),
)


def schemas(sources: MappingType[str, DataSource]) -> dict[str, tuple[Item, ...]]:
    """Every data source's schema, by type."""
    return {**{t: d.schema for t, d in sources.items()}, CLIENT_CONFIG: _CLIENT_CONFIG_SCHEMA}


def client_config(config: ProviderConfig) -> Attrs:
    """``azurerm_client_config``: who the provider signs in as (an app: its object id is its client id)."""
    object_id = config.client_id
    raw = (
        f"clientConfigs/clientId={config.client_id};objectId={object_id};"
        f"subscriptionId={config.subscription_id};tenantId={config.tenant_id}"
    )
    return {
        "id": base64.b64encode(raw.encode()).decode(),
        "client_id": config.client_id,
        "tenant_id": config.tenant_id,
        "subscription_id": config.subscription_id,
        "object_id": object_id,
    }
