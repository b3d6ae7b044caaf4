"""Importing an unmanaged resource: Terraform's generated configuration, cleaned as a person would.

The generated text below is what ``terraform plan -generate-config-out`` writes with the sandbox's
azurerm provider (see test_plans.py for the run against real Terraform).
"""

from __future__ import annotations

from pathlib import Path

from reconciler.propose.edits import Decline
from reconciler.propose.edits import import_block
from reconciler.propose.edits import import_unmanaged
from reconciler.propose.edits import resource_name
from reconciler.workspace import load_config
from state.report import Drift

SUB = "/subscriptions/11111111-2222-3333-4444-555555555555"
GROUP = f"{SUB}/resourceGroups/demo-rg"
PIP = f"{GROUP}/providers/Microsoft.Network/publicIPAddresses/pip-hotfix"
NIC = f"{GROUP}/providers/Microsoft.Network/networkInterfaces/web-nic"
LB = f"{GROUP}/providers/Microsoft.Network/loadBalancers/web-lb"

GENERATED = f"""\
# __generated__ by Terraform
# Please review these resources and move them into your main configuration files.

# __generated__ by Terraform from "{LB}"
resource "azurerm_public_ip" "other" {{
  allocation_method = "Dynamic"
  location          = "westeurope"
  name              = "other"
}}

# __generated__ by Terraform from "{PIP}"
resource "azurerm_public_ip" "pip_hotfix" {{
  allocation_method       = "Static"
  ddos_protection_mode    = "VirtualNetworkInherited"
  ddos_protection_plan_id = null
  domain_name_label       = null
  domain_name_label_scope = null
  edge_zone               = null
  fqdn                    = "pip-hotfix.westeurope.cloudapp.azure.com"
  idle_timeout_in_minutes = 4
  ip_tags                 = {{}}
  ip_version              = "IPv4"
  location                = "westeurope"
  name                    = "pip-hotfix"
  public_ip_prefix_id     = null
  resource_group_name     = "demo-rg"
  reverse_fqdn            = null
  sku                     = "Standard"
  sku_tier                = "Regional"
  tags = {{
    who = "bob"
  }}
  zones = ["1", "2"]
}}
"""

CLEANED = """\
resource "azurerm_public_ip" "pip_hotfix" {
  allocation_method   = "Static"
  location            = "westeurope"
  name                = "pip-hotfix"
  resource_group_name = azurerm_resource_group.main.name
  tags = {
    who = "bob"
  }
  zones = ["1", "2"]
}
"""

MAIN = """\
resource "azurerm_resource_group" "main" {
  name     = "demo-rg"
  location = "westeurope"
}
"""


def unmanaged(resource_id: str, type_: str = "azurerm_public_ip") -> Drift:
    return Drift("unmanaged", None, type_, resource_id)


def test_import_block() -> None:
    assert import_block("azurerm_public_ip.pip_hotfix", PIP) == (
        f'import {{\n  to = azurerm_public_ip.pip_hotfix\n  id = "{PIP}"\n}}\n'
    )


def test_nulls_defaults_and_computed_values_go_and_the_group_becomes_a_reference(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN)
    managed = {"azurerm_resource_group.main": {"id": GROUP, "name": "demo-rg", "location": "westeurope"}}
    edits = import_unmanaged(load_config(tmp_path), unmanaged(PIP), GENERATED, managed, tmp_path)
    assert not isinstance(edits, Decline), edits
    [edit] = edits
    assert (edit.path, edit.before) == ("imported.tf", "")
    assert edit.after == import_block("azurerm_public_ip.pip_hotfix", PIP) + "\n" + CLEANED.replace(
        '  location            = "westeurope"', "  location            = azurerm_resource_group.main.location"
    )
    (tmp_path / "imported.tf").write_text(edit.after)
    assert load_config(tmp_path).block_for("azurerm_public_ip.pip_hotfix") is not None


def test_an_unmanaged_group_stays_a_literal_and_names_never_collide(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN.replace("main", "other").replace("demo-rg", "other-rg"))
    (tmp_path / "imported.tf").write_text(
        import_block("azurerm_public_ip.pip_hotfix", f"{PIP}-old")
        + "\n"
        + CLEANED.replace("pip-hotfix", "old")
    )
    config = load_config(tmp_path)
    edits = import_unmanaged(config, unmanaged(PIP), GENERATED, {}, tmp_path)
    assert not isinstance(edits, Decline), edits
    [edit] = edits
    assert edit.path == "imported.tf" and edit.before == (tmp_path / "imported.tf").read_text()
    added = edit.after[len(edit.before) :]
    assert added.startswith("\nimport {\n  to = azurerm_public_ip.pip_hotfix_2\n")
    assert 'resource "azurerm_public_ip" "pip_hotfix_2" {' in added
    assert '  resource_group_name = "demo-rg"\n' in added
    assert resource_name(config, unmanaged(f"{GROUP}/providers/x/y/2nd-IP.v6")) == "r_2nd_ip_v6"


