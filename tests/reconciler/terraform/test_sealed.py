"""The sealed environment: what a Terraform process validating a proposal can read of ours."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.terraform.engine import EmbeddedEngine
from reconciler.terraform.sealed import sealed_environ
from reconciler.terraform.terraform import Terraform

SHELL = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": "/home/ops",
    "ARM_CLIENT_ID": "11111111-2222-3333-4444-555555555555",
    "ARM_CLIENT_SECRET": "arm-client-secret-value",
    "TF_VAR_location": "westeurope",
    "TF_LOG": "TRACE",
    "TF_TOKEN_app_terraform_io": "tfc-token-value",
    "RECONCILE_AZURE_ENDPOINT": "http://127.0.0.1:1",
    "RECONCILE_LLM_API_KEY": "sk-llm-key-value",
    "MY_LLM_KEY": "sk-other-llm-key",
    "GITHUB_TOKEN": "ghp_forge_token_value",
    "AWS_SECRET_ACCESS_KEY": "aws-secret-value",
}


def test_only_what_terraform_and_the_provider_need_is_kept() -> None:
    sealed = sealed_environ(SHELL, drop=("MY_LLM_KEY",))
    assert set(sealed) == {
        "PATH",
        "HOME",
        "ARM_CLIENT_ID",
        "ARM_CLIENT_SECRET",  # the provider signs in with it
        "TF_VAR_location",
        "RECONCILE_AZURE_ENDPOINT",
    }


def test_an_llm_key_is_dropped_whatever_its_variable_is_called() -> None:
    assert "ARM_LLM_KEY" not in sealed_environ({"ARM_LLM_KEY": "sk"}, drop=("ARM_LLM_KEY",))


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_terraform_in_the_sealed_environment_sees_none_of_the_rest(tmp_path: Path) -> None:
    # What a configuration that got past every other check could read: the process environment.
    (tmp_path / "main.tf").write_text(
        'output "environ" {\n  value = replace(file("/proc/self/environ"), "\\u0000", "\\n")\n}\n'
    )
    with Terraform(EmbeddedEngine(), base_env=sealed_environ(SHELL)) as tf:
        result = tf.run(["apply", "-auto-approve", "-input=false", "-no-color"], tmp_path)
        assert result.rc == 0, result.stderr
        shown = tf.run(["output", "-raw", "environ"], tmp_path).stdout
    names = {line.split("=", 1)[0] for line in shown.splitlines() if "=" in line}
    assert "ARM_CLIENT_ID" in names and "TF_VAR_location" in names
    for leaked in ("RECONCILE_LLM_API_KEY", "MY_LLM_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "TF_LOG"):
        assert leaked not in names
    for value in ("sk-llm-key-value", "ghp_forge_token_value", "aws-secret-value", "tfc-token-value"):
        assert value not in shown
