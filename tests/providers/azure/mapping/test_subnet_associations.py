"""A subnet's NSG, route table and NAT gateway associations through real Terraform."""

from __future__ import annotations

import re
from typing import Any

from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as nm
from azure.mgmt.resource.resources import ResourceManagementClient
from sandbox_cloud import Cloud

from providers.azure.sdk import client

SUBNET = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-assoc"
  location = "westeurope"
}

resource "azurerm_virtual_network" "vnet" {
  name                = "vnet"
  address_space       = ["10.0.0.0/16"]
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_subnet" "app" {
  name                 = "app"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.0.1.0/24"]
  service_endpoints    = [%(endpoints)s]
}

resource "azurerm_network_security_group" "web" {
  name                = "nsg-web"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_network_security_group" "locked" {
  name                = "nsg-locked"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_route_table" "rt" {
  name                = "rt"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_nat_gateway" "gw" {
  name                = "nat-gw"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_subnet_network_security_group_association" "app" {
  subnet_id                 = azurerm_subnet.app.id
  network_security_group_id = azurerm_network_security_group.%(nsg)s.id
}

resource "azurerm_subnet_route_table_association" "app" {
  subnet_id      = azurerm_subnet.app.id
  route_table_id = azurerm_route_table.rt.id
}

resource "azurerm_subnet_nat_gateway_association" "app" {
  subnet_id      = azurerm_subnet.app.id
  nat_gateway_id = azurerm_nat_gateway.gw.id
}
"""

FIRST = {"endpoints": "", "nsg": "web"}
GROUP = "rg-assoc"
ASSOCIATIONS = (
    "azurerm_subnet_network_security_group_association.app",
    "azurerm_subnet_route_table_association.app",
    "azurerm_subnet_nat_gateway_association.app",
)


def _actions(doc: dict[str, Any], key: str = "resource_changes") -> dict[str, list[str]]:
    return {c["address"]: c["change"]["actions"] for c in doc.get(key, [])}


def _references(subnet: nm.Subnet) -> tuple[str | None, ...]:
    return tuple(
        ref.id if ref else None
        for ref in (subnet.network_security_group, subnet.route_table, subnet.nat_gateway)
    )


def test_subnet_associations(cloud: Cloud) -> None:
    ws = cloud.workspace(SUBNET % FIRST)
    cloud.tf.apply(ws)
    network = client(NetworkManagementClient, cloud.endpoint(upn="ops@example.com"))
    state = cloud.state(ws)
    subnet_id = state["azurerm_subnet.app"]["id"]
    # azurerm's id for each association is the subnet's.
    assert {state[a]["id"] for a in ASSOCIATIONS} == {subnet_id}
    linked = (
        state["azurerm_network_security_group.web"]["id"],
        state["azurerm_route_table.rt"]["id"],
        state["azurerm_nat_gateway.gw"]["id"],
    )
    assert _references(network.subnets.get(GROUP, "vnet", "app")) == linked
    assert [s.id for s in network.route_tables.get(GROUP, "rt").subnets] == [subnet_id]
    assert [s.id for s in network.nat_gateways.get(GROUP, "nat-gw").subnets] == [subnet_id]
    assert cloud.tf.plan(ws).changed is False

    # azurerm_subnet updates the subnet in place and leaves the three references alone.
    cloud.workspace(SUBNET % {**FIRST, "endpoints": '"Microsoft.Storage"'})
    assert [a for a, acts in _actions(cloud.plan_json(ws)).items() if acts != ["no-op"]] == [
        "azurerm_subnet.app"
    ]
    cloud.tf.apply(ws)
    subnet = network.subnets.get(GROUP, "vnet", "app")
    assert [e.service for e in subnet.service_endpoints] == ["Microsoft.Storage"]
    assert _references(subnet) == linked
    assert cloud.tf.plan(ws).changed is False

    # Another NSG forces a new association.
    cloud.workspace(SUBNET % {**FIRST, "endpoints": '"Microsoft.Storage"', "nsg": "locked"})
    changes = {c["address"]: c["change"] for c in cloud.plan_json(ws)["resource_changes"]}
    nsg_association = changes["azurerm_subnet_network_security_group_association.app"]
    assert (nsg_association["actions"], nsg_association["replace_paths"]) == (
        ["delete", "create"],
        [["network_security_group_id"]],
    )

    cloud.workspace(SUBNET % {**FIRST, "endpoints": '"Microsoft.Storage"'})
    _import_plans_no_op(cloud, subnet_id)

    # Out of band: the route table and NAT gateway taken off the subnet, and the NSG swapped for one made
    # in the portal, in another resource group (so the destroy below has nothing Terraform does not know
    # to wait for: an NSG in use cannot be deleted, here as in Azure).
    resources = client(ResourceManagementClient, cloud.endpoint(upn="ops@example.com"))
    resources.resource_groups.create_or_update("rg-portal", {"location": "westeurope"})
    portal_nsg = network.network_security_groups.begin_create_or_update(
        "rg-portal", "nsg-portal", nm.NetworkSecurityGroup(location="westeurope")
    ).result()
    subnet.route_table = None
    subnet.nat_gateway = None
    subnet.network_security_group = nm.NetworkSecurityGroup(id=portal_nsg.id)
    network.subnets.begin_create_or_update(GROUP, "vnet", "app", subnet).result()
    drift = cloud.plan_json(ws, "-refresh-only")
    assert _actions(drift, "resource_drift") == {
        "azurerm_subnet_network_security_group_association.app": ["update"],
        "azurerm_subnet_route_table_association.app": ["delete"],
        "azurerm_subnet_nat_gateway_association.app": ["delete"],
        "azurerm_route_table.rt": ["update"],  # its computed subnets
        "azurerm_virtual_network.vnet": ["update"],  # its computed subnet block names the NSG
    }
    [swapped] = [d["change"] for d in drift["resource_drift"] if d["address"] == ASSOCIATIONS[0]]
    assert swapped["after"]["network_security_group_id"] == portal_nsg.id

    cloud.tf.destroy(ws)
    assert list(network.virtual_networks.list_all()) == []
    assert list(network.route_tables.list_all()) == []
    assert [g.id for g in network.network_security_groups.list_all()] == [portal_nsg.id]


def _import_plans_no_op(cloud: Cloud, subnet_id: str) -> None:
    imports = "".join(f'import {{\n  to = {a}\n  id = "{subnet_id}"\n}}\n' for a in ASSOCIATIONS)
    ws = cloud.workspace(imports, name="imported")
    result = cloud.tf.run(["plan", "-input=false", "-no-color", "-generate-config-out=generated.tf"], ws)
    assert result.rc == 0, result.stdout + result.stderr
    generated = (ws / "generated.tf").read_text()
    assert re.search(r'route_table_id\s+= ".*/routeTables/rt"', generated)
    plan = cloud.plan_json(ws)
    assert _actions(plan) == {a: ["no-op"] for a in ASSOCIATIONS}
