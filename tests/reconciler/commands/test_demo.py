"""`reconcile demo`: the README's main-job command, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import main


@pytest.mark.slow
def test_demo_applies_drifts_reports_and_cleans_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--data-dir", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert "terraform apply examples/azure-vm: 24 resources created" in out
    assert "terraform plan: no changes, the cloud matches the code" in out
    assert "reconcile drift: 5 changed" in out
    assert "5 changed · 0 deleted · 0 unmanaged · 0 unknown · scan complete" in out
    # Each drifted resource is attributed to the person and the tool that changed it.
    lines = out.splitlines()
    resized = next(i for i, line in enumerate(lines) if "Standard_B1s → Standard_B2s" in line)
    assert "azurerm_linux_virtual_machine.web[1]" in lines[resized]
    assert "by bob@contoso.com" in lines[resized + 2] and "via cli" in lines[resized + 3]
    grown = next(i for i, line in enumerate(lines) if "disk_size_gb" in line)
    assert "by alice@contoso.com" in lines[grown + 2] and "via portal" in lines[grown + 3]
    assert "terraform plan: the next apply would undo exactly these resources" in out
    assert "reconcile propose: 5 of 5 changes codified" in out
    assert '+  size                  = count.index == 1 ? "Standard_B2s" : var.vm_size' in out
    assert "terraform destroy: 24 resources destroyed" in out
