from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.cli import main

MAIN_TF = 'resource "terraform_data" "a" {\n  input = "x"\n}\n'
TERRAFORM_BINARY = Path("/usr/local/bin/terraform")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RECONCILE_TERRAFORM", raising=False)
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "main.tf").write_text(MAIN_TF)
    return tmp_path / "proj"


def test_chdir_plan_passes_through_output_and_exit_code(
    project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert main(["terraform", "-chdir=proj", "init", "-no-color"]) == 0
    assert main(["terraform", "-chdir=proj", "plan", "-no-color", "-detailed-exitcode"]) == 2
    out, err = capfd.readouterr()
    assert "Terraform has been successfully initialized!" in out
    assert "# terraform_data.a will be created" in out
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in out
    assert err == ""
    # Terraform's -chdir moved its own process, not ours.
    assert Path.cwd() == project.parent


def test_terraform_errors_come_back_as_its_exit_code(
    project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    (project / "main.tf").write_text('resource "terraform_data" "a" {\n  bogus = 1\n}\n')
    assert main(["terraform", f"-chdir={project}", "validate", "-json"]) == 1
    out, _ = capfd.readouterr()
    [diagnostic] = json.loads(out)["diagnostics"]
    assert diagnostic["summary"] == "Unsupported argument"


def test_engine_comes_from_the_chdir_workspace_config(
    project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    (project / "reconcile.toml").write_text('[terraform]\nengine = "tofux"\n')
    assert main(["terraform", "-chdir=proj", "version"]) == 1
    _, err = capfd.readouterr()
    assert err == 'reconcile: error: proj/reconcile.toml: terraform.engine: "tofux" is not on PATH\n'


@pytest.mark.skipif(not TERRAFORM_BINARY.is_file(), reason=f"no Terraform binary at {TERRAFORM_BINARY}")
def test_environment_selects_a_binary_engine(
    project: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["terraform", "version"]) == 0
    monkeypatch.setenv("RECONCILE_TERRAFORM", str(TERRAFORM_BINARY))
    assert main(["terraform", "version"]) == 0
    embedded, binary = capfd.readouterr().out.split("on linux", 1)
    assert embedded.startswith("Terraform v1.15.")
    assert "Terraform v1.15." not in binary
    assert "Terraform v" in binary
