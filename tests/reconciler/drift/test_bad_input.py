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


def _state_doc(lineage: str | None) -> str:
    doc: dict[str, object] = {"version": 4, "terraform_version": "1.15.5", "serial": 1, "resources": []}
    if lineage is not None:
        doc["lineage"] = lineage
    return json.dumps(doc)


def test_a_state_without_lineage_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    state = _state(tmp_path / "terraform.tfstate", _state_doc(None))
    assert _run(tmp_path, capsys, "--state", str(state)).endswith(
        'not a state Terraform wrote (no "lineage")'
    )


def test_a_foreign_state_is_not_recorded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    ours = _state(tmp_path / "ours.tfstate", _state_doc("lineage-of-this-workspace"))
    theirs = _state(tmp_path / "theirs.tfstate", _state_doc("lineage-of-another"))
    assert main(["drift", str(tmp_path), "--state", str(ours), "--format", "json"]) == 0
    store = tmp_path / ".reconcile" / "state.db"
    before = store.read_bytes()
    capsys.readouterr()

    assert main(["drift", str(tmp_path), "--state", str(theirs), "--format", "json"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert (
        "theirs.tfstate: lineage lineage-of-another is not this workspace's (lineage-of-this-workspace"
        in err[0]
    )
    assert store.read_bytes() == before
    # Scanning it without recording is still possible.
    assert main(["drift", str(tmp_path), "--state", str(theirs), "--no-store"]) == 0


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("[drift]\nconcurrency = -5\n", "reconcile.toml: drift.concurrency: must be at least 1, got -5"),
        ("[drift]\nlookback_days = -1\n", "reconcile.toml: drift.lookback_days: must be at least 1, got -1"),
        (
            "[drift]\nlookback_days = 365\n",
            "reconcile.toml: drift.lookback_days: must be at most 90, got 365",
        ),
    ],
)
def test_numbers_out_of_range_name_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, expected: str
) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    (tmp_path / "reconcile.toml").write_text(setting)
    state = _state(tmp_path / "terraform.tfstate", _state_doc("x"))
    assert _run(tmp_path, capsys, "--state", str(state)).endswith(expected)


def test_a_negative_concurrency_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    monkeypatch.setenv("RECONCILE_CONCURRENCY", "-5")
    state = _state(tmp_path / "terraform.tfstate", _state_doc("x"))
    assert _run(tmp_path, capsys, "--state", str(state)).endswith(
        "RECONCILE_CONCURRENCY: must be at least 1, got -5"
    )


@pytest.mark.parametrize("where", ["missing-dir/report.json", "a-directory"])
def test_an_unwritable_output_fails_before_scanning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    (tmp_path / "a-directory").mkdir()
    state = _state(tmp_path / "terraform.tfstate", _state_doc("x"))
    line = _run(tmp_path, capsys, "--state", str(state), "--output", str(tmp_path / where))
    assert line.startswith(f"reconcile: error: --output {tmp_path / where}: ")
