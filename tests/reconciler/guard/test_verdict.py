"""Verdicts on single drifts against a configuration loaded from disk: secrets, instances, touching inputs."""

from __future__ import annotations

from pathlib import Path

from reconciler.guard.verdict import Context
from reconciler.guard.verdict import judge
from reconciler.workspace import load_config
from state.report import MASK
from state.report import Change
from state.report import Drift

VM_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web-{}"
MAIN = """
variable "size" {
  type = string
}
variable "password" {
  type      = string
  sensitive = true
  default   = "hunter2-default"
}
resource "azurerm_linux_virtual_machine" "web" {
  count          = 2
  size           = var.size
  admin_password = var.password
  custom_data    = "c2VjcmV0"
}
"""


def _ctx(tmp_path: Path, staged: tuple[str, ...], tfvars: str = 'size = "Standard_B1s"\n') -> Context:
    (tmp_path / "main.tf").write_text(MAIN)
    (tmp_path / "terraform.tfvars").write_text(tfvars)
    return Context(load_config(tmp_path), (), {}, frozenset(staged), (), stale=False)


def _changed(i: int, *changes: Change) -> Drift:
    vm = "azurerm_linux_virtual_machine"
    return Drift("changed", f"{vm}.web[{i}]", vm, VM_ID.format(i), changes=changes)


def test_secrets_from_the_configuration_never_reach_the_verdict(tmp_path: Path) -> None:
    drift = _changed(0, Change("admin_password", MASK, MASK), Change("custom_data", MASK, MASK))
    finding = judge(drift, _ctx(tmp_path, ("main.tf",)))
    assert finding is not None and finding.verdict == "blocked"
    assert [(a.outcome, a.configured) for a in finding.attributes] == [("unknown", MASK), ("unknown", MASK)]
    assert "hunter2" not in repr(finding) and "c2VjcmV0" not in repr(finding)


def test_a_variables_file_feeds_the_resource_and_can_codify_it(tmp_path: Path) -> None:
    drift = _changed(1, Change("size", "Standard_B1s", "Standard_B2s"))
    blocked = judge(drift, _ctx(tmp_path, ("terraform.tfvars",)))
    assert blocked is not None and blocked.verdict == "blocked"
    assert blocked.touched_by == (("terraform.tfvars", ("var.size, line 1",)),)
    codified = judge(drift, _ctx(tmp_path, ("terraform.tfvars",), 'size = "Standard_B2s"\n'))
    assert codified is not None and codified.verdict == "codified"


def test_a_deleted_instance_that_count_no_longer_makes_is_codified(tmp_path: Path) -> None:
    vm = "azurerm_linux_virtual_machine"
    deleted = Drift("deleted", f"{vm}.web[1]", vm, VM_ID.format(1))
    ctx = _ctx(tmp_path, ("main.tf",))
    assert judge(deleted, ctx).verdict == "blocked"  # type: ignore[union-attr]
    (tmp_path / "main.tf").write_text(MAIN.replace("count          = 2", "count          = 1"))
    assert judge(deleted, ctx._replace(config=load_config(tmp_path))).verdict == "codified"  # type: ignore[union-attr]


def test_unmanaged_and_unreadable_resources_are_not_judged(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, ("main.tf",))
    assert judge(Drift("unmanaged", None, "azurerm_public_ip", "/x"), ctx) is None
    assert (
        judge(Drift("unknown", "azurerm_linux_virtual_machine.web[0]", "t", "/y", reason="500"), ctx) is None
    )
