"""azurerm_network_interface and its security group association through real Terraform."""

from __future__ import annotations

import re
from typing import Any

from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as nm
from sandbox_cloud import Cloud

from providers.azure.sdk import client

NETWORK = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-nic"
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
}

resource "azurerm_public_ip" "pip" {
  name                = "pip-app"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  allocation_method   = "Static"
}

resource "azurerm_network_security_group" "a" {
  name                = "nsg-a"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_network_security_group" "b" {
  name                = "nsg-b"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_network_interface" "nic" {
  name                  = "nic-app"
  location              = azurerm_resource_group.rg.location
  resource_group_name   = azurerm_resource_group.rg.name
  ip_forwarding_enabled = %(forwarding)s
  dns_servers           = ["10.0.0.4"]
  tags                  = { role = "%(role)s" }

  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.app.id
    public_ip_address_id          = azurerm_public_ip.pip.id
    %(address)s
  }
}

resource "azurerm_network_interface_security_group_association" "nic" {
  network_interface_id      = azurerm_network_interface.nic.id
  network_security_group_id = azurerm_network_security_group.%(nsg)s.id
}
"""

DYNAMIC = 'private_ip_address_allocation = "Dynamic"'
STATIC = 'private_ip_address_allocation = "Static"\n    private_ip_address            = "10.0.1.10"'
FIRST = {"forwarding": "false", "role": "app", "address": DYNAMIC, "nsg": "a"}


def _changes(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        c["address"]: c["change"] for c in plan["resource_changes"] if c["change"]["actions"] != ["no-op"]
    }


def test_nic_keeps_associations_it_does_not_manage(cloud: Cloud) -> None:
    ws = cloud.workspace(NETWORK % FIRST)
    cloud.tf.apply(ws)
    state = cloud.state(ws)
    nic = state["azurerm_network_interface.nic"]
    assert nic["id"] == (
        f"/subscriptions/{cloud.subscription}/resourceGroups/rg-nic/providers/"
        "Microsoft.Network/networkInterfaces/nic-app"
    )
    # What ARM chose: the first free address after Azure's four, primary, no VM yet.
    assert (nic["private_ip_address"], nic["private_ip_addresses"]) == ("10.0.1.4", ["10.0.1.4"])
    [config] = nic["ip_configuration"]
    assert (config["primary"], config["private_ip_address"], config["private_ip_address_version"]) == (
        True,
        "10.0.1.4",
        "IPv4",
    )
    assert (nic["mac_address"], nic["virtual_machine_id"], nic["applied_dns_servers"]) == (
        None,
        None,
        ["10.0.0.4"],
    )
    association = state["azurerm_network_interface_security_group_association.nic"]
    nsg_a = state["azurerm_network_security_group.a"]["id"]
    assert association["id"] == f"{nic['id']}|{nsg_a}"
    assert cloud.tf.plan(ws).changed is False

    # The backend-pool association writes into the NIC's ip configuration; a NIC update must keep it.
    network = client(NetworkManagementClient, cloud.endpoint(upn="ops@example.com"))
    pool_id = _load_balancer_pool(network, config["subnet_id"])
    live = network.network_interfaces.get("rg-nic", "nic-app")
    live.ip_configurations[0].load_balancer_backend_address_pools = [nm.BackendAddressPool(id=pool_id)]
    network.network_interfaces.begin_create_or_update("rg-nic", "nic-app", live).result()

    cloud.workspace(NETWORK % {**FIRST, "forwarding": "true", "role": "frontend"})
    assert set(_changes(cloud.plan_json(ws))) == {"azurerm_network_interface.nic"}
    cloud.tf.apply(ws)
    live = network.network_interfaces.get("rg-nic", "nic-app")
    assert live.enable_ip_forwarding is True and live.tags == {"role": "frontend"}
    assert [p.id for p in live.ip_configurations[0].load_balancer_backend_address_pools] == [pool_id]
    assert live.network_security_group.id == nsg_a

    # Static address (in place) and another group (the association is replaced).
    cloud.workspace(NETWORK % {"forwarding": "true", "role": "frontend", "address": STATIC, "nsg": "b"})
    changes = _changes(cloud.plan_json(ws))
    assert {a: c["actions"] for a, c in changes.items()} == {
        "azurerm_network_interface.nic": ["update"],
        "azurerm_network_interface_security_group_association.nic": ["delete", "create"],
    }
    assert changes["azurerm_network_interface_security_group_association.nic"]["replace_paths"] == [
        ["network_security_group_id"]
    ]
    cloud.tf.apply(ws)
    live = network.network_interfaces.get("rg-nic", "nic-app")
    assert live.ip_configurations[0].private_ip_address == "10.0.1.10"
    assert live.network_security_group.id.endswith("/networkSecurityGroups/nsg-b")
    assert [p.id for p in live.ip_configurations[0].load_balancer_backend_address_pools] == [pool_id]

    _import_plans_no_op(cloud, live.id, live.network_security_group.id)

    # Out of band: other DNS servers, and the group taken off the NIC.
    live.dns_settings.dns_servers = ["1.1.1.1"]
    live.network_security_group = None
    network.network_interfaces.begin_create_or_update("rg-nic", "nic-app", live).result()
    drift = {
        d["address"]: d["change"] for d in cloud.plan_json(ws, "-refresh-only").get("resource_drift", [])
    }
    assert set(drift) == {
        "azurerm_network_interface.nic",
        "azurerm_network_interface_security_group_association.nic",
    }
    assert drift["azurerm_network_interface.nic"]["after"]["dns_servers"] == ["1.1.1.1"]
    assert drift["azurerm_network_interface_security_group_association.nic"]["actions"] == ["delete"]


def _load_balancer_pool(network: NetworkManagementClient, subnet_id: str) -> str:
    lb = network.load_balancers.begin_create_or_update(
        "rg-nic",
        "lb-internal",
        nm.LoadBalancer(
            location="westeurope",
            sku=nm.LoadBalancerSku(name="Standard"),
            frontend_ip_configurations=[
                nm.FrontendIPConfiguration(name="fe", subnet=nm.Subnet(id=subnet_id))
            ],
            backend_address_pools=[nm.BackendAddressPool(name="pool")],
        ),
    ).result()
    return str(lb.backend_address_pools[0].id)


def _import_plans_no_op(cloud: Cloud, nic_id: str, nsg_id: str) -> None:
    ws = cloud.workspace(
        f"""
