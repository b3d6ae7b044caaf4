"""What `reconcile apply` refuses: one line, exit 1, nothing applied, nothing committed, the lock free."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from azure.mgmt.network import NetworkManagementClient
from git_workspace import Workspace
from git_workspace import cloud
from git_workspace import ws

from providers.azure.sdk import client
from reconciler.cli import main

__all__ = ["cloud", "ws"]


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(["apply", *args]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("reconcile: error: "), err
    return err[0]


def _untouched(ws: Workspace, head: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert ws.git("rev-parse", "HEAD") == head
    assert ws.git("status", "--porcelain") == ""
    capsys.readouterr()
    assert main(["lock", "status"]) == 0 and capsys.readouterr().out.strip() == "unlocked"
    assert main(["audit", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == []


def _drift_pip_a(ws: Workspace) -> str:
    pips = client(NetworkManagementClient, ws.cloud.endpoint(upn="alice@contoso.com")).public_ip_addresses
    pip = pips.get("rg-apply", "pip-a")
    pip.idle_timeout_in_minutes = 10
    pips.begin_create_or_update("rg-apply", "pip-a", pip).result()
    code, _ = ws.json("drift", str(ws.root))
    assert code == 2
    _, proposals = ws.json("propose", str(ws.root), "--no-llm")
    [proposal] = [p for p in proposals["proposals"] if p["address"] == "azurerm_public_ip.a" and p["valid"]]
    return str(proposal["proposal_id"])


def test_not_a_git_repository(ws: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loose = tmp_path / "loose"
    shutil.copytree(ws.root, loose, ignore=shutil.ignore_patterns(".git"))
    line = _refused(capsys, str(loose), "--yes")
    assert f"{loose}: not in a git work tree" in line


def test_dirty_files_a_missing_proposal_and_a_stale_scan(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    head = ws.git("rev-parse", "HEAD")
    pid = _drift_pip_a(ws)
    main_tf = ws.root / "main.tf"
    clean = main_tf.read_text()
    main_tf.write_text(clean + "\n# work in progress\n")
    assert "uncommitted changes in main.tf" in _refused(capsys, "--proposal", pid, "--yes")
    assert "uncommitted changes in main.tf" in _refused(capsys, "--yes")
    main_tf.write_text(clean)
    assert "no proposal 'p-000000'" in _refused(capsys, "--proposal", "p-000000", "--yes")
    # Someone refreshed the state since the scan: its proposals could undo what they applied.
    ws.cloud.tf.apply(ws.root, extra_args=("-refresh-only",))
    assert "is stale" in _refused(capsys, "--proposal", pid, "--yes")
    _untouched(ws, head, capsys)


def test_a_plan_that_differs_from_the_validated_intent(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    pid = _drift_pip_a(ws)
    # A change committed after the proposal: its diff still applies, but pip-a would now change its tags.
    main_tf = ws.root / "main.tf"
    main_tf.write_text(main_tf.read_text().replace('{ env = "dev" }', '{ env = "test" }'))
    head = ws.commit_all("move to test")
    line = _refused(capsys, "--proposal", pid, "--yes")
    assert "the plan differs from what was validated: azurerm_public_ip.a would update" in line
    assert "idle_timeout_in_minutes = 4" in main_tf.read_text()  # the proposal's edit was taken back
    _untouched(ws, head, capsys)


def test_no_terminal_and_no_yes(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    head = ws.git("rev-parse", "HEAD")
    assert "pass --yes" in _refused(capsys)
    assert "--revert applies no proposal" in _refused(capsys, "--revert", "--all")
    _untouched(ws, head, capsys)


def test_proposal_ids_after_one_flag_and_a_directory_in_their_place(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    head = ws.git("rev-parse", "HEAD")
    # Several ids after one --proposal are all proposals: the first unknown one is named.
    line = _refused(capsys, str(ws.root), "--proposal", "p-000000", "p-111111", "--yes")
    assert "no proposal 'p-000000'" in line
    # A directory after them is the directory, as with one id per flag; among them, it is named.
    line = _refused(capsys, "--proposal", "p-000000", str(ws.root), "--yes")
    assert "no proposal 'p-000000'" in line
    line = _refused(capsys, str(ws.root), "--proposal", str(ws.root), "p-000000", "--yes")
    assert f"--proposal {ws.root}: a directory, not a proposal id; give the directory first" in line
    _untouched(ws, head, capsys)
