"""Subnets of Microsoft.Network/virtualNetworks: what they reference and what they report back."""

from __future__ import annotations

from typing import Any

from azure.mgmt.network import models as nm

LOCATION = "westeurope"


def test_subnet_put_back_as_read_keeps_associations_and_no_stale_nics(az: Any, group: str) -> None:
    """azurerm's association resources PUT a subnet back as they read it, back-references included."""
    az.vnet(group)
    nsg = az.network.network_security_groups.begin_create_or_update(
        group, "nsg1", nm.NetworkSecurityGroup(location=LOCATION)
    ).result()
    table = az.network.route_tables.begin_create_or_update(
        group, "rt1", nm.RouteTable(location=LOCATION)
    ).result()
    gateway = az.network.nat_gateways.begin_create_or_update(
        group, "nat1", nm.NatGateway(location=LOCATION, sku=nm.NatGatewaySku(name="Standard"))
    ).result()
    nic = az.nic(group, "nic1", az.subnet_id(group))

    # As azurerm does: the subnet's JSON as read, with the references set, PUT back whole.
    path = az.subnet_id(group)
    read = az.arm.request("GET", path).json()
    assert read["properties"]["ipConfigurations"] == [{"id": nic.ip_configurations[0].id}]
    read["properties"]["networkSecurityGroup"] = {"id": nsg.id}
    read["properties"]["routeTable"] = {"id": table.id}
    read["properties"]["natGateway"] = {"id": gateway.id}
    assert az.arm.request("PUT", path, read).status_code == 200

    az.network.network_interfaces.begin_delete(group, "nic1").result()
    subnet = az.network.subnets.get(group, "vnet1", "default")
    assert subnet.ip_configurations is None  # the NIC is gone, and so is its back-reference
    assert (subnet.network_security_group.id, subnet.route_table.id, subnet.nat_gateway.id) == (
        nsg.id,
        table.id,
        gateway.id,
    )
