"""Data sources through real Terraform: a workspace builds on a network made elsewhere (by the SDK here)."""

from __future__ import annotations

import base64

import pytest
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as nm
from azure.mgmt.resource.resources import ResourceManagementClient
from sandbox_cloud import Cloud

from providers.azure.sdk import client
from reconciler.errors import DiagnosticsError
from sandbox.provider.config import DEFAULT_CLIENT_ID

CONFIG = """
data "azurerm_client_config" "current" {}

data "azurerm_resource_group" "shared" {
  name = "rg-shared"
}

data "azurerm_virtual_network" "shared" {
  name                = "shared-net"
  resource_group_name = data.azurerm_resource_group.shared.name
}

data "azurerm_subnet" "apps" {
  name                 = "apps"
  virtual_network_name = data.azurerm_virtual_network.shared.name
  resource_group_name  = data.azurerm_resource_group.shared.name
}

resource "azurerm_resource_group" "app" {
  name     = "rg-app"
  location = data.azurerm_resource_group.shared.location
  tags     = { owner = data.azurerm_client_config.current.object_id }
}

resource "azurerm_network_interface" "app" {
  name                = "app-nic"
  location            = azurerm_resource_group.app.location
  resource_group_name = azurerm_resource_group.app.name

  ip_configuration {
    name                          = "internal"
    subnet_id                     = data.azurerm_subnet.apps.id
    private_ip_address_allocation = "Dynamic"
  }
}

output "client" {
  value = data.azurerm_client_config.current
}

output "network" {
  value = {
    id            = data.azurerm_virtual_network.shared.id
    address_space = data.azurerm_virtual_network.shared.address_space
    dns_servers   = data.azurerm_virtual_network.shared.dns_servers
    subnets       = data.azurerm_virtual_network.shared.subnets
    first_space   = data.azurerm_virtual_network.shared.address_space[0]
    tags          = data.azurerm_virtual_network.shared.tags
  }
}

output "subnet_prefixes" {
  value = data.azurerm_subnet.apps.address_prefixes
}

output "group_tags" {
  value = data.azurerm_resource_group.shared.tags
}
"""


def _shared_network(cloud: Cloud) -> nm.VirtualNetwork:
    """What another team made: a resource group and a network, outside this workspace."""
    endpoint = cloud.endpoint(upn="netops@example.com")
    groups = client(ResourceManagementClient, endpoint).resource_groups
    groups.create_or_update("rg-shared", {"location": "West Europe", "tags": {"team": "network"}})
    vnet = nm.VirtualNetwork(
        location="westeurope",
        address_space=nm.AddressSpace(address_prefixes=["10.50.0.0/16"]),
        dhcp_options=nm.DhcpOptions(dns_servers=["10.50.0.4"]),
        subnets=[
            nm.Subnet(name="apps", address_prefix="10.50.1.0/24"),
            nm.Subnet(name="data", address_prefix="10.50.2.0/24"),
        ],
        tags={"env": "shared"},
    )
    networks = client(NetworkManagementClient, endpoint).virtual_networks
    return networks.begin_create_or_update("rg-shared", "shared-net", vnet).result()


def test_data_sources_feed_resources_and_plan_clean(cloud: Cloud) -> None:
    vnet = _shared_network(cloud)
    ws = cloud.workspace(CONFIG)
    cloud.tf.apply(ws)
    outputs = {k: v["value"] for k, v in cloud.tf.show_state_json(ws)["values"]["outputs"].items()}

    tenant = cloud.sandbox.identity.tenant
    assert outputs["client"]["client_id"] == DEFAULT_CLIENT_ID
    assert outputs["client"]["object_id"] == DEFAULT_CLIENT_ID  # the provider signs in as an app
    assert (outputs["client"]["subscription_id"], outputs["client"]["tenant_id"]) == (
        cloud.subscription,
        tenant,
    )
    assert base64.b64decode(outputs["client"]["id"]).decode().startswith("clientConfigs/clientId=")
    assert outputs["network"] == {
        "id": vnet.id,
        "address_space": ["10.50.0.0/16"],
        "dns_servers": ["10.50.0.4"],
        "subnets": ["apps", "data"],
        "first_space": "10.50.0.0/16",
        "tags": {"env": "shared"},
    }
    assert outputs["subnet_prefixes"] == ["10.50.1.0/24"]
    assert outputs["group_tags"] == {"team": "network"}

    state = cloud.state(ws)
    assert state["azurerm_resource_group.app"]["location"] == "westeurope"
    assert state["azurerm_resource_group.app"]["tags"] == {"owner": DEFAULT_CLIENT_ID}
    nic_subnet = state["azurerm_network_interface.app"]["ip_configuration"][0]["subnet_id"]
    assert nic_subnet == f"{vnet.id}/subnets/apps"
    assert state["azurerm_network_interface.app"]["private_ip_address"].startswith("10.50.1.")
    assert cloud.tf.plan(ws).changed is False


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            'data "azurerm_resource_group" "x" {\n  name = "rg-gone"\n}\n',
            'Error: Resource Group "rg-gone" was not found',
        ),
        (
            'data "azurerm_virtual_network" "x" {\n  name = "net-gone"\n'
            '  resource_group_name = "rg-shared"\n}\n',
            'Virtual Network Name: "net-gone") was not found',
        ),
        (
            'data "azurerm_subnet" "x" {\n  name = "gone"\n  virtual_network_name = "shared-net"\n'
            '  resource_group_name = "rg-shared"\n}\n',
            'Subnet Name: "gone") was not found',
        ),
    ],
)
def test_a_missing_resource_fails_with_azurerms_message(cloud: Cloud, source: str, message: str) -> None:
    _shared_network(cloud)
    ws = cloud.workspace(source)
    with pytest.raises(DiagnosticsError) as e:
        cloud.tf.plan(ws)
    assert message in str(e.value)
