"""Rule edits checked by real Terraform against the sandbox: after the edit, the plan is a no-op.

Each test applies a small configuration, changes the cloud out of band through the Azure SDK (as a
person would), derives the drift from Terraform's own refresh, and plans again after the edit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from azure.mgmt.network import NetworkManagementClient
from sandbox_cloud import Cloud
from sandbox_cloud import cloud

from providers.azure.mapping import MAPPINGS
from providers.azure.sdk import client
from reconciler.drift.compare import compare
from reconciler.propose.edits import Decline
from reconciler.propose.edits import accept_deleted
from reconciler.propose.edits import codify
from reconciler.propose.edits import import_block
from reconciler.propose.edits import import_unmanaged
from reconciler.workspace import load_config
from sandbox.az import Az
from sandbox.az import endpoint_for
from state.proposal import FileEdit
from state.report import Drift

__all__ = ["cloud"]  # the fixture, for the tests below

GROUP = """
resource "azurerm_resource_group" "main" {
  name     = "edits-rg"
  location = "westeurope"
  tags = {
    environment = "test"
  }
}
"""

NSG = """
resource "azurerm_network_security_group" "web" {
  name                = "edits-nsg"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name

  security_rule {
    name                       = "allow-http"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "80"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }
}

resource "azurerm_managed_disk" "data" {
  name                 = "edits-data"
  location             = azurerm_resource_group.main.location
  resource_group_name  = azurerm_resource_group.main.name
  storage_account_type = "Standard_LRS"
  create_option        = "Empty"
  disk_size_gb         = var.data_disk_size_gb
}
"""

VARIABLES = """\
variable "data_disk_size_gb" {
  description = "Size of the data disk."
  type        = number
  default     = 32
}
"""


def drifts(cloud: Cloud, ws: Path) -> list[Drift]:
    """What drifted, from Terraform's refresh, compared the way the drift engine compares."""
    plan = cloud.plan_json(ws, "-refresh-only")
    out = []
    for entry in plan.get("resource_drift", []):
        change = entry["change"]
        if change["after"] is None:
            out.append(Drift("deleted", entry["address"], entry["type"], change["before"]["id"]))
            continue
        found = compare(MAPPINGS[entry["type"]].schema, change["before"], change["after"])
        if found:
            out.append(
                Drift("changed", entry["address"], entry["type"], change["before"]["id"], tuple(found))
            )
    return out


def write(ws: Path, edits: list[FileEdit] | Decline) -> None:
    assert not isinstance(edits, Decline), edits
    for edit in edits:
        (ws / edit.path).write_text(edit.after)
    load_config(ws)


def test_codified_drift_plans_no_op(cloud: Cloud) -> None:
    ws = cloud.workspace(GROUP + NSG)
    (ws / "variables.tf").write_text(VARIABLES)
    cloud.tf.apply(ws)
    sub = cloud.subscription
    bob = Az(endpoint_for(cloud.sandbox.url, sub, "bob@contoso.com", "cli"))
    group_id = f"/subscriptions/{sub}/resourceGroups/edits-rg"
    bob.tag_add(group_id, {"owner": "bob"})
    bob.nsg_rule_create("edits-rg", "edits-nsg", "allow-ssh", priority=200, destination_port_ranges=["22"])
    bob.disk_update("edits-rg", "edits-data", 64)

    found = drifts(cloud, ws)
    assert sorted(d.address or "" for d in found) == [
        "azurerm_managed_disk.data",
        "azurerm_network_security_group.web",
        "azurerm_resource_group.main",
    ]
    state = cloud.state(ws)
    for drift in found:
        write(ws, codify(load_config(ws), drift, state[drift.address or ""]))
    assert "default     = 64\n" in (ws / "variables.tf").read_text()
    assert '    owner       = "bob"\n' in (ws / "main.tf").read_text()
    assert not cloud.tf.plan(ws).changed


def test_an_accepted_deletion_is_forgotten_without_a_change(cloud: Cloud) -> None:
    ws = cloud.workspace(GROUP + NSG.split('\nresource "azurerm_managed_disk"')[0])
    cloud.tf.apply(ws)
    group = f"/subscriptions/{cloud.subscription}/resourceGroups/edits-rg"
    nsg = f"{group}/providers/Microsoft.Network/networkSecurityGroups/edits-nsg"
    Az(endpoint_for(cloud.sandbox.url, cloud.subscription, "alice@contoso.com", "portal")).resource_delete(
        nsg
    )

    [drift] = drifts(cloud, ws)
    assert drift.kind == "deleted"
    edits = accept_deleted(load_config(ws), drift)
    write(ws, edits)
    assert "removed {\n  from = azurerm_network_security_group.web\n" in (ws / "main.tf").read_text()
    plan = cloud.plan_json(ws)
    actions = {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]}
    # Terraform forgets the instance: nothing is created again, nothing else changes.
    assert actions == {
        "azurerm_network_security_group.web": ["forget"],
        "azurerm_resource_group.main": ["no-op"],
    }