def test_ids_of_managed_resources_become_references_even_in_lists(tmp_path: Path) -> None:
    generated = f"""\
resource "azurerm_linux_virtual_machine" "vm" {{
  admin_username        = "azureuser"
  availability_set_id   = null
  location              = "westeurope"
  name                  = "web-9"
  network_interface_ids = ["{NIC}", "{NIC}-2"]
  priority              = "Regular"
  resource_group_name   = "demo-rg"
  size                  = "Standard_B1s"
  virtual_machine_id    = "0000-1111"
  os_disk {{
    caching                   = "ReadWrite"
    disk_size_gb              = 30
    name                      = "web-9-osdisk"
    storage_account_type      = "Standard_LRS"
    write_accelerator_enabled = false
  }}
  boot_diagnostics {{
    storage_account_uri = "https://demodiag.blob.core.windows.net/"
  }}
  timeouts {{
    create = null
  }}
}}
"""
    (tmp_path / "main.tf").write_text(MAIN)
    blob = "https://demodiag.blob.core.windows.net/"
    managed = {
        "azurerm_storage_account.diagnostics": {"id": f"{GROUP}/p/demodiag", "primary_blob_endpoint": blob},
        "azurerm_network_interface.web[0]": {"id": NIC},
        "module.net.azurerm_network_interface.this": {"id": f"{NIC}-2"},
        "azurerm_resource_group.main": {"id": GROUP, "name": "demo-rg", "location": "northeurope"},
    }
    vm = f"{GROUP}/providers/Microsoft.Compute/virtualMachines/web-9"
    edits = import_unmanaged(
        load_config(tmp_path), unmanaged(vm, "azurerm_linux_virtual_machine"), generated, managed, tmp_path
    )
    assert not isinstance(edits, Decline), edits
    assert edits[0].after.split("\n\n", 1)[1] == (
        'resource "azurerm_linux_virtual_machine" "web_9" {\n'
        '  admin_username        = "azureuser"\n'
        '  location              = "westeurope"\n'
        '  name                  = "web-9"\n'
        f'  network_interface_ids = [azurerm_network_interface.web[0].id, "{NIC}-2"]\n'
        "  resource_group_name   = azurerm_resource_group.main.name\n"
        '  size                  = "Standard_B1s"\n'
        "\n"
        "  os_disk {\n"
        '    caching              = "ReadWrite"\n'
        "    disk_size_gb         = 30\n"
        '    name                 = "web-9-osdisk"\n'
        '    storage_account_type = "Standard_LRS"\n'
        "  }\n"
        "\n"
        "  boot_diagnostics {\n"
        "    storage_account_uri = azurerm_storage_account.diagnostics.primary_blob_endpoint\n"
        "  }\n"
        "}\n"
    )
    # (the group is in northeurope: "westeurope" is not its location, and stays a literal)


def test_generated_text_without_the_resource_is_declined(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN)
    result = import_unmanaged(
        load_config(tmp_path), unmanaged(NIC, "azurerm_network_interface"), GENERATED, {}, tmp_path
    )
    assert result == Decline(
        f"the generated configuration holds 0 azurerm_network_interface blocks, none for {NIC}"
    )


def test_names_of_managed_resources_become_references_when_one_is_meant(tmp_path: Path) -> None:
    subnet = f"{GROUP}/providers/Microsoft.Network/virtualNetworks/demo-vnet/subnets/hotfix"
    generated = """\
resource "azurerm_subnet" "hotfix" {
  address_prefixes     = ["10.0.9.0/24"]
  name                 = "hotfix"
  resource_group_name  = "demo-rg"
  virtual_network_name = "demo-vnet"
}
"""
    (tmp_path / "main.tf").write_text(MAIN)
    managed = {
        "azurerm_resource_group.main": {"id": GROUP, "name": "demo-rg", "location": "westeurope"},
        "azurerm_virtual_network.main": {"id": f"{GROUP}/providers/x/demo-vnet", "name": "demo-vnet"},
        # Same name, another group: not the one meant.
        "azurerm_virtual_network.other": {
            "id": f"{SUB}/resourceGroups/other-rg/p/x/demo-vnet",
            "name": "demo-vnet",
        },
    }
    edits = import_unmanaged(
        load_config(tmp_path), unmanaged(subnet, "azurerm_subnet"), generated, managed, tmp_path
    )
    assert not isinstance(edits, Decline), edits
    assert edits[0].after.split("\n\n", 1)[1] == (
        'resource "azurerm_subnet" "hotfix" {\n'
        '  address_prefixes     = ["10.0.9.0/24"]\n'
        '  name                 = "hotfix"\n'
        "  resource_group_name  = azurerm_resource_group.main.name\n"
        "  virtual_network_name = azurerm_virtual_network.main.name\n"
        "}\n"
    )
    # Two networks of that name in the group: the literal stays.
    managed["azurerm_virtual_network.twin"] = {"id": f"{GROUP}/providers/y/demo-vnet", "name": "demo-vnet"}
    edits = import_unmanaged(
        load_config(tmp_path), unmanaged(subnet, "azurerm_subnet"), generated, managed, tmp_path
    )
    assert not isinstance(edits, Decline), edits
    assert '  virtual_network_name = "demo-vnet"\n' in edits[0].after
