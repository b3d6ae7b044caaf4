"""`reconcile rollback`: an earlier commit's configuration, previewed in a worktree, applied, committed."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from azure.mgmt.network import NetworkManagementClient
from git_workspace import Workspace
from git_workspace import cloud
from git_workspace import ws

from providers.azure.sdk import client
from reconciler.cli import main

__all__ = ["cloud", "ws"]


def _tag(ws: Workspace, tags: str, message: str) -> str:
    main_tf = ws.root / "main.tf"
    text = main_tf.read_text()
    start = text.index("default = {")
    end = text.index("}", start) + 1
    main_tf.write_text(text[:start] + f"default = {tags}" + text[end:])
    return ws.commit_all(message)


def _tags(ws: Workspace) -> list[Any]:
    pips = client(NetworkManagementClient, ws.cloud.endpoint(upn="ops@contoso.com")).public_ip_addresses
    return [pips.get("rg-apply", n).tags for n in ("pip-a", "pip-b")]


def test_rollback_to_a_commit_before_two_applies(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    first = ws.git("rev-parse", "HEAD")
    assert main(["apply", "--yes"]) == 0
    _tag(ws, '{ env = "dev", team = "core" }', "tag the team")
    assert main(["apply", "--yes"]) == 0
    _tag(ws, '{ env = "prod", team = "core" }', "promote to prod")
    assert main(["apply", "--yes"]) == 0
    assert _tags(ws) == [{"env": "prod", "team": "core"}] * 2
    capsys.readouterr()

    # A dry run shows what going back would do and changes nothing.
    assert main(["rollback", "--to", first[:10], "--dry-run", "--format", "json"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert preview["result"] == "planned" and preview["commits"] == []
    assert preview["plan"] == {
        "azurerm_resource_group.rg": ["update"],
        "azurerm_public_ip.a": ["update"],
        "azurerm_public_ip.b": ["update"],
    }
    assert _tags(ws) == [{"env": "prod", "team": "core"}] * 2 and ws.log()[0] == "promote to prod"

    assert main(["rollback", "--to", first[:10], "--yes", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    [restore] = report["commits"]
    assert report["action"] == "rollback" and report["plan"] == preview["plan"]
    assert _tags(ws) == [{"env": "dev"}] * 2
    assert ws.git("rev-parse", "HEAD") == restore and ws.log()[0].startswith(
        f"reconcile: roll back to {first[:12]}"
    )
    assert f"Reconcile-Rollback: {first}" in ws.git("log", "-1", "--format=%B")
    assert ws.git("diff", first, "HEAD", "--", "main.tf") == ""  # the files are the old ones again
    assert ws.log()[1:3] == ["promote to prod", "tag the team"]  # history kept, never rewritten
    assert ws.cloud.tf.plan(ws.root).changed is False

    # The commit names the audit row before it: cutting the newest rows off the chain shows.
    capsys.readouterr()
    assert main(["audit", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["action"] for r in rows] == ["apply", "apply", "apply", "rollback"]
    trailer = [
        x for x in ws.git("log", "-1", "--format=%B").splitlines() if x.startswith("Reconcile-Audit: ")
    ]
    assert len(trailer) == 1 and trailer[0].endswith(f"/3/{rows[2]['hash']}")
    assert main(["audit", "--verify"]) == 0
    assert "1 anchored by commits, all present" in capsys.readouterr().err
    with sqlite3.connect(ws.root / ".reconcile" / "state.db") as db:
        db.execute("DELETE FROM audit WHERE seq >= 3")  # rows 1 and 2 still chain correctly
    assert main(["audit", "--verify"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("reconcile: audit: row 3: commit ") and "rows were cut off" in line


def test_the_default_is_the_configuration_before_the_last_apply(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--yes"]) == 0
    _tag(ws, '{ env = "dev", owner = "pat" }', "add the owner")
    assert main(["apply", "--yes"]) == 0
    assert main(["rollback", "--yes"]) == 0
    assert _tags(ws) == [{"env": "dev"}] * 2


def test_a_commit_applied_again_is_not_its_own_rollback_target(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--yes"]) == 0
    _tag(ws, '{ env = "dev", owner = "pat" }', "add the owner")
    assert main(["apply", "--yes"]) == 0
    assert main(["apply", "--yes"]) == 0  # the same commit once more, as a revert of drift does
    assert main(["rollback", "--yes"]) == 0
    assert _tags(ws) == [{"env": "dev"}] * 2
    # Rolling back to what HEAD already has would only revert drift: that is `apply --revert`.
    capsys.readouterr()
    assert main(["rollback", "--to", "HEAD", "--yes"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "has the configuration HEAD has: nothing to roll back" in line and "apply --revert" in line
