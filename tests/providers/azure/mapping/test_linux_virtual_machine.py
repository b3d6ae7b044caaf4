"""azurerm_linux_virtual_machine through real Terraform, in the shape of azurerm's public example."""

from __future__ import annotations

from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as cm
from sandbox_cloud import Cloud

from providers.azure.sdk import client

SSH_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7sandboxkey adminuser@example"

NETWORK = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-vm"
  location = "westeurope"
}

resource "azurerm_virtual_network" "vnet" {
  name                = "vm-network"
  address_space       = ["10.0.0.0/16"]
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_subnet" "internal" {
  name                 = "internal"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.0.2.0/24"]
}

resource "azurerm_public_ip" "pip" {
  name                = "vm-pip"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  allocation_method   = "Static"
}

resource "azurerm_network_interface" "nic" {
  name                = "vm-nic"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name

  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.internal.id
    private_ip_address_allocation = "Dynamic"
    public_ip_address_id          = azurerm_public_ip.pip.id
  }
}
"""

VM = """
resource "azurerm_linux_virtual_machine" "vm" {
  name                = "vm1"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  size                = "%(size)s"
  admin_username      = "adminuser"
  network_interface_ids = [azurerm_network_interface.nic.id]
  custom_data           = base64encode("#cloud-config")
  %(priority)s

  admin_ssh_key {
    username   = "adminuser"
    public_key = "%(key)s"
  }

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }

  source_image_reference {
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts"
    version   = "latest"
  }

  boot_diagnostics {}
}
"""


IMPORT = """
import {
  to = azurerm_linux_virtual_machine.vm
  id = "%s"
}
"""


def _vm(size: str = "Standard_F2", priority: str = "") -> str:
    return NETWORK + VM % {"size": size, "priority": priority, "key": SSH_KEY}


def _changes(plan: dict) -> dict[str, dict]:
    return {c["address"]: c["change"] for c in plan["resource_changes"]}


def test_vm_with_public_ip_resize_spot_drift_and_destroy(cloud: Cloud) -> None:
    ws = cloud.workspace(_vm())
    cloud.tf.apply(ws)
    state = cloud.state(ws)
    vm = state["azurerm_linux_virtual_machine.vm"]
    assert vm["id"].endswith("/resourceGroups/rg-vm/providers/Microsoft.Compute/virtualMachines/vm1")
    assert vm["public_ip_address"] == state["azurerm_public_ip.pip"]["ip_address"]
    assert vm["public_ip_addresses"] == [vm["public_ip_address"]]
    assert vm["private_ip_address"].startswith("10.0.2.")
    assert vm["computer_name"] == "vm1" and vm["virtual_machine_id"]
    assert vm["disable_password_authentication"] is True and vm["priority"] == "Regular"
    assert vm["boot_diagnostics"] == [{"storage_account_uri": None}]
    assert vm["custom_data"]  # write-only: ARM never returns it, state keeps it (and plans stay clean)
    [os_disk] = vm["os_disk"]
    compute = client(ComputeManagementClient, cloud.endpoint(upn="ops@example.com"))
    disk = compute.disks.get("rg-vm", os_disk["name"])  # the OS disk is a resource of its own
    assert disk.id == os_disk["id"] and disk.managed_by == vm["id"]
    assert os_disk["disk_size_gb"] == disk.disk_size_gb
    assert cloud.tf.plan(ws).changed is False

    cloud.workspace(_vm(size="Standard_F4"))
    assert _changes(cloud.plan_json(ws))["azurerm_linux_virtual_machine.vm"]["actions"] == ["update"]

    # ARM refuses to change a VM's priority in place: the plan replaces it.
    cloud.workspace(_vm(priority='priority = "Spot"'))
    change = _changes(cloud.plan_json(ws))["azurerm_linux_virtual_machine.vm"]
    assert change["actions"] == ["delete", "create"]
    assert change["replace_paths"] == [["priority"]]
    cloud.workspace(_vm(priority='priority = "Spot"\n  eviction_policy = "Deallocate"'))
    cloud.tf.apply(ws)
    spot = cloud.state(ws)["azurerm_linux_virtual_machine.vm"]
    assert spot["priority"] == "Spot" and spot["max_bid_price"] == -1
    assert spot["virtual_machine_id"] != vm["virtual_machine_id"]
    assert [d.name for d in compute.disks.list()] == [spot["os_disk"][0]["name"]]  # the old OS disk went too
    vm = spot

    # Disabling boot diagnostics in the portal/SDK is drift a refresh-only plan reports.
    update = cm.VirtualMachineUpdate(
        diagnostics_profile=cm.DiagnosticsProfile(boot_diagnostics=cm.BootDiagnostics(enabled=False))
    )
    compute.virtual_machines.begin_update("rg-vm", "vm1", update).result()
    drift = {d["address"]: d["change"] for d in cloud.plan_json(ws, "-refresh-only")["resource_drift"]}
    # (the NIC and the VNet report what ARM filled in after they were written: their VM, their subnet)
    change = drift["azurerm_linux_virtual_machine.vm"]
    assert change["before"]["boot_diagnostics"] == [{"storage_account_uri": None}]
    assert change["after"]["boot_diagnostics"] == []

    # Import by id: the generated configuration plans no change.
    imported = cloud.workspace(IMPORT % vm["id"], name="imported")
    cloud.tf.run(["plan", "-generate-config-out=generated.tf", "-no-color"], imported)
    assert "admin_username" in (imported / "generated.tf").read_text()
    [change] = cloud.plan_json(imported)["resource_changes"]
    assert change["change"]["actions"] == ["no-op"] and change["change"]["importing"]["id"] == vm["id"]

    # Destroy follows azurerm: the OS disk goes with the VM.
    cloud.tf.destroy(ws)
    assert list(compute.virtual_machines.list_all()) == []
    assert list(compute.disks.list()) == []
