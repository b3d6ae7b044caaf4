"""`reconcile check` as a person runs it before a commit: git's changed files, text and JSON, the way out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from azure.mgmt.network import NetworkManagementClient
from git_workspace import Workspace
from git_workspace import cloud
from git_workspace import ws

from providers.azure.sdk import client
from reconciler.cli import main
from sandbox.az import endpoint_for

__all__ = ["cloud", "ws"]

PIP_A = "azurerm_public_ip.a"


@pytest.fixture
def drifted(ws: Workspace) -> Workspace:
    """pip-a's idle timeout changed by carol in PowerShell, and scanned."""
    carol = endpoint_for(ws.cloud.sandbox.url, ws.cloud.subscription, "carol@contoso.com", "powershell")
    network = client(NetworkManagementClient, carol)
    pip = network.public_ip_addresses.get("rg-apply", "pip-a")
    pip.idle_timeout_in_minutes = 15
    network.public_ip_addresses.begin_create_or_update("rg-apply", "pip-a", pip).result()
    assert main(["drift", str(ws.root), "--format", "json", "--output", str(ws.root.parent / "d.json")]) == 2
    return ws


def _edit_pip_b(ws: Workspace) -> None:
    main_tf = ws.root / "main.tf"
    main_tf.write_text(
        main_tf.read_text().replace('name                = "pip-b"', 'name                = "pip-b" # b')
    )


def test_the_changed_files_of_the_work_tree_by_default_and_the_way_out(
    drifted: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit_pip_b(drifted)  # main.tf holds pip-a's block too
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "commit blocked" in out
    assert f"✗ {PIP_A}  main.tf:" in out
    assert "idle_timeout_in_minutes: live 15, the configuration says 4" in out
    assert "carol@contoso.com via powershell" in out
    assert "reconcile propose" in out and "[[ignore]]" in out and "--allow-revert" in out

    monkeypatch.setenv("RECONCILE_ALLOW_REVERT", PIP_A)
    assert main(["check"]) == 0
    assert f"{PIP_A}: allowed to be reverted" in capsys.readouterr().out


def test_codified_in_the_file_passes_and_json_says_why(
    drifted: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    main_tf = drifted.root / "main.tf"
    main_tf.write_text(
        main_tf.read_text().replace("idle_timeout_in_minutes = 4", "idle_timeout_in_minutes = 15")
    )
    assert main(["check", "main.tf", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["result"] == "passed"
    [finding] = doc["workspaces"][0]["findings"]
    assert (finding["verdict"], finding["attributes"][0]["configured"]) == ("codified", 15)


def test_an_unrelated_file_passes_with_a_warning(
    drifted: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    (drifted.root / "outputs.tf").write_text('output "x" {\n  value = 1\n}\n')
    assert main(["check", "outputs.tf"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("! ") and "not touched by this commit" in out and PIP_A in out


def test_a_bad_max_age_is_one_line_naming_the_flag(
    drifted: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "main.tf", "--max-age", "3"]) == 1
    assert capsys.readouterr().err.startswith("reconcile: error: --max-age: '3' is not a duration")


def test_outside_git_without_files_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert "not in a git work tree" in capsys.readouterr().err
