from __future__ import annotations

from pathlib import Path

from reconciler.terraform.cliconfig import terraform_environ
from reconciler.terraform.cliconfig import write_cli_config


def test_missing_cli_config_file_is_replaced_and_checkpoint_disabled(tmp_path: Path) -> None:
    base = {"TF_CLI_CONFIG_FILE": str(tmp_path / "missing.rc"), "CHECKPOINT_DISABLE": "", "HOME": "/h"}
    env = terraform_environ(base, {"ARM_CLIENT_ID": "c1", "HOME": "/elsewhere"}, scratch=tmp_path)
    assert env["TF_CLI_CONFIG_FILE"] == str(tmp_path / "terraform.rc")
    assert "disable_checkpoint = true" in (tmp_path / "terraform.rc").read_text()
    assert env["CHECKPOINT_DISABLE"] == "1"
    assert (env["ARM_CLIENT_ID"], env["HOME"]) == ("c1", "/elsewhere")


def test_an_existing_cli_config_file_is_used(tmp_path: Path) -> None:
    theirs = write_cli_config(tmp_path / "theirs.rc")
    env = terraform_environ({"TF_CLI_CONFIG_FILE": str(theirs)}, scratch=tmp_path / "scratch")
    assert env["TF_CLI_CONFIG_FILE"] == str(theirs)
    assert not (tmp_path / "scratch").exists()
