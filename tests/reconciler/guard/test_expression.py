"""Static evaluation of what a configuration says, on configurations loaded by the real workspace loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.guard.expression import Absent
from reconciler.guard.expression import Evaluator
from reconciler.guard.expression import Scope
from reconciler.guard.expression import Unknown
from reconciler.workspace import Configuration
from reconciler.workspace import load_config
from reconciler.workspace import parse_address

MAIN = """
variable "size" {
  type    = string
  default = "Standard_B1s"
}
variable "prefix" {
  type = string
}
variable "tags" {
  type    = map(string)
  default = { env = "dev" }
}
variable "disk_gb" {
  type    = number
  default = 32
}
locals {
  name = "${var.prefix}-web"
  all  = { owner = "platform", env = var.tags["env"] }
}
resource "azurerm_linux_virtual_machine" "web" {
  count    = 2
  name     = "${local.name}-${count.index}"
  size     = var.size
  location = azurerm_resource_group.main.location
  tags     = local.all
  priority = upper("regular")
}
module "disk" {
  source = "./disk"
  size   = var.disk_gb
}
"""
MODULE = """
variable "size" { type = number }
resource "azurerm_managed_disk" "d" {
  disk_size_gb = var.size
  name         = "d-%{if true}x%{endif}"
}
"""


def _config(tmp_path: Path, tfvars: str = 'prefix = "demo"\n') -> Configuration:
    (tmp_path / "main.tf").write_text(MAIN)
    (tmp_path / "terraform.tfvars").write_text(tfvars)
    (tmp_path / "disk").mkdir(exist_ok=True)
    (tmp_path / "disk" / "main.tf").write_text(MODULE)
    return load_config(tmp_path)


def _attr(config: Configuration, address: str, name: str, environ: dict[str, str] | None = None) -> Any:
    block = config.block_for(address)
    assert block is not None
    scope = Scope.of(parse_address(address))
    return Evaluator(config, environ or {}).value(block.body.get(name), scope)


def test_variables_locals_and_templates_resolve_to_what_terraform_would_use(tmp_path: Path) -> None:
    config = _config(tmp_path)
    vm = "azurerm_linux_virtual_machine.web[1]"
    assert _attr(config, vm, "name") == "demo-web-1"
    assert _attr(config, vm, "size") == "Standard_B1s"  # the default: no tfvars entry
    assert _attr(config, vm, "tags") == {"owner": "platform", "env": "dev"}


def test_a_tfvars_entry_wins_over_the_environment_and_the_default(tmp_path: Path) -> None:
    env = {"TF_VAR_size": "Standard_D2s"}
    config = _config(tmp_path)
    assert _attr(config, "azurerm_linux_virtual_machine.web[0]", "size", env) == "Standard_D2s"
    config = _config(tmp_path, 'prefix = "demo"\nsize = "Standard_B2s"\n')
    assert _attr(config, "azurerm_linux_virtual_machine.web[0]", "size", env) == "Standard_B2s"


def test_what_only_terraform_can_compute_is_unknown_with_its_source_text(tmp_path: Path) -> None:
    config = _config(tmp_path)
    vm = "azurerm_linux_virtual_machine.web[0]"
    assert _attr(config, vm, "location") == Unknown("azurerm_resource_group.main.location")
    assert _attr(config, vm, "priority") == Unknown('upper("regular")')
    assert isinstance(_attr(config, vm, "admin_username"), type(None))  # not set at all


def test_a_module_variable_comes_from_the_calling_blocks_argument(tmp_path: Path) -> None:
    config = _config(tmp_path, 'prefix = "demo"\ndisk_gb = 64\n')
    assert _attr(config, "module.disk.azurerm_managed_disk.d", "disk_size_gb") == 64
    # A template directive is beyond the evaluator: unknown, never a wrong literal.
    assert isinstance(_attr(config, "module.disk.azurerm_managed_disk.d", "name"), Unknown)


def test_count_index_without_an_instance_key_is_unknown(tmp_path: Path) -> None:
    config = _config(tmp_path)
    block = config.block_for("azurerm_linux_virtual_machine.web")
    assert block is not None
    name = Evaluator(config, {}).value(block.body["name"], Scope((), None))
    assert isinstance(name, Unknown) and not isinstance(name, Absent)


def test_a_sensitive_variable_is_never_read(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "pw" {\n  type      = string\n  sensitive = true\n}\n'
        'resource "azurerm_linux_virtual_machine" "vm" {\n  admin_password = var.pw\n}\n'
    )
    (tmp_path / "terraform.tfvars").write_text('pw = "hunter2"\n')
    config = load_config(tmp_path)
    assert _attr(config, "azurerm_linux_virtual_machine.vm", "admin_password") == Unknown(
        "var.pw (sensitive)"
    )
