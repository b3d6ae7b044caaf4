"""Static evaluation of what a configuration says, on configurations loaded by the real workspace loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.guard.expression import Evaluator
from reconciler.guard.expression import Scope
from reconciler.guard.values import Absent
from reconciler.guard.values import Unknown
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
  zone     = timestamp()
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
    scope = Scope.of(parse_address(address), block.body.get("for_each"))
    return Evaluator(config, environ or {}).value(block.body.get(name), scope)


def test_variables_locals_and_templates_resolve_to_what_terraform_would_use(tmp_path: Path) -> None:
    config = _config(tmp_path)
    vm = "azurerm_linux_virtual_machine.web[1]"
    assert _attr(config, vm, "name") == "demo-web-1"
    assert _attr(config, vm, "size") == "Standard_B1s"  # the default: no tfvars entry
    assert _attr(config, vm, "tags") == {"owner": "platform", "env": "dev"}
    assert _attr(config, vm, "priority") == "REGULAR"  # a pure function of literals


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
    assert _attr(config, vm, "zone") == Unknown("timestamp()")  # not pure: only at plan time
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


CODIFIED = """
variable "size" {
  default = "Standard_B1s"
}
variable "sizes" {
  default = { a = "Standard_B1s", b = "Standard_B1s" }
}
locals {
  tags = { env = "prod", team = "core" }
}
resource "azurerm_linux_virtual_machine" "web" {
  count = 3
  size  = count.index == 1 ? "Standard_B2s" : (count.index == 2 ? "Standard_D2s" : var.size)
  tags  = count.index == 0 ? merge(local.tags, { owner = "alice", "cost-center" = 42 }) : local.tags
  zone  = count.index == 0 ? "1" : azurerm_resource_group.main.location
}
resource "azurerm_linux_virtual_machine" "fleet" {
  for_each = var.sizes
  size     = each.key == "b" ? "Standard_B2ms" : each.value
  priority = each.key != "a" && length(var.sizes) > 1 ? "Spot" : "Regular"
  name     = "vm-${each.key}-${lookup(var.sizes, each.key, "none") == "Standard_B1s" ? "small" : "big"}"
}
"""


def test_the_shapes_reconciles_codify_writes_evaluate_per_instance(tmp_path: Path) -> None:
    """``count.index == N ? live : expr``, ``each.key == "k" ? …``, ``merge(expr, {k = v})``: the check
    reads them as Terraform does, so a codified instance is codified and the others are untouched."""
    (tmp_path / "main.tf").write_text(CODIFIED)
    config = load_config(tmp_path)
    web = "azurerm_linux_virtual_machine.web"
    assert [_attr(config, f"{web}[{i}]", "size") for i in range(3)] == [
        "Standard_B1s",
        "Standard_B2s",
        "Standard_D2s",
    ]
    assert _attr(config, f"{web}[0]", "tags") == {
        "env": "prod",
        "team": "core",
        "owner": "alice",
        "cost-center": 42,
    }
    assert _attr(config, f"{web}[1]", "tags") == {"env": "prod", "team": "core"}
    # Only the branch taken is evaluated: the other may be what only Terraform knows.
    assert _attr(config, f"{web}[0]", "zone") == "1"
    assert isinstance(_attr(config, f"{web}[1]", "zone"), Unknown)
    fleet = "azurerm_linux_virtual_machine.fleet"
    assert _attr(config, f'{fleet}["a"]', "size") == "Standard_B1s"
    assert _attr(config, f'{fleet}["b"]', "size") == "Standard_B2ms"
    assert _attr(config, f'{fleet}["a"]', "priority") == "Regular"
    assert _attr(config, f'{fleet}["b"]', "priority") == "Spot"
    assert _attr(config, f'{fleet}["a"]', "name") == "vm-a-small"


def test_a_condition_only_terraform_knows_leaves_the_whole_value_unknown(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "azurerm_linux_virtual_machine" "vm" {\n'
        '  size = azurerm_resource_group.main.location == "westeurope" ? "A" : "B"\n'
        '  name = 1 == "1" ? "loose" : "strict"\n'
        '  zone = merge({ a = 1 }, "not a map")\n'
        "}\n"
    )
    config = load_config(tmp_path)
    vm = "azurerm_linux_virtual_machine.vm"
    assert _attr(config, vm, "size") == Unknown(
        'azurerm_resource_group.main.location == "westeurope" ? "A" : "B"'
    )
    assert _attr(config, vm, "name") == "strict"  # Terraform's == compares types too
    assert isinstance(_attr(config, vm, "zone"), Unknown)  # Terraform would refuse it: no guess


def test_a_dynamic_block_makes_one_block_per_element_its_iterator_unknown(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "rules" {\n  default = ["ssh", "http"]\n}\n'
        'resource "azurerm_network_security_group" "nsg" {\n'
        "  count = 2\n"
        '  dynamic "security_rule" {\n'
        "    for_each = count.index == 0 ? var.rules : []\n"
        "    content {\n"
        "      name     = security_rule.value\n"
        "      priority = 100\n"
        "    }\n"
        "  }\n"
        "}\n"
    )
    config = load_config(tmp_path)
    raw = config.block_for("azurerm_network_security_group.nsg")
    assert raw is not None
    evaluator = Evaluator(config, {})
    first = evaluator.dynamic(raw.body["dynamic"], "security_rule", Scope((), 0))
    assert first == [{"name": Unknown("security_rule.value"), "priority": 100}] * 2
    assert evaluator.dynamic(raw.body["dynamic"], "security_rule", Scope((), 1)) == []
    assert isinstance(evaluator.dynamic(raw.body["dynamic"], "other", Scope((), 0)), Absent)
    # Without the instance's key the number of blocks is not known.
    assert evaluator.dynamic(raw.body["dynamic"], "security_rule", Scope(())) == Unknown(
        'dynamic "security_rule"'
    )
