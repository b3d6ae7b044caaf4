"""Arguments read from a variable or local that other resources read too: the live value is written on
the drifted resource alone, and the shared value stays for the others."""

from __future__ import annotations

from pathlib import Path

from rule_edits import changed
from rule_edits import declined
from rule_edits import only
from rule_edits import propose
from rule_edits import write

VARIABLES = """\
variable "disk_type" {
  type    = string
  default = "Standard_LRS"
}
"""

DISKS = """\
resource "azurerm_managed_disk" "data" {
  name                 = "data"
  location             = "westeurope"
  resource_group_name  = "demo-rg"
  storage_account_type = var.disk_type
  create_option        = "Empty"
  disk_size_gb         = 32
}

resource "azurerm_managed_disk" "logs" {
  name                 = "logs"
  location             = "westeurope"
  resource_group_name  = "demo-rg"
  storage_account_type = var.disk_type
  create_option        = "Empty"
  disk_size_gb         = 32
  disk_iops_read_write = local.iops
}

locals {
  iops = var.iops
}

variable "iops" {
  type    = number
  default = 500
}

resource "azurerm_managed_disk" "scratch" {
  name                 = "scratch"
  location             = "westeurope"
  resource_group_name  = "demo-rg"
  storage_account_type = "Standard_LRS"
  create_option        = "Empty"
  disk_size_gb         = 32
  disk_iops_read_write = var.iops
}
"""


def test_a_shared_variable_stays_and_the_resource_gets_the_literal(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": DISKS, "variables.tf": VARIABLES})
    drift = changed("azurerm_managed_disk.logs", ("storage_account_type", "Standard_LRS", "Premium_LRS"))
    edit = only(propose(root, drift))
    assert edit.after == DISKS.replace(
        '  name                 = "logs"\n  location             = "westeurope"\n'
        '  resource_group_name  = "demo-rg"\n  storage_account_type = var.disk_type\n',
        '  name                 = "logs"\n  location             = "westeurope"\n'
        '  resource_group_name  = "demo-rg"\n  storage_account_type = "Premium_LRS"\n',
    )
    # Through a local the resource alone reads, to a variable another resource reads: the same.
    edit = only(propose(root, changed("azurerm_managed_disk.logs", ("disk_iops_read_write", 500, 2000))))
    assert "  disk_iops_read_write = 2000\n}\n\nlocals {\n  iops = var.iops\n" in edit.after
    # Unset live: the argument goes from that resource, the variable stays.
    edit = only(propose(root, changed("azurerm_managed_disk.scratch", ("disk_iops_read_write", 500, None))))
    assert "disk_iops_read_write" not in edit.after.split('"scratch"')[1]


def test_a_shared_module_directory_is_still_declined(tmp_path: Path) -> None:
    module = (
        DISKS.split("locals {")[0]
        .replace("var.disk_type", "var.type")
        .replace("  disk_iops_read_write = local.iops\n", "")
    )
    module += 'variable "type" {\n  type = string\n}\n'
    calls = "".join(
        f'module "{m}" {{\n  source = "./modules/disks"\n  type   = "Standard_LRS"\n}}\n\n' for m in "ab"
    )
    root = write(tmp_path, {"main.tf": calls, "modules/disks/main.tf": module})
    drift = changed(
        "module.a.azurerm_managed_disk.logs", ("storage_account_type", "Standard_LRS", "Premium_LRS")
    )
    assert declined(root, drift) == (
        "module.a.azurerm_managed_disk.logs.storage_account_type is in modules/disks, "
        "which module.a shares with module.b"
    )
