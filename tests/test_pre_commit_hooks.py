"""The real pre-commit runs the hook of .pre-commit-hooks.yaml, installed from this checkout as users do.

The temporary repository's ``.pre-commit-config.yaml`` points at this project's checkout (``repo:`` its
path, ``rev:`` its HEAD commit): pre-commit clones it and pip-installs it into an environment of its own
(about a minute, once per module, from the machine's package index). The workspace is the VM example
applied on a sandbox; bob resizes a VM with the CLI and ``reconcile drift`` stores the scan.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from sandbox_cloud import exported

from reconciler import scenario
from reconciler.cli import main
from sandbox.az import Az
from sandbox.az import endpoint_for

PROJECT = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
VM = "azurerm_linux_virtual_machine.web"

pytestmark = pytest.mark.slow


class Repo(NamedTuple):
    root: Path
    env: dict[str, str]

    def git(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=self.root, env={**self.env, **(env or {})}, capture_output=True, text=True
        )

    def commit(self, message: str, *files: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        """``git add FILES && git commit``: the hook's verdict (the commit's exit code) and its output."""
        assert self.git("add", *files).returncode == 0
        done = self.git("commit", "-m", message, env=env)
        return done.returncode, done.stdout + done.stderr

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.root / name
        text = path.read_text()
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the module: the hook's environment is built once."""
    if subprocess.run(["git", "-C", str(PROJECT), "rev-parse", "HEAD"], capture_output=True).returncode:
        pytest.skip("the project checkout is not a git repository: pre-commit cannot clone it")
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def repo(tmp_path: Path, pre_commit_home: Path) -> Iterator[Repo]:
    """The applied VM example as a git repository with the hook installed, then resized out of band."""
    rev = subprocess.run(
        ["git", "-C", str(PROJECT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    with scenario.estate(tmp_path) as e:
        e.tf.init(e.workspace)
        e.tf.apply(e.workspace)
        env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), **scenario.terraform_env(e.sandbox)}
        env.pop("RECONCILE_ALLOW_REVERT", None)
        r = Repo(e.workspace, env)
        (r.root / ".gitignore").write_text(".terraform*\n*.tfstate*\n")
        (r.root / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {PROJECT}\n    rev: {rev}\n    hooks:\n      - id: reconcile-guard\n"
        )
        for args in (
            ("init", "-q", "-b", "main"),
            ("config", "user.name", "Pat"),
            ("config", "user.email", "p@x"),
        ):
            assert r.git(*args).returncode == 0
        hook = subprocess.run(
            [str(PRE_COMMIT), "install"], cwd=r.root, env=env, capture_output=True, text=True
        )
        assert hook.returncode == 0, hook.stderr
        code, out = r.commit("the VM example", "-A")
        assert code == 0, out
        assert "never been scanned" in out  # passes, with a warning: no scan yet

        bob = Az(endpoint_for(e.sandbox.url, e.subscription, "bob@contoso.com", "cli"))
        bob.vm_resize("demo-rg", "demo-web-1", "Standard_B2s")
        with exported(scenario.terraform_env(e.sandbox)):
            assert main(["drift", str(r.root), "--format", "json", "--output", str(tmp_path / "d.json")]) == 2
        yield r


def test_editing_the_resized_block_is_blocked_naming_the_resource_person_and_tool(repo: Repo) -> None:
    repo.edit("main.tf", "  os_disk {\n", "  # the OS disk stays small\n  os_disk {\n")
    code, out = repo.commit("a comment in the VM block", "main.tf")
    assert code != 0
    assert "reconcile guard" in out and "Failed" in out
    assert f"✗ {VM}[1]" in out
    assert 'size: live "Standard_B2s", the configuration says "Standard_B1s"' in out
    assert "bob@contoso.com via cli" in out
    assert "reconcile propose" in out and "--allow-revert" in out
    assert repo.git("log", "--format=%s").stdout.splitlines() == ["the VM example"]

    # The author means the next apply to size it back down: the commit goes through.
    code, out = repo.commit("size web-1 back down", "main.tf", env={"RECONCILE_ALLOW_REVERT": f"{VM}[1]"})
    assert code == 0, out
    assert f"{VM}[1]: allowed to be reverted" in out


def test_codifying_the_resize_lets_the_commit_through(repo: Repo) -> None:
    repo.edit("terraform.tfvars", '"Standard_B1s"', '"Standard_B2s"')
    code, out = repo.commit("every VM is a B2s now", "terraform.tfvars")
    assert code == 0, out
    assert "Passed" in out and "✗" not in out


def test_a_commit_touching_an_unrelated_file_passes_with_a_warning(repo: Repo) -> None:
    (repo.root / "notes.tf").write_text('output "note" {\n  value = "hello"\n}\n')
    code, out = repo.commit("an output", "notes.tf")
    assert code == 0, out
    assert "Passed" in out
    assert f"! workspace: drift not touched by this commit: {VM}[1]" in out
