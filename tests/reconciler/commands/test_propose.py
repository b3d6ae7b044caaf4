"""`reconcile propose` refuses an output it cannot write before it does anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import main


@pytest.mark.parametrize(("flag", "where"), [("--patch", "missing/fix.patch"), ("--output", "a-directory")])
def test_an_unwritable_file_is_refused_before_proposing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, where: str
) -> None:
    (tmp_path / "main.tf").write_text('resource "azurerm_resource_group" "rg" {\n  name = "rg"\n}\n')
    (tmp_path / "a-directory").mkdir()
    assert main(["propose", str(tmp_path), flag, str(tmp_path / where)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"reconcile: error: {flag} {tmp_path / where}: "), err
    assert not (tmp_path / ".reconcile").exists()  # nothing scanned, nothing recorded
