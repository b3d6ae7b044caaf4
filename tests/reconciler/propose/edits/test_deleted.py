"""Accepting a deletion: the resource block gives way to a ``removed {}`` block, where it stood."""

from __future__ import annotations

import shutil
from pathlib import Path

from reconciler.propose.edits import Decline
from reconciler.propose.edits import accept_deleted
from reconciler.workspace import load_config
from state.report import Drift

MAIN = """\
resource "azurerm_resource_group" "main" {
  name     = "demo-rg"
  location = "westeurope"
}

# Boot diagnostics for the VMs (kept for audits).
resource "azurerm_storage_account" "diagnostics" {
  name                     = "demodiag"
  resource_group_name      = azurerm_resource_group.main.name
  location                 = azurerm_resource_group.main.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

output "group" {
  value = azurerm_resource_group.main.name
}
"""

REMOVED = """\
# Boot diagnostics for the VMs (kept for audits).
removed {
  from = azurerm_storage_account.diagnostics

  lifecycle {
    destroy = false
  }
}
"""


def deleted(address: str) -> Drift:
    return Drift("deleted", address, address.split(".")[-2], "/subscriptions/s/resourceGroups/demo-rg/x")


def test_the_block_is_replaced_by_a_removed_block_in_place(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN)
    (tmp_path / "versions.tf").write_text('terraform {\n  required_version = ">= 1.7"\n}\n')
    edits = accept_deleted(load_config(tmp_path), deleted("azurerm_storage_account.diagnostics"))
    assert not isinstance(edits, Decline), edits
    [edit] = edits
    start = MAIN.index("# Boot")
    end = MAIN.index("output")
    assert (edit.path, edit.before) == ("main.tf", MAIN)
    assert edit.after == MAIN[:start] + REMOVED + "\n" + MAIN[end:]
    (tmp_path / "main.tf").write_text(edit.after)
    assert load_config(tmp_path).block_for("azurerm_storage_account.diagnostics") is None


def test_a_resource_still_referenced_is_declined(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        MAIN + '\noutput "blob" {\n  value = azurerm_storage_account.diagnostics.primary_blob_endpoint\n}\n'
    )
    result = accept_deleted(load_config(tmp_path), deleted("azurerm_storage_account.diagnostics"))
    assert result == Decline(
        "azurerm_storage_account.diagnostics is still referenced by an output (main.tf:20)"
    )
    # A mention in a comment is not a reference.
    (tmp_path / "main.tf").write_text(MAIN + "# azurerm_storage_account.diagnostics.id was here\n")
    assert not isinstance(
        accept_deleted(load_config(tmp_path), deleted("azurerm_storage_account.diagnostics")), Decline
    )


def test_one_instance_of_a_counted_resource_is_declined(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        MAIN.replace('  name                     = "demodiag"', '  count = 2\n  name = "diag${count.index}"')
    )
    result = accept_deleted(load_config(tmp_path), deleted("azurerm_storage_account.diagnostics[1]"))
    assert result == Decline(
        "azurerm_storage_account.diagnostics uses count: removing its block would forget every instance"
    )


def test_in_a_module_the_removed_block_goes_in_the_module(tmp_path: Path) -> None:
    (tmp_path / "modules" / "diag").mkdir(parents=True)
    module = MAIN.replace("azurerm_resource_group.main.name", '"demo-rg"').replace(
        "azurerm_resource_group.main.location", '"westeurope"'
    )
    (tmp_path / "modules" / "diag" / "main.tf").write_text(module)
    (tmp_path / "main.tf").write_text('module "diag" {\n  source = "./modules/diag"\n}\n')
    edits = accept_deleted(load_config(tmp_path), deleted("module.diag.azurerm_storage_account.diagnostics"))
    assert not isinstance(edits, Decline), edits
    [edit] = edits
    assert edit.path == "modules/diag/main.tf"
    assert "removed {\n  from = azurerm_storage_account.diagnostics\n" in edit.after


def test_the_example_projects_diagnostics_account_is_still_read_by_the_vms(tmp_path: Path) -> None:
    example = Path(__file__).parents[4] / "examples" / "azure-vm"
    root = Path(shutil.copytree(example, tmp_path / "azure-vm"))
    result = accept_deleted(load_config(root), deleted("azurerm_storage_account.diagnostics"))
    assert result == Decline(
        "azurerm_storage_account.diagnostics is still referenced by azurerm_linux_virtual_machine.web "
        "(main.tf:150)"
    )
