from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ConfigError
from reconciler.terraform.cliconfig import terraform_environ, write_cli_config
from reconciler.terraform.engine import EmbeddedEngine
from reconciler.terraform.terraform import Terraform


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


def test_dev_overrides_are_read_by_terraform(tmp_path: Path) -> None:
    provider_dir = tmp_path / 'providers "azurerm"'
    provider_dir.mkdir()
    rc = write_cli_config(tmp_path / "dev.rc", {"hashicorp/azurerm": provider_dir})
    assert 'dev_overrides {\n    "hashicorp/azurerm" = ' in rc.read_text()
    project = tmp_path / "proj"
    project.mkdir()
    (project / "main.tf").write_text('resource "terraform_data" "a" {}\n')
    with Terraform(EmbeddedEngine(), env={"TF_CLI_CONFIG_FILE": str(rc)}) as tf:
        [warning] = tf.plan(project).warnings
    assert warning.summary == "Provider development overrides are in effect"
    assert f"hashicorp/azurerm in {provider_dir}" in warning.detail


def test_a_dollar_sign_cannot_reach_the_cli_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot hold a path with '\$'"):
        write_cli_config(tmp_path / "dev.rc", {"hashicorp/azurerm": Path("/data/$HOME")})
