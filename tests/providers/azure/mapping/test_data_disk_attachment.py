"""azurerm_virtual_machine_data_disk_attachment through real Terraform: an entry of the VM's data disks."""

from __future__ import annotations

from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from sandbox_cloud import Cloud

from providers.azure.sdk import client

CONFIG = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-dd"
  location = "westeurope"
}

resource "azurerm_virtual_network" "vnet" {
  name                = "net"
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

resource "azurerm_network_interface" "nic" {
  name                = "nic"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name

  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.internal.id
    private_ip_address_allocation = "Dynamic"
  }
}

resource "azurerm_linux_virtual_machine" "vm" {
  name                  = "vm1"
  resource_group_name   = azurerm_resource_group.rg.name
  location              = azurerm_resource_group.rg.location
  size                  = "%(size)s"
  admin_username        = "adminuser"
  network_interface_ids = [azurerm_network_interface.nic.id]

  admin_ssh_key {
    username   = "adminuser"
    public_key = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7sandboxkey adminuser@example"
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
}

resource "azurerm_managed_disk" "data" {
  name                 = "vm1-data"
  location             = azurerm_resource_group.rg.location
  resource_group_name  = azurerm_resource_group.rg.name
  storage_account_type = "Standard_LRS"
  create_option        = "Empty"
  disk_size_gb         = 10
}

resource "azurerm_virtual_machine_data_disk_attachment" "data" {
  managed_disk_id    = azurerm_managed_disk.data.id
  virtual_machine_id = azurerm_linux_virtual_machine.vm.id
  lun                = %(lun)d
  caching            = "%(caching)s"
}
"""

ADDRESS = "azurerm_virtual_machine_data_disk_attachment.data"
VM_API = "2024-03-01"


def _config(size: str = "Standard_F2", lun: int = 10, caching: str = "ReadWrite") -> str:
    return CONFIG % {"size": size, "lun": lun, "caching": caching}


def _changes(plan: dict) -> dict[str, list[str]]:
    return {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]}


def test_attachment_lives_in_the_vm_and_survives_vm_updates(cloud: Cloud) -> None:
    ws = cloud.workspace(_config())
    cloud.tf.apply(ws)
    state = cloud.state(ws)
    attachment, vm = state[ADDRESS], state["azurerm_linux_virtual_machine.vm"]
    assert attachment["id"] == f"{vm['id']}/dataDisks/vm1-data"
    assert attachment["create_option"] == "Attach" and attachment["write_accelerator_enabled"] is False
    compute = client(ComputeManagementClient, cloud.endpoint(upn="ops@example.com"))
    [data_disk] = compute.virtual_machines.get("rg-dd", "vm1").storage_profile.data_disks
    assert (data_disk.lun, data_disk.caching, data_disk.name) == (10, "ReadWrite", "vm1-data")
    # The VM does not manage its data disks: no plan to drop the attachment.
    assert cloud.tf.plan(ws).changed is False

    # An operator sets something azurerm does not manage on the VM.
    resources = client(ResourceManagementClient, cloud.endpoint(upn="ops@example.com")).resources
    policy = {"userInitiatedReboot": {"automaticallyApprove": True}}
    resources.begin_update_by_id(
        vm["id"], api_version=VM_API, parameters={"properties": {"scheduledEventsPolicy": policy}}
    ).result()

    # Resizing the VM sends what changed: the attachment and the operator's setting stay.
    cloud.workspace(_config(size="Standard_F4", caching="ReadOnly"))
    assert {k: v for k, v in _changes(cloud.plan_json(ws)).items() if v != ["no-op"]} == {
        "azurerm_linux_virtual_machine.vm": ["update"],
        ADDRESS: ["update"],
    }
    cloud.tf.apply(ws)
    machine = compute.virtual_machines.get("rg-dd", "vm1")
    assert machine.hardware_profile.vm_size == "Standard_F4"
    assert [(d.name, d.caching) for d in machine.storage_profile.data_disks] == [("vm1-data", "ReadOnly")]
    assert resources.get_by_id(vm["id"], api_version=VM_API).properties["scheduledEventsPolicy"] == policy
    assert cloud.tf.plan(ws).changed is False

    cloud.workspace(_config(size="Standard_F4", caching="ReadOnly", lun=11))
    [change] = [c["change"] for c in cloud.plan_json(ws)["resource_changes"] if c["address"] == ADDRESS]
    assert change["actions"] == ["delete", "create"] and change["replace_paths"] == [["lun"]]
    cloud.workspace(_config(size="Standard_F4", caching="ReadOnly"))

    imported = cloud.workspace(
        f'import {{\n  to = {ADDRESS}\n  id = "{attachment["id"]}"\n}}\n', name="imported"
    )
    cloud.tf.run(["plan", "-generate-config-out=generated.tf", "-no-color"], imported)
    [change] = cloud.plan_json(imported)["resource_changes"]
    assert change["change"]["actions"] == ["no-op"]

    # Detached out of band: a refresh-only plan reports the attachment gone.
    machine.storage_profile.data_disks = []
    compute.virtual_machines.begin_create_or_update("rg-dd", "vm1", machine).result()
    drift = {d["address"]: d["change"] for d in cloud.plan_json(ws, "-refresh-only")["resource_drift"]}
    assert drift[ADDRESS]["actions"] == ["delete"]

    cloud.tf.destroy(ws)
    assert list(compute.disks.list()) == []