import {{
  to = azurerm_network_interface.nic
  id = "{nic_id}"
}}

import {{
  to = azurerm_network_interface_security_group_association.nic
  id = "{nic_id}|{nsg_id}"
}}
""",
        name="imported",
    )
    result = cloud.tf.run(["plan", "-input=false", "-no-color", "-generate-config-out=generated.tf"], ws)
    assert result.rc == 0, result.stdout + result.stderr
    generated = (ws / "generated.tf").read_text()
    assert re.search(r'private_ip_address\s+= "10.0.1.10"', generated)
    plan = cloud.plan_json(ws)
    assert {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]} == {
        "azurerm_network_interface.nic": ["no-op"],
        "azurerm_network_interface_security_group_association.nic": ["no-op"],
    }


def test_ip_configurations_are_checked_as_azurerm_does(cloud: Cloud) -> None:
    ws = cloud.workspace(
        """
locals {
  subnet = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
}

resource "azurerm_network_interface" "bad" {
  name                = "nic"
  location            = "westeurope"
  resource_group_name = "rg"

  ip_configuration {
    name                          = "one"
    private_ip_address_allocation = "Dynamic"
  }
  ip_configuration {
    name                          = "two"
    subnet_id                     = local.subnet
    private_ip_address_allocation = "dynamic"
  }
}
"""
    )
    text = "\n".join(d.detail or d.summary for d in cloud.tf.validate(ws) if d.is_error)
    assert "a Subnet ID must be specified for an IPv4 Network Interface" in text
    assert "expected private_ip_address_allocation to be one of ['Dynamic', 'Static'], got dynamic" in text
    assert "if multiple `ip_configurations` are specified - one must be designated as `primary`" in text
