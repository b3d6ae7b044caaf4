"""The whole story on the sandbox, through signed webhooks: drift → PR → plan → approval → apply → merged;
and every refusal, answered in the pull request."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.network import NetworkManagementClient
from bot_world import SECRET
from bot_world import World
from bot_world import cloud
from bot_world import world
from bot_world import ws
from sandbox_cloud import Cloud

from providers.azure import apps
from providers.azure.sdk import client
from reconciler.cli import main
from sandbox.arm.faults import FaultRule
from state.sqlite import SqliteStore

__all__ = ["cloud", "world", "ws"]


def _pips(cloud: Cloud) -> Any:
    return client(
        NetworkManagementClient, cloud.endpoint(upn="bob@contoso.com", appid=apps.AZURE_CLI)
    ).public_ip_addresses


def _drift(cloud: Cloud) -> None:
    """bob lengthens pip-a's idle timeout (codified by the PR) and deletes pip-b (only a revert fixes it)."""
    pips = _pips(cloud)
    pip = pips.get("rg-apply", "pip-a")
    pip.idle_timeout_in_minutes = 10
    pips.begin_create_or_update("rg-apply", "pip-a", pip).result()
    pips.begin_delete("rg-apply", "pip-b").result()


def _plain(markdown: str) -> str:
    """A comment as it reads once rendered: backslash escapes gone."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _tell(world: World, number: int, login: str, text: str) -> list[str]:
    return [_plain(c) for c in world.tell(number, login, text)]


def _lock(world: World) -> Any:
    with SqliteStore(world.root / ".reconcile" / "state.db") as store:
        return store.lock(str(world.root))


def _audit(world: World, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert main(["audit", "--format", "json"]) == 0
    return list(json.loads(capsys.readouterr().out)["rows"])


def test_drift_to_merged_pull_request(world: World, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    _drift(cloud)
    assert [w.action for w in world.sync().workspaces] == ["opened"]
    assert [w.action for w in world.sync().workspaces] == ["unchanged"]
    [pr] = world.github.open_pulls()
    assert "bob@contoso.com via cli" in pr["body"]
    head = world.remote.branch("reconcile/drift/root")

    with world.serving():
        [planned] = world.tell(1, "alice", "/reconcile plan")
        assert planned.startswith(f"**Planned** `root` at `{(head or '')[:12]}`")
        assert (
            "`azurerm_public_ip.b` create." in planned
            and "<details><summary>Plan output</summary>" in planned
        )
        lock = _lock(world)
        assert lock is not None and lock.holder.pr == "github:octo/infra#1" and lock.holder.user == "alice"
        world.github.approve(1, "carol")
        [applied] = world.tell(1, "alice", "/reconcile apply")

    assert applied.startswith("**Applied** `root`: `azurerm_public_ip.b` create; verified."), applied
    assert "Merged; the workspace's lock is released." in applied
    # The cloud changed (pip-b is back), the code says what the cloud says, nothing left to plan.
    assert _pips(cloud).get("rg-apply", "pip-b").name == "pip-b"
    assert world.github.pulls[1]["merged"] and world.remote.message("refs/heads/main").startswith(
        "Merge pull request #1"
    )
    assert "idle_timeout_in_minutes = 10" in world.remote.files("refs/heads/main", "main.tf")
    assert _lock(world) is None
    rows = _audit(world, capsys)
    assert [(r["action"], r["result"]) for r in rows] == [("apply", "applied"), ("lock-release", "released")]
    assert rows[0]["addresses"] == ["azurerm_public_ip.b"] and "merged" in rows[1]["error"]
    assert [r for _, r in world.github.reactions] == ["eyes", "eyes"]
    # The merge's webhook arrives afterwards: there is nothing left to release, and nothing breaks.
    with world.serving():
        assert world.deliver(world.github.closed_event(1, SECRET)).status_code == 202
        assert [j.status for j in world.wait_idle()] == ["done"] * 3
    assert [w.action for w in world.sync().workspaces] == ["in_sync"]


def test_every_refusal_is_answered_in_the_pull_request(world: World, cloud: Cloud) -> None:
    _drift(cloud)
    world.sync()
    other = world.push_pr("feature", "notes.tf", "# a person's change\n")
    with world.serving():
        assert world.tell(other, "alice", "/reconcile plan")[0].startswith("**Planned**")
        # Another PR holds the workspace: named, and nothing runs.
        [busy] = _tell(world, 1, "alice", "/reconcile apply")
        assert busy.startswith(
            "**Refused** `apply`: the workspace is locked by pull request github:octo/infra#2"
        )
        assert world.deliver(world.github.closed_event(other, SECRET)).status_code == 202
        world.wait_idle()
        assert _lock(world) is None  # closing the PR released its lock
        [refused] = _tell(world, 1, "mallory", "/reconcile plan")
        assert refused == "**Refused** `plan`: mallory needs write permission on octo/infra to run commands"
        assert _tell(world, 1, "alice", "/reconcile plan")[0].startswith("**Planned**")
        [unapproved] = _tell(world, 1, "alice", "/reconcile apply")
        assert unapproved.startswith(
            "**Refused** `apply`: it needs an approval by someone other than its author"
        )
        world.github.approve(1, "reconcile-bot")  # the author approving itself does not count
        assert _tell(world, 1, "alice", "/reconcile apply")[0] == unapproved
        world.github.approve(1, "carol")
        # A push after the plan: the plan is stale; apply refuses and plans the new head.
        world.git("fetch", "-q", "origin", "reconcile/drift/root")
        world.git("checkout", "-q", "FETCH_HEAD")
        (world.root / "notes.tf").write_text("# pushed after the plan\n")
        world.git("add", "notes.tf")
        world.git("commit", "-qm", "a late change")
        world.git("push", "-q", "origin", "HEAD:refs/heads/reconcile/drift/root")
        world.git("checkout", "-q", "main")
        new_head = world.remote.branch("reconcile/drift/root") or ""
        stale, replanned = _tell(world, 1, "alice", "/reconcile apply")
        [unknown] = _tell(world, 1, "alice", "/reconcile destroy everything")
    assert stale.startswith("**Refused** `apply`: the plan is stale: it was made at ")
    assert f"the head is now {new_head[:12]}" in stale and replanned.startswith(
        f"**Planned** `root` at `{new_head[:12]}`"
    )
    assert (
        unknown.startswith("**Not a command**: unknown command 'destroy'.")
        and "| `/reconcile plan" in unknown
    )
    with pytest.raises(ResourceNotFoundError):  # nothing was applied: pip-b is still gone
        _pips(cloud).get("rg-apply", "pip-b")
    assert not world.github.pulls[1]["merged"]


def test_a_failed_apply_is_rolled_back_and_the_pull_request_says_so(
    world: World, cloud: Cloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--yes"]) == 0  # the team applies main through reconcile: a known configuration
    number = world.push_pr(
        "longer-timeout",
        "main.tf",
        (world.root / "main.tf")
        .read_text()
        .replace("idle_timeout_in_minutes = 4", "idle_timeout_in_minutes = 15"),
    )
    world.github.approve(number, "carol")
    # The cloud answers 200 and keeps the old value: verification fails.
    cloud.sandbox.app.faults.add(
        FaultRule(
            path="*/publicipaddresses/pip-a",
            methods=("PUT",),
            ignore_properties=("properties.idleTimeoutInMinutes",),
        )
    )
    with world.serving():
        assert world.tell(number, "alice", "/reconcile plan")[0].startswith("**Planned**")
        [failed] = _tell(world, number, "alice", "/reconcile apply")
    assert failed.startswith(
        "**Failed and rolled back** `root`: terraform plan still changes azurerm_public_ip.a"
    )
    assert "The cloud is back at the configuration applied before (verified)" in failed
    assert world.github.pulls[number]["state"] == "open" and not world.github.pulls[number]["merged"]
    cloud.sandbox.app.faults.clear()
    assert _pips(cloud).get("rg-apply", "pip-a").idle_timeout_in_minutes == 4
    assert (
        world.git("status", "--porcelain") == "" and world.git("rev-parse", "--abbrev-ref", "HEAD") == "main"
    )
    rows = _audit(world, capsys)
    assert [(r["action"], r["result"]) for r in rows] == [
        ("apply", "applied"),
        ("apply", "failed"),
        ("rollback", "rolled_back"),
    ]
    lock = _lock(world)
    assert lock is not None and lock.holder.pr == f"github:octo/infra#{number}"  # held until merge or close