def test_an_unmanaged_resource_is_imported_with_references_and_plans_no_op(cloud: Cloud) -> None:
    network = """
resource "azurerm_virtual_network" "main" {
  name                = "edits-vnet"
  address_space       = ["10.0.0.0/16"]
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
}

resource "azurerm_subnet" "web" {
  name                 = "web"
  resource_group_name  = azurerm_resource_group.main.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.0.1.0/24"]
}
"""
    ws = cloud.workspace(GROUP + network)
    cloud.tf.apply(ws)
    sub = cloud.subscription
    group = f"/subscriptions/{sub}/resourceGroups/edits-rg"
    subnet = f"{group}/providers/Microsoft.Network/virtualNetworks/edits-vnet/subnets/web"
    net = client(NetworkManagementClient, cloud.endpoint())
    ip_config: dict[str, Any] = {
        "name": "internal",
        "properties": {"subnet": {"id": subnet}, "privateIPAllocationMethod": "Dynamic"},
    }
    body: Any = {
        "location": "westeurope",
        "tags": {"owner": "bob"},
        "properties": {"ipConfigurations": [ip_config]},
    }
    net.network_interfaces.begin_create_or_update("edits-rg", "nic-hotfix", body).result()
    nic = f"{group}/providers/Microsoft.Network/networkInterfaces/nic-hotfix"

    # What the proposer does in a scratch copy: an import block, and Terraform's generated configuration.
    (ws / "scratch_import.tf").write_text(import_block("azurerm_network_interface.nic_hotfix", nic))
    cloud.tf.plan(ws, extra_args=("-generate-config-out=generated.tf",))
    generated = (ws / "generated.tf").read_text()
    (ws / "scratch_import.tf").unlink()
    (ws / "generated.tf").unlink()

    drift = Drift("unmanaged", None, "azurerm_network_interface", nic)
    edits = import_unmanaged(load_config(ws), drift, generated, cloud.state(ws), ws)
    assert not isinstance(edits, Decline), edits
    [edit] = edits
    assert (edit.path, edit.before) == ("imported.tf", "")
    assert edit.after == (
        "import {\n"
        "  to = azurerm_network_interface.nic_hotfix\n"
        f'  id = "{nic}"\n'
        "}\n"
        "\n"
        'resource "azurerm_network_interface" "nic_hotfix" {\n'
        "  location            = azurerm_resource_group.main.location\n"
        '  name                = "nic-hotfix"\n'
        "  resource_group_name = azurerm_resource_group.main.name\n"
        "  tags = {\n"
        '    owner = "bob"\n'
        "  }\n"
        "\n"
        "  ip_configuration {\n"
        '    name                          = "internal"\n'
        "    primary                       = true\n"
        '    private_ip_address            = "10.0.1.4"\n'
        '    private_ip_address_allocation = "Dynamic"\n'
        "    subnet_id                     = azurerm_subnet.web.id\n"
        "  }\n"
        "}\n"
    )
    write(ws, edits)
    outcome = cloud.tf.plan(ws)
    assert outcome.summary.imported == 1
    assert (outcome.summary.add, outcome.summary.change, outcome.summary.remove) == (0, 0, 0)


COUNTED_VMS = """
resource "azurerm_virtual_network" "main" {
  name                = "edits-vnet"
  address_space       = ["10.0.0.0/16"]
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
}

resource "azurerm_subnet" "web" {
  name                 = "web"
  resource_group_name  = azurerm_resource_group.main.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.0.1.0/24"]
}

resource "azurerm_network_interface" "web" {
  count               = 3
  name                = "edits-web-${count.index}-nic"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name

  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.web.id
    private_ip_address_allocation = "Dynamic"
  }
}

variable "vm_size" {
  type    = string
  default = "Standard_B1s"
}

variable "tags" {
  type    = map(string)
  default = { environment = "test" }
}

resource "azurerm_linux_virtual_machine" "web" {
  count                 = 3
  name                  = "edits-web-${count.index}"
  resource_group_name   = azurerm_resource_group.main.name
  location              = azurerm_resource_group.main.location
  size                  = var.vm_size
  admin_username        = "azureuser"
  network_interface_ids = [azurerm_network_interface.web[count.index].id]
  tags                  = var.tags

  admin_ssh_key {
    username   = "azureuser"
    public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheSandboxOnlyDoNotUseAnywhere0000 demo"
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
"""


def test_one_drifted_count_instance_is_codified_and_the_others_stay(cloud: Cloud) -> None:
    ws = cloud.workspace(GROUP + COUNTED_VMS)
    cloud.tf.apply(ws)
    sub = cloud.subscription
    bob = Az(endpoint_for(cloud.sandbox.url, sub, "bob@contoso.com", "cli"))
    bob.vm_resize("edits-rg", "edits-web-1", "Standard_B2s")
    group = f"/subscriptions/{sub}/resourceGroups/edits-rg"
    vm0 = f"{group}/providers/Microsoft.Compute/virtualMachines/edits-web-0"
    bob.tag_add(vm0, {"owner": "bob"})

    # The network's refresh also reports its subnet (written apart from it): not what this test is about.
    found = [d for d in drifts(cloud, ws) if d.type == "azurerm_linux_virtual_machine"]
    assert sorted(d.address or "" for d in found) == [
        "azurerm_linux_virtual_machine.web[0]",
        "azurerm_linux_virtual_machine.web[1]",
    ]
    state = cloud.state(ws)
    for drift in found:
        write(ws, codify(load_config(ws), drift, state[drift.address or ""]))
    main = (ws / "main.tf").read_text()
    assert '  size                  = count.index == 1 ? "Standard_B2s" : var.vm_size\n' in main
    assert (
        '  tags                  = count.index == 0 ? merge(var.tags, { owner = "bob" }) : var.tags\n' in main
    )
    plan = cloud.plan_json(ws)
    actions = {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]}
    assert {a for a in actions if a.startswith("azurerm_linux_virtual_machine.")} == {
        f"azurerm_linux_virtual_machine.web[{i}]" for i in range(3)
    }
    assert set(map(tuple, actions.values())) == {("no-op",)}
