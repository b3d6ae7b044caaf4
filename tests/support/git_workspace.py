"""A workspace in a real git repository, applied on a sandbox, and the CLI run as an operator runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sandbox_cloud import Cloud
from sandbox_cloud import cloud

from reconciler.cli import main

__all__ = ["Workspace", "cloud", "ws"]

CONFIG = """
variable "tags" {
  type    = map(string)
  default = { env = "dev" }
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-apply"
  location = "westeurope"
  tags     = var.tags
}

resource "azurerm_public_ip" "a" {
  name                    = "pip-a"
  resource_group_name     = azurerm_resource_group.rg.name
  location                = azurerm_resource_group.rg.location
  allocation_method       = "Static"
  idle_timeout_in_minutes = 4
  tags                    = var.tags
}

resource "azurerm_public_ip" "b" {
  name                = "pip-b"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  allocation_method   = "Static"
  tags                = var.tags
}
"""


class Workspace:
    """``root`` holds main.tf, committed, applied by plain Terraform; ``env`` reaches the sandbox."""

    def __init__(self, cloud: Cloud, root: Path) -> None:
        self.cloud = cloud
        self.root = root
        self.env = {**os.environ, **cloud.tf.environ()}

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True, text=True)
        return done.stdout.strip()

    def commit_all(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-qm", message)
        return self.git("rev-parse", "HEAD")

    def log(self) -> list[str]:
        return self.git("log", "--format=%s").splitlines()

    def json(self, *args: str) -> tuple[int, dict[str, Any]]:
        """Run ``reconcile ARGS --format json`` in this process; the exit code and the document."""
        out = self.root.parent / "out.json"
        code = main([*args, "--format", "json", "--output", str(out)])
        return code, json.loads(out.read_text())

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        """``reconcile ARGS`` as its own process, as a second operator (or a cron job) would run it."""
        return subprocess.Popen(
            [sys.executable, "-P", "-m", "reconciler", *args],
            cwd=self.root,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def state(self) -> dict[str, dict[str, Any]]:
        return self.cloud.state(self.root)


@pytest.fixture
def ws(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    root = cloud.workspace(CONFIG)
    (root / ".gitignore").write_text(".terraform*\n*.tfstate*\n*.tfplan\n")
    workspace = Workspace(cloud, root)
    workspace.git("init", "-q", "-b", "main")
    workspace.git("config", "user.name", "Pat Operator")
    workspace.git("config", "user.email", "pat@example.com")
    workspace.commit_all("the network")
    cloud.tf.apply(root)
    for key, value in cloud.tf.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(root)
    yield workspace
