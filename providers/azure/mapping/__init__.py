"""azurerm resource types and their ARM mapping, one module each, collected in :data:`MAPPINGS`."""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from types import MappingProxyType

from providers.azure.mapping import resource_group, virtual_network
from providers.azure.mapping.base import Mapping

MAPPINGS: MappingType[str, Mapping] = MappingProxyType(
    {
        m.tf_type: m
        for m in (
            resource_group.MAPPING,
            virtual_network.VIRTUAL_NETWORK,
            virtual_network.SUBNET_MAPPING,
        )
    }
)
