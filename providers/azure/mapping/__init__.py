"""azurerm resource types and their ARM mapping, one module each, collected in :data:`MAPPINGS`."""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from types import MappingProxyType

from providers.azure.mapping import availability_set
from providers.azure.mapping import backend_pool_association
from providers.azure.mapping import data_disk_attachment
from providers.azure.mapping import linux_virtual_machine
from providers.azure.mapping import load_balancer
from providers.azure.mapping import load_balancer_parts
from providers.azure.mapping import load_balancer_rules
from providers.azure.mapping import managed_disk
from providers.azure.mapping import nat_gateway
from providers.azure.mapping import network_interface
from providers.azure.mapping import network_security_group
from providers.azure.mapping import public_ip
from providers.azure.mapping import resource_group
from providers.azure.mapping import route_table
from providers.azure.mapping import storage_account
from providers.azure.mapping import subnet_associations
from providers.azure.mapping import virtual_network
from providers.azure.mapping import windows_virtual_machine
from providers.azure.mapping.base import Mapping

MAPPINGS: MappingType[str, Mapping] = MappingProxyType(
    {
        m.tf_type: m
        for m in (
            resource_group.MAPPING,
            virtual_network.VIRTUAL_NETWORK,
            virtual_network.SUBNET_MAPPING,
            network_security_group.NETWORK_SECURITY_GROUP,
            network_security_group.NETWORK_SECURITY_RULE,
            route_table.ROUTE_TABLE_MAPPING,
            route_table.ROUTE_MAPPING,
            subnet_associations.SUBNET_NETWORK_SECURITY_GROUP,
            subnet_associations.SUBNET_ROUTE_TABLE,
            subnet_associations.SUBNET_NAT_GATEWAY,
            public_ip.MAPPING,
            nat_gateway.NAT_GATEWAY_MAPPING,
            nat_gateway.NAT_GATEWAY_PUBLIC_IP_ASSOCIATION,
            load_balancer.LOAD_BALANCER,
            load_balancer_parts.BACKEND_ADDRESS_POOL,
            load_balancer_parts.PROBE_MAPPING,
            load_balancer_rules.RULE_MAPPING,
            load_balancer_rules.NAT_RULE_MAPPING,
            backend_pool_association.NIC_POOL_ASSOCIATION,
            network_interface.NETWORK_INTERFACE,
            network_interface.NETWORK_INTERFACE_SECURITY_GROUP_ASSOCIATION,
            managed_disk.MAPPING,
            availability_set.MAPPING,
            linux_virtual_machine.MAPPING,
            windows_virtual_machine.MAPPING,
            data_disk_attachment.MAPPING,
            storage_account.MAPPING,
        )
    }
)
