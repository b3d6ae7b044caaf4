"""The resource types the sandbox serves, one module each, collected in :data:`TYPES`."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sandbox.arm.types import (
    availability_set,
    disk,
    load_balancer,
    nat_gateway,
    network_interface,
    network_security_group,
    public_ip,
    route_table,
    storage_account,
    virtual_machine,
    virtual_network,
)
from sandbox.arm.types.base import ResourceType

TYPES: Mapping[str, ResourceType] = MappingProxyType(
    {
        t.type_name: t
        for t in (
            virtual_network.TYPE,
            network_security_group.TYPE,
            public_ip.TYPE,
            network_interface.TYPE,
            load_balancer.TYPE,
            route_table.TYPE,
            nat_gateway.TYPE,
            disk.TYPE,
            availability_set.TYPE,
            virtual_machine.TYPE,
            storage_account.TYPE,
        )
    }
)
