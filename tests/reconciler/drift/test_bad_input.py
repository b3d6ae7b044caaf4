"""Bad input to `reconcile drift`: one clear line, exit 1, and nothing written to the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.cli import main

CONFIG = 'resource "azurerm_resource_group" "rg" {\n  name     = "rg"\n  location = "westeurope"\n}\n'


def _run(workspace: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(["drift", str(workspace), "--format", "json", *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1, err
    assert not (workspace / ".reconcile" / "state.db").exists()
    return err[0]


def _state(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_empty_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no Terraform configuration" in _run(tmp_path, capsys)


def test_hcl_syntax_error_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    (tmp_path / "broken.tf").write_text('resource "azurerm_resource_group" "x" {\n  name = \n}\n')
    assert "broken.tf:" in _run(tmp_path, capsys)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "terraform.tfstate"),
        ('{"version": 4, "serial": 1, "resources": [', "truncated"),
        (json.dumps({"version": 3, "serial": 1, "modules": []}), "state version 3 is not supported"),
        ("", "terraform.tfstate"),
    ],
)
def test_bad_state_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    state = _state(tmp_path / "terraform.tfstate", content)
    assert expected in _run(tmp_path, capsys, "--state", str(state))


def test_bad_ignore_rule_names_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    (tmp_path / "reconcile.toml").write_text('[[ignore]]\nattributes = ["tags"]\n')
    state = _state(
        tmp_path / "terraform.tfstate",
        json.dumps({"version": 4, "serial": 1, "lineage": "x", "resources": []}),
    )
    line = _run(tmp_path, capsys, "--state", str(state))
    assert "reconcile.toml: ignore[0]: give an address or a type" in line
