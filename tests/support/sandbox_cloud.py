"""Test support: a sandbox on loopback, the sandbox provider installed for it, and real embedded Terraform."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from providers.azure.sdk import Endpoint
from providers.azure.sdk import sandbox_credential
from reconciler.terraform.engine import EmbeddedEngine
from reconciler.terraform.terraform import Terraform
from sandbox.environment import client_environment
from sandbox.server import Sandbox

PROVIDER_HEADER = """\
terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
}
"""


class Cloud:
    """What a test needs: the running sandbox, an SDK endpoint into it, and Terraform wired to it."""

    def __init__(self, sandbox: Sandbox, tf: Terraform, root: Path) -> None:
        self.sandbox = sandbox
        self.tf = tf
        self.root = root
        self.subscription = sandbox.identity.subscription

    def endpoint(self, **claims: Any) -> Endpoint:
        return Endpoint(self.sandbox.url, self.subscription, sandbox_credential(**claims))

    def workspace(self, source: str, name: str = "ws", header: bool = True) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        (path / "main.tf").write_text((PROVIDER_HEADER if header else "") + source)
        return path

    def plan_json(self, workdir: Path, *args: str) -> dict[str, Any]:
        outcome = self.tf.plan(workdir, out=workdir / "tfplan", extra_args=args)
        assert outcome.planfile is not None
        return self.tf.show_plan_json(outcome.planfile, workdir)

    def state(self, workdir: Path) -> dict[str, dict[str, Any]]:
        """Resource address → attribute values, from ``terraform show -json``."""
        doc = self.tf.show_state_json(workdir)
        out: dict[str, dict[str, Any]] = {}

        def walk(module: dict[str, Any]) -> None:
            for r in module.get("resources", []):
                out[r["address"]] = r["values"]
            for child in module.get("child_modules", []):
                walk(child)

        walk(doc.get("values", {}).get("root_module", {}))
        return out


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[Cloud]:
    data_dir = tmp_path / "sandbox"
    with Sandbox(data_dir) as sandbox:
        env = client_environment(sandbox.url, data_dir)
        with Terraform(EmbeddedEngine(), env=env, base_env=dict(os.environ)) as tf:
            yield Cloud(sandbox, tf, tmp_path)


@contextmanager
def exported(env: dict[str, str]) -> Iterator[None]:
    """``env`` in this process's environment for the duration (for commands run in-process)."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True)
