"""Two applies at once, and an apply killed mid-way: the workspace lock in real processes."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from git_workspace import Workspace
from git_workspace import cloud
from git_workspace import ws

from reconciler.apply.lock import WorkspaceLock
from reconciler.apply.lock import holder
from reconciler.cli import main
from reconciler.errors import LockHeldError
from sandbox.arm.faults import FaultRule
from state.locks import Holder
from state.locks import Lock
from state.sqlite import SqliteStore

__all__ = ["cloud", "ws"]


def _lock(ws: Workspace) -> Lock | None:
    path = ws.root / ".reconcile" / "state.db"
    if not path.exists():
        return None
    with SqliteStore(path) as store:
        return store.lock(str(ws.root))


def _wait_for_lock(ws: Workspace, timeout: float = 60) -> Lock:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        held = _lock(ws)
        if held is not None:
            return held
        time.sleep(0.1)
    raise AssertionError("the first apply never took the lock")


def _slow_change(ws: Workspace) -> None:
    """A committed tag change whose writes take seconds: an apply that is still running when we look."""
    main_tf = ws.root / "main.tf"
    main_tf.write_text(main_tf.read_text().replace('{ env = "dev" }', '{ env = "dev", team = "core" }'))
    ws.commit_all("tag everything with the team")
    ws.cloud.sandbox.app.faults.add(FaultRule(methods=("PUT",), latency_ms=3000))


def test_two_applies_at_once_one_runs_the_other_names_the_holder(ws: Workspace) -> None:
    _slow_change(ws)
    first = ws.spawn("apply", "--yes")
    held = _wait_for_lock(ws)
    assert held.holder.pid == first.pid and held.holder.command.startswith("reconcile apply")

    second = ws.spawn("apply", "--yes", "--lock-timeout", "1")
    _, err = second.communicate(timeout=120)
    assert second.returncode == 1
    [line] = [line for line in err.splitlines() if "error" in line]
    assert f"locked by {held.holder.user} on {held.holder.host} (pid {first.pid})" in line
    assert "running 'reconcile apply --yes' since " in line and "waited 1 s" in line
    assert first.wait(timeout=300) == 0, first.stderr.read() if first.stderr else ""
    assert _lock(ws) is None


def test_a_killed_apply_leaves_a_stale_lock_that_the_next_one_breaks(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    serial = json.loads((ws.root / "terraform.tfstate").read_text())["serial"]
    _slow_change(ws)
    victim = ws.spawn("apply", "--yes")
    held = _wait_for_lock(ws)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    assert _lock(ws) == held  # nobody released it

    ws.cloud.sandbox.app.faults.clear()
    assert main(["apply", "--yes", "--lock-timeout", "120"]) == 0
    err = capsys.readouterr().err
    assert f"broke the stale lock of {held.describe()}: its process {victim.pid}" in err
    assert _lock(ws) is None
    # Terraform's state stayed readable and its serial only went forward.
    state = json.loads((ws.root / "terraform.tfstate").read_text())
    assert state["serial"] >= serial and ws.cloud.tf.plan(ws.root).changed is False
    capsys.readouterr()
    assert main(["audit", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [(r["action"], r["result"]) for r in rows] == [("lock-break", "broken"), ("apply", "applied")]
    assert str(victim.pid) in rows[0]["error"]


def test_a_live_lock_is_released_only_by_force_and_audited(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:

    path = Path(ws.root / ".reconcile" / "state.db")
    with SqliteStore(path) as store:  # someone else's apply, alive (this very process stands in for it)
        store.try_lock(
            str(ws.root), "t0ken", Holder("sam", os.uname().nodename, os.getpid(), "reconcile apply")
        )
    assert main(["lock", "release"]) == 1
    assert "alive; release it with --force" in capsys.readouterr().err
    assert main(["lock", str(ws.root), "release", "--force"]) == 0
    assert _lock(ws) is None
    capsys.readouterr()
    assert main(["audit", "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)["rows"]
    assert (row["action"], row["result"]) == ("lock-release", "released") and "sam" in row["error"]


def _pr_locked(tmp_path: Path) -> tuple[SqliteStore, Lock]:
    store = SqliteStore(tmp_path / "state.db")
    pr = Holder("bot", "elsewhere", 0, "/reconcile plan", pr="github:octo/infra#7")
    return store, store.try_lock("/ws", "pr-token", pr)


def test_a_pull_requests_lock_is_never_broken_and_names_the_pr(tmp_path: Path) -> None:
    store, held = _pr_locked(tmp_path)
    with store, pytest.raises(LockHeldError, match=r"locked by pull request github:octo/infra#7"):
        WorkspaceLock(
            store, "/ws", holder("reconcile apply"), timeout=0, clock=lambda: datetime.now(UTC)
        ).__enter__()
    with SqliteStore(tmp_path / "state.db") as again:
        assert again.lock("/ws") == held


def test_the_pull_requests_job_runs_under_its_lock_and_leaves_it_held(tmp_path: Path) -> None:
    store, held = _pr_locked(tmp_path)
    with store:
        me = holder("reconcile bot: /reconcile apply")
        with WorkspaceLock(store, "/ws", me, timeout=0, clock=lambda: datetime.now(UTC), adopt="pr-token"):
            assert store.lock("/ws") == held
        assert store.lock("/ws") == held
        store.unlock("/ws", "pr-token")
        gone = WorkspaceLock(store, "/ws", me, timeout=0, clock=lambda: datetime.now(UTC), adopt="pr-token")
        with pytest.raises(LockHeldError, match="the lock this apply was to run under is gone; unlocked"):
            gone.__enter__()
        assert store.lock("/ws") is None
