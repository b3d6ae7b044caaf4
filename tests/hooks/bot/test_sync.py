"""`reconcile bot sync` on the sandbox: one pull request per drifted workspace, kept in step with it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.mgmt.network import NetworkManagementClient
from bot_world import World
from bot_world import cloud
from bot_world import world
from bot_world import ws
from sandbox_cloud import Cloud

from hooks.bot.locks import take
from providers.azure import apps
from providers.azure.sdk import client
from reconciler.cli import main
from state.sqlite import SqliteStore

__all__ = ["cloud", "world", "ws"]


def _pips(cloud: Cloud, upn: str, app: str) -> Any:
    return client(NetworkManagementClient, cloud.endpoint(upn=upn, appid=app)).public_ip_addresses


def _writes(world: World) -> list[tuple[str, str]]:
    return [r for r in world.github.requests if r[0] != "GET"]


def test_drift_opens_one_pull_request_that_sync_keeps_in_step_and_closes(world: World, cloud: Cloud) -> None:
    pips = _pips(cloud, "alice@contoso.com", apps.AZURE_PORTAL)
    pip = pips.get("rg-apply", "pip-a")
    pip.idle_timeout_in_minutes = 10
    pips.begin_create_or_update("rg-apply", "pip-a", pip).result()

    report = world.sync()
    [result] = report.workspaces
    assert (result.action, result.pull_request, report.exit_code) == ("opened", 1, 2)
    [pr] = world.github.open_pulls()
    assert pr["head"] == "reconcile/drift/root" and pr["base"] == "main"
    # Who, what, through which tool: the body is the scan's report, and the commit codifies the change.
    assert "alice@contoso.com via portal" in pr["body"] and "`idle_timeout_in_minutes`" in pr["body"]
    assert "### What this pull request changes" in pr["body"]
    head = world.remote.branch("reconcile/drift/root")
    assert world.remote.behind_ahead("main", "reconcile/drift/root") == (0, 1)
    assert "idle_timeout_in_minutes = 10" in world.remote.files(head or "", "main.tf")
    assert "Reconcile-Fingerprint: " in world.remote.message(head or "")
    assert world.github.labels[1] == ["reconcile", "drift"]
    assert world.git("status", "--porcelain") == ""  # the bot's own clone is untouched

    # The same drift again: nothing is written anywhere.
    writes = len(_writes(world))
    again = world.sync()
    assert [w.action for w in again.workspaces] == ["unchanged"] and again.exit_code == 2
    assert len(_writes(world)) == writes and world.remote.branch("reconcile/drift/root") == head

    # More drift: the same pull request, a new commit, a new body.
    pip = pips.get("rg-apply", "pip-b")
    pip.tags = {"env": "prod"}
    pips.begin_create_or_update("rg-apply", "pip-b", pip).result()
    updated = world.sync()
    assert [(w.action, w.pull_request) for w in updated.workspaces] == [("updated", 1)]
    assert len(world.github.open_pulls()) == 1 and world.remote.branch("reconcile/drift/root") != head
    assert "`azurerm_public_ip.b`" in world.github.pulls[1]["body"]
    assert world.github.comments_on(1)[-1].startswith("The drift changed")

    # Someone puts the cloud back: the drift is gone, so is the pull request (with a word why).
    for name, change in (("pip-a", {"idle_timeout_in_minutes": 4}), ("pip-b", {"tags": {"env": "dev"}})):
        pip = pips.get("rg-apply", name)
        for key, value in change.items():
            setattr(pip, key, value)
        pips.begin_create_or_update("rg-apply", name, pip).result()
    closed = world.sync()
    assert [(w.action, w.pull_request) for w in closed.workspaces] == [
        ("closed", 1)
    ] and closed.exit_code == 0
    assert world.github.pulls[1]["state"] == "closed"
    assert world.github.comments_on(1)[-1].startswith("No drift is left")
    assert [w.action for w in world.sync().workspaces] == ["in_sync"]


def test_a_deletion_only_a_revert_can_fix_gets_a_pull_request_that_says_so(
    world: World, cloud: Cloud
) -> None:
    _pips(cloud, "bob@contoso.com", apps.AZURE_CLI).begin_delete("rg-apply", "pip-b").result()
    [result] = world.sync().workspaces
    assert result.action == "opened"
    body = world.github.pulls[1]["body"]
    assert "### Only a revert can fix" in body and "`/reconcile revert`" in body
    assert "bob@contoso.com via cli" in body
    assert world.github.labels[1] == ["reconcile", "drift", "revert-only"]
    head = world.remote.branch("reconcile/drift/root") or ""
    assert world.remote.message(head).startswith("reconcile: drift in root that only a revert can fix")


def test_a_lock_of_a_pull_request_closed_while_the_bot_was_down_is_released_by_sync(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    world.git("push", "-q", "origin", "HEAD:refs/heads/feature")
    world.git("commit", "-q", "--allow-empty", "-m", "feature work")
    world.git("push", "-q", "origin", "HEAD:refs/heads/feature")
    world.git("reset", "-q", "--hard", "HEAD~1")
    pr = world.bot().forge.open_pr("feature", "main", "feature", "")
    with SqliteStore(world.root / ".reconcile" / "state.db") as store:
        take(store, str(world.root), f"github:octo/infra#{pr.number}", "/reconcile plan", "alice")
    world.github.close(pr.number)  # no webhook reaches the bot: it was down
    for key, value in world.env.items():
        monkeypatch.setenv(key, value)

    capsys.readouterr()
    assert main(["bot", "sync", "--format", "json"]) == 0  # in sync: nothing drifted
    report = json.loads(capsys.readouterr().out)
    assert report["locks_released"] == [{"workspace": ".", "pull_request": pr.number, "state": "closed"}]
    assert [w["action"] for w in report["workspaces"]] == ["in_sync"]
    assert world.github.token not in json.dumps(report)
    assert main(["lock", "status"]) == 0 and capsys.readouterr().out.strip() == "unlocked"
    assert main(["audit", "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)["rows"]
    assert (row["action"], row["result"]) == ("lock-release", "released")
    assert f"pull request github:octo/infra#{pr.number}" in row["error"] and "closed" in row["error"]
