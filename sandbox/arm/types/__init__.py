"""The resource types the sandbox serves, one module each, collected in :data:`TYPES`."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sandbox.arm.types import availability_set
from sandbox.arm.types import disk
from sandbox.arm.types import load_balancer
from sandbox.arm.types import nat_gateway
from sandbox.arm.types import network_interface
from sandbox.arm.types import network_security_group
from sandbox.arm.types import public_ip
from sandbox.arm.types import route_table
from sandbox.arm.types import storage_account
from sandbox.arm.types import virtual_machine
from sandbox.arm.types import virtual_network
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
