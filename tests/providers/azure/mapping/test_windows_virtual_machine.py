"""azurerm_windows_virtual_machine through real Terraform, in an availability set.

One apply serves the whole lifecycle: no-op plan, the drift engine agreeing, an in-place update, the
changes that force replacement, out-of-band drift, import, destroy.
"""

from __future__ import annotations

import re
from pathlib import Path

from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as cm
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as nm
from azure.mgmt.resource.resources import ResourceManagementClient
from sandbox_cloud import Cloud

from providers.azure.sdk import client
from reconciler.drift.run import DriftOptions
from reconciler.drift.run import run_drift
from reconciler.scenario import terraform_env

PASSWORD = "Sandbox-Passw0rd!"
SSH_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7sandboxkey azureuser@example"
ADDRESS = "azurerm_windows_virtual_machine.vm"

CONFIG = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-win"
  location = "westeurope"
}

resource "azurerm_virtual_network" "vnet" {
  name                = "win-network"
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
  name                = "win-nic"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name

  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.internal.id
    private_ip_address_allocation = "Dynamic"
  }
}

resource "azurerm_availability_set" "web" {
  name                = "web-as"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_windows_virtual_machine" "vm" {
  name                  = "win-web-1"
  resource_group_name   = azurerm_resource_group.rg.name
  location              = azurerm_resource_group.rg.location
  size                  = "%(size)s"
  admin_username        = "azureadmin"
  admin_password        = "%(password)s"
  network_interface_ids = [azurerm_network_interface.nic.id]
  %(extra)s

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
  }

  source_image_reference {
    publisher = "MicrosoftWindowsServer"
    offer     = "WindowsServer"
    sku       = "2022-datacenter"
    version   = "latest"
  }
}
"""

IN_SET = "availability_set_id = azurerm_availability_set.web.id"

IMPORT = """
import {
  to = azurerm_windows_virtual_machine.vm
  id = "%s"
}
"""


def _config(size: str = "Standard_D2s_v5", extra: str = IN_SET, password: str = PASSWORD) -> str:
    return CONFIG % {"size": size, "extra": extra, "password": password}


def _changes(plan: dict) -> dict[str, dict]:
    return {c["address"]: c["change"] for c in plan["resource_changes"]}


def test_windows_vm_lifecycle_in_an_availability_set(cloud: Cloud) -> None:
    ws = cloud.workspace(_config())
    cloud.tf.apply(ws)
    state = cloud.state(ws)
    vm = state[ADDRESS]
    avset = state["azurerm_availability_set.web"]
    assert vm["id"].endswith("/resourceGroups/rg-win/providers/Microsoft.Compute/virtualMachines/win-web-1")
    assert vm["computer_name"] == "win-web-1" and vm["availability_set_id"].lower() == avset["id"].lower()
    assert (vm["patch_mode"], vm["automatic_updates_enabled"], vm["hotpatching_enabled"]) == (
        "AutomaticByOS",
        True,
        False,
    )
    assert vm["private_ip_address"].startswith("10.0.2.") and vm["virtual_machine_id"]
    assert vm["admin_password"] == PASSWORD  # write-only: ARM never returns it, state keeps it
    compute = client(ComputeManagementClient, cloud.endpoint(upn="ops@example.com"))
    live = compute.virtual_machines.get("rg-win", "win-web-1")
    assert live.storage_profile.os_disk.os_type == "Windows" and live.os_profile.admin_password is None
    members = compute.availability_sets.get("rg-win", "web-as").virtual_machines
    assert [m.id.lower() for m in members] == [vm["id"].lower()]
    assert cloud.tf.plan(ws).changed is False

    # The drift engine reads the VM through the same mapping: in sync; a Windows VM made outside
    # Terraform is an unmanaged azurerm_windows_virtual_machine, not a Linux one.
    rogue = _sdk_vm(cloud, "rg-win", "rogue", state["azurerm_subnet.internal"]["id"])
    report = run_drift(DriftOptions(ws, store=False, attribution=False, environ=terraform_env(cloud.sandbox)))
    assert [d for d in report.drifts if d.address in (ADDRESS, "azurerm_availability_set.web")] == []
    [unmanaged] = [d for d in report.drifts if d.resource_id.lower() == rogue.id.lower()]
    assert (unmanaged.kind, unmanaged.type) == ("unmanaged", "azurerm_windows_virtual_machine")
    compute.virtual_machines.begin_delete("rg-win", "rogue").result()  # its disk and NIC go with it

    # In place: the size (and the password stays out of the update: ARM takes it on creation only).
    cloud.workspace(_config(size="Standard_D4s_v5"))
    assert _changes(cloud.plan_json(ws))[ADDRESS]["actions"] == ["update"]
    cloud.tf.apply(ws)
    assert compute.virtual_machines.get("rg-win", "win-web-1").hardware_profile.vm_size == "Standard_D4s_v5"
    assert cloud.tf.plan(ws).changed is False

    # ARM refuses to change these in place: the plan replaces the VM.
    for extra, path in (
        (f'{IN_SET}\n  timezone = "UTC"', "timezone"),
        (f"{IN_SET}\n  automatic_updates_enabled = false", "automatic_updates_enabled"),
        ("", "availability_set_id"),
    ):
        cloud.workspace(_config(size="Standard_D4s_v5", extra=extra))
        change = _changes(cloud.plan_json(ws))[ADDRESS]
        assert change["actions"] == ["delete", "create"] and change["replace_paths"] == [[path]]
    cloud.workspace(_config(size="Standard_D4s_v5"))

    # Out of band: a resize in the portal is drift a refresh-only plan reports.
    update = cm.VirtualMachineUpdate(hardware_profile=cm.HardwareProfile(vm_size="Standard_D8s_v5"))
    compute.virtual_machines.begin_update("rg-win", "win-web-1", update).result()
    [drift] = [d for d in cloud.plan_json(ws, "-refresh-only")["resource_drift"] if d["address"] == ADDRESS]
    assert (drift["change"]["before"]["size"], drift["change"]["after"]["size"]) == (
        "Standard_D4s_v5",
        "Standard_D8s_v5",
    )

    # Import by id: like azurerm, the generated configuration cannot know the password. The user adds
    # it (any value: an imported VM's state holds azurerm's placeholder), and the plan is a no-op.
    imported = cloud.workspace(IMPORT % vm["id"], name="imported")
    generated = _generate(cloud, imported)
    assert "admin_username" in generated and PASSWORD not in generated
    unset = re.compile(r"admin_password\s+= null # sensitive")
    assert unset.search(generated)
    (imported / "generated.tf").write_text(unset.sub('admin_password = "Another-Passw0rd!"', generated))
    [change] = cloud.plan_json(imported)["resource_changes"]
    assert change["change"]["actions"] == ["no-op"] and change["change"]["importing"]["id"] == vm["id"]

    cloud.tf.destroy(ws)
    assert list(compute.virtual_machines.list_all()) == []
    assert list(compute.disks.list()) == []
    assert list(compute.availability_sets.list_by_subscription()) == []


def test_azurerm_checks_names_passwords_and_placement_before_calling_arm(cloud: Cloud) -> None:
    extra = f'{IN_SET}\n  zone = "1"\n  computer_name = "web-frontend-0001"'
    ws = cloud.workspace(_config(extra=extra, password="password"))
    messages = [d.detail or d.summary for d in cloud.tf.validate(ws) if d.is_error]
    assert '"availability_set_id": conflicts with zone' in messages  # a VM in a set has no zone
    assert '"computer_name" can be at most 15 characters, got 17' in messages
    assert any(m.startswith('"admin_password" has to fulfill 3 out of these 4 conditions') for m in messages)


def test_a_linux_vm_does_not_import_as_windows(cloud: Cloud) -> None:
    endpoint = cloud.endpoint(upn="ops@example.com")
    client(ResourceManagementClient, endpoint).resource_groups.create_or_update(
        "rg-lx", {"location": "westeurope"}
    )
    network = client(NetworkManagementClient, endpoint)
    vnet = nm.VirtualNetwork(
        location="westeurope",
        address_space=nm.AddressSpace(address_prefixes=["10.1.0.0/16"]),
        subnets=[nm.Subnet(name="default", address_prefix="10.1.0.0/24")],
    )
    subnet = network.virtual_networks.begin_create_or_update("rg-lx", "lx-net", vnet).result().subnets[0]
    linux = _sdk_vm(cloud, "rg-lx", "lx1", str(subnet.id), windows=False)
    ws = cloud.workspace(IMPORT % linux.id + _config(), name="linux")
    outcome = cloud.tf.run(["plan", "-no-color"], ws)
    assert outcome.rc != 0
    assert "resource only supports Windows Virtual Machines" in outcome.stderr + outcome.stdout


def _generate(cloud: Cloud, workdir: Path) -> str:
    cloud.tf.run(["plan", "-generate-config-out=generated.tf", "-no-color"], workdir)
    return (workdir / "generated.tf").read_text()


def _sdk_vm(cloud: Cloud, group: str, name: str, subnet_id: str, windows: bool = True) -> cm.VirtualMachine:
    """A VM made with the SDK, outside Terraform, with a NIC of its own."""
    endpoint = cloud.endpoint(upn="ops@example.com")
    config = nm.NetworkInterfaceIPConfiguration(name="ipconfig1", subnet=nm.Subnet(id=subnet_id))
    nic = (
        client(NetworkManagementClient, endpoint)
        .network_interfaces.begin_create_or_update(
            group, f"{name}-nic", nm.NetworkInterface(location="westeurope", ip_configurations=[config])
        )
        .result()
    )
    if windows:
        image = cm.ImageReference(
            publisher="MicrosoftWindowsServer", offer="WindowsServer", sku="2022-datacenter"
        )
        profile = cm.OSProfile(computer_name=name, admin_username="azureadmin", admin_password=PASSWORD)
    else:
        image = cm.ImageReference(
            publisher="Canonical", offer="0001-com-ubuntu-server-jammy", sku="22_04-lts"
        )
        profile = cm.OSProfile(
            computer_name=name,
            admin_username="azureuser",
            linux_configuration=cm.LinuxConfiguration(
                disable_password_authentication=True,
                ssh=cm.SshConfiguration(
                    public_keys=[
                        cm.SshPublicKey(path="/home/azureuser/.ssh/authorized_keys", key_data=SSH_KEY)
                    ]
                ),
            ),
        )
    model = cm.VirtualMachine(
        location="westeurope",
        hardware_profile=cm.HardwareProfile(vm_size="Standard_B2s"),
        storage_profile=cm.StorageProfile(
            image_reference=image,
            os_disk=cm.OSDisk(create_option="FromImage", delete_option="Delete"),
        ),
        os_profile=profile,
        network_profile=cm.NetworkProfile(
            network_interfaces=[cm.NetworkInterfaceReference(id=nic.id, delete_option="Delete")]
        ),
    )
    compute = client(ComputeManagementClient, endpoint)
    return compute.virtual_machines.begin_create_or_update(group, name, model).result()
