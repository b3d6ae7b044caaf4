"""Ordinary azurerm configurations apply unmodified; bad ones get Terraform's own diagnostics."""

from __future__ import annotations

import pytest
from sandbox_cloud import Cloud

from reconciler.errors import DiagnosticsError

MODULE = """
variable "name" {
  type = string
}

variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "subnets" {
  type = map(string)
}

resource "azurerm_virtual_network" "this" {
  name                = var.name
  address_space       = ["10.20.0.0/16"]
  location            = var.location
  resource_group_name = var.resource_group_name
}

resource "azurerm_subnet" "this" {
  for_each             = var.subnets
  name                 = each.key
  resource_group_name  = var.resource_group_name
  virtual_network_name = azurerm_virtual_network.this.name
  address_prefixes     = [each.value]
}

output "subnet_ids" {
  value = { for name, subnet in azurerm_subnet.this : name => subnet.id }
}
"""

ROOT = """
resource "azurerm_resource_group" "example" {
  name     = "example-resources"
  location = "West Europe"
}

module "network" {
  source              = "./modules/network"
  name                = "example-network"
  resource_group_name = azurerm_resource_group.example.name
  location            = azurerm_resource_group.example.location
  subnets = {
    frontend = "10.20.1.0/24"
    backend  = "10.20.2.0/24"
  }
}

resource "azurerm_network_interface" "example" {
  for_each            = module.network.subnet_ids
  name                = "example-nic-${each.key}"
  location            = azurerm_resource_group.example.location
  resource_group_name = azurerm_resource_group.example.name

  ip_configuration {
    name                          = "internal"
    subnet_id                     = each.value
    private_ip_address_allocation = "Dynamic"
  }
}

output "nic_addresses" {
  value = { for k, nic in azurerm_network_interface.example : k => nic.private_ip_address }
}
"""


def test_local_module_for_each_and_outputs_apply_unmodified(cloud: Cloud) -> None:
    ws = cloud.workspace(ROOT)
    (ws / "modules" / "network").mkdir(parents=True)
    (ws / "modules" / "network" / "main.tf").write_text(MODULE)
    cloud.tf.init(ws)  # offline: the provider comes from dev_overrides, the module from disk
    cloud.tf.apply(ws)
    state = cloud.state(ws)
    assert set(state) >= {
        'module.network.azurerm_subnet.this["backend"]',
        'module.network.azurerm_subnet.this["frontend"]',
        'azurerm_network_interface.example["frontend"]',
    }
    assert state['azurerm_network_interface.example["backend"]']["private_ip_address"] == "10.20.2.4"
    assert cloud.tf.plan(ws).changed is False


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        (
            'resource "azurerm_resource_group" "x" {\n  location = "westeurope"\n}\n',
            'argument "name" is required',
        ),
        (
            'resource "azurerm_resource_group" "x" {\n  name = "x"\n  location = "westeurope"\n'
            '  colour = "red"\n}\n',
            'An argument named "colour" is not expected here',
        ),
        (
            'resource "azurerm_public_ip" "x" {\n  name = "x"\n  location = "westeurope"\n'
            '  resource_group_name = "rg"\n  allocation_method = "Static"\n'
            '  idle_timeout_in_minutes = "soon"\n}\n',
            "a number is required",
        ),
    ],
)
def test_bad_configuration_gets_terraforms_diagnostics(cloud: Cloud, resource: str, message: str) -> None:
    ws = cloud.workspace(resource)
    with pytest.raises(DiagnosticsError) as e:
        cloud.tf.plan(ws)
    assert message in str(e.value)
    assert "main.tf:" in str(e.value)
    assert "plugin" not in str(e.value).lower()  # Terraform's own validation, never a provider crash
