"""The CLI config that serves the sandbox provider to Terraform through ``dev_overrides``."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.terraform.engine import EmbeddedEngine
from reconciler.terraform.terraform import Terraform
from sandbox.errors import SandboxError
from sandbox.provider.install import cli_config


def test_dev_overrides_are_read_by_terraform(tmp_path: Path) -> None:
    provider_dir = tmp_path / 'providers "azurerm"'
    provider_dir.mkdir()
    rc = tmp_path / "dev.rc"
    rc.write_text(cli_config(provider_dir))
    assert 'dev_overrides {\n    "hashicorp/azurerm" = ' in rc.read_text()
    project = tmp_path / "proj"
    project.mkdir()
    (project / "main.tf").write_text('resource "terraform_data" "a" {}\n')
    with Terraform(EmbeddedEngine(), env={"TF_CLI_CONFIG_FILE": str(rc)}) as tf:
        [warning] = tf.plan(project).warnings
    assert warning.summary == "Provider development overrides are in effect"
    assert f"hashicorp/azurerm in {provider_dir}" in warning.detail


def test_a_dollar_sign_cannot_reach_the_cli_config(tmp_path: Path) -> None:
    with pytest.raises(SandboxError, match=r"cannot hold a path with '\$'"):
        cli_config(Path("/data/$HOME"))
