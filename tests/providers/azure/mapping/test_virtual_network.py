"""azurerm_virtual_network and azurerm_subnet through real Terraform."""

from __future__ import annotations

from azure.mgmt.network import NetworkManagementClient
from sandbox_cloud import Cloud

from providers.azure.sdk import client

NETWORK = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-net"
  location = "West Europe"  # dependents must plan with the stored spelling
}

resource "azurerm_virtual_network" "vnet" {
  name                = "vnet"
  address_space       = ["10.0.0.0/16"]
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_subnet" "web" {
  name                 = "web"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["%s"]
}
"""


def test_vnet_with_separate_subnet_applies_and_plans_clean(cloud: Cloud) -> None:
    ws = cloud.workspace(NETWORK % "10.0.1.0/24")
    cloud.tf.apply(ws)
    network = client(NetworkManagementClient, cloud.endpoint(upn="t@example.com"))
    subnet = network.subnets.get("rg-net", "vnet", "web")
    assert subnet.properties.address_prefixes == ["10.0.1.0/24"]
    # The subnet lives in the VNet's body too; the VNet must not plan to remove it.
    assert cloud.tf.plan(ws).changed is False

    cloud.workspace(NETWORK % "10.0.2.0/24")
    changes = {c["address"]: c["change"]["actions"] for c in cloud.plan_json(ws)["resource_changes"]}
    assert changes == {
        "azurerm_resource_group.rg": ["no-op"],
        "azurerm_virtual_network.vnet": ["no-op"],
        "azurerm_subnet.web": ["update"],
    }
    cloud.tf.apply(ws)
    assert network.subnets.get("rg-net", "vnet", "web").properties.address_prefixes == ["10.0.2.0/24"]
    assert cloud.tf.plan(ws).changed is False


def test_inline_subnets(cloud: Cloud) -> None:
    ws = cloud.workspace(
        """
resource "azurerm_resource_group" "rg" {
  name     = "rg-inline"
  location = "westeurope"
}

resource "azurerm_virtual_network" "vnet" {
  name                = "vnet"
  address_space       = ["10.1.0.0/16"]
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  dns_servers         = ["10.1.0.4"]

  subnet {
    name             = "a"
    address_prefixes = ["10.1.1.0/24"]
  }
  subnet {
    name             = "b"
    address_prefixes = ["10.1.2.0/24"]
  }
  tags = { team = "net" }
}
"""
    )
    cloud.tf.apply(ws)
    state = cloud.state(ws)["azurerm_virtual_network.vnet"]
    assert sorted(s["name"] for s in state["subnet"]) == ["a", "b"]
    assert all(s["id"].endswith(f"/subnets/{s['name']}") for s in state["subnet"])
    assert cloud.tf.plan(ws).changed is False
