"""`reconcile drift --all` in-process: two real workspaces on a sandbox, a webhook receiver on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from typing import NamedTuple

import pytest
from azure.mgmt.resource.resources import ResourceManagementClient
from sandbox_cloud import Cloud
from sandbox_cloud import cloud
from webhook_server import Answer
from webhook_server import Receiver
from webhook_server import closed_port_url
from webhook_server import receiver

from providers.azure.sdk import client
from reconciler.apply.lock import WorkspaceLock
from reconciler.apply.lock import holder
from reconciler.cron.runner import SCAN_LOCK
from reconciler.cron.runner import RunOptions
from reconciler.cron.runner import run_all
from reconciler.drift.run import DriftOptions
from reconciler.report.combined import CombinedReport
from state.locks import Holder
from state.sqlite import SqliteStore
from state.transactions import utcnow

__all__ = ["cloud", "receiver"]


def _group(name: str) -> str:
    return (
        f'resource "azurerm_resource_group" "rg" {{\n  name     = "{name}"\n  location = "westeurope"\n'
        '  tags     = { env = "dev" }\n}\n'
    )


class Fleet(NamedTuple):
    cloud: Cloud
    root: Path
    lines: list[str]

    def run(self, *urls: str) -> CombinedReport:
        options = RunOptions(
            directory=self.root,
            drift=DriftOptions(directory=self.root),
            notify=urls or None,
            say=self.lines.append,
        )
        return run_all(options)

    def tag_a(self, env: str) -> None:
        groups = client(
            ResourceManagementClient, self.cloud.endpoint(upn="alice@contoso.com")
        ).resource_groups
        groups.create_or_update("rg-cron-a", {"location": "westeurope", "tags": {"env": env}})

    def store(self, name: str) -> SqliteStore:
        return SqliteStore(self.root / name / ".reconcile" / "state.db")


@pytest.fixture
def fleet(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fleet]:
    for name in ("a", "b"):
        cloud.tf.apply(cloud.workspace(_group(f"rg-cron-{name}"), f"ws-{name}"))
    (cloud.root / "reconcile.toml").write_text('[[workspace]]\npath = "ws-*"\n\n[notify]\nattempts = 2\n')
    for key, value in cloud.tf.environ().items():
        monkeypatch.setenv(key, value)
    yield Fleet(cloud, cloud.root, [])


def _events(body: dict[str, Any]) -> list[tuple[str, str, str, str | None, str | None]]:
    return [
        (ws["name"], e["event"], e["address"], e["path"], e["live"])
        for ws in body["workspaces"]
        for e in ws["events"]
    ]


def test_two_workspaces_in_one_run_and_only_news_is_posted(fleet: Fleet, receiver: Receiver) -> None:
    fleet.tag_a("prod")
    first = fleet.run(receiver.url)
    assert first.exit_code == 2
    assert [(r.name, r.status, r.exit_code) for r in first.runs] == [
        ("ws-a", "scanned", 2),
        ("ws-b", "scanned", 0),
    ]
    [body] = receiver.bodies()
    assert _events(body) == [("ws-a", "new", "azurerm_resource_group.rg", "tags.env", "prod")]
    assert first.deliveries[0].ok and first.deliveries[0].events == 1

    second = fleet.run(receiver.url)
    assert second.exit_code == 2 and second.deliveries == ()
    assert len(receiver.bodies()) == 1  # unchanged: nothing new to say

    fleet.tag_a("dev")
    third = fleet.run(receiver.url)
    assert third.exit_code == 0
    assert _events(receiver.bodies()[1]) == [
        ("ws-a", "resolved", "azurerm_resource_group.rg", "tags.env", "prod")
    ]


def test_failed_notifications_are_reported_and_change_nothing(fleet: Fleet, receiver: Receiver) -> None:
    fleet.tag_a("prod")
    receiver.answers = [Answer(500), Answer(500)]
    down = closed_port_url()
    report = fleet.run(receiver.url, down)
    assert report.exit_code == 2
    assert [(d.ok, d.attempts, d.error) for d in report.deliveries] == [
        (False, 2, "HTTP 500"),
        (False, 2, "could not connect"),
    ]
    assert len(receiver.bodies()) == 2
    assert any("failed after 2 attempt(s): HTTP 500" in line for line in fleet.lines)
    # The scan itself was recorded: the next run has nothing new to post.
    with fleet.store("ws-a") as store:
        assert len(store.scans(str(fleet.root / "ws-a"))) == 1


def test_workspaces_another_live_run_is_scanning_are_skipped(fleet: Fleet) -> None:
    a, b = (str((fleet.root / n).resolve()) for n in ("ws-a", "ws-b"))
    with fleet.store("ws-a") as sa, fleet.store("ws-b") as sb:
        locks = [
            WorkspaceLock(s, p, holder("reconcile drift --all"), timeout=0, clock=utcnow, key=p + SCAN_LOCK)
            for s, p in ((sa, a), (sb, b))
        ]
        with locks[0], locks[1]:
            report = fleet.run()
    assert report.exit_code == 0 and {r.status for r in report.runs} == {"skipped"}
    # Workspaces run concurrently: their lines come in either order.
    [line] = [line for line in fleet.lines if line.startswith("ws-a:")]
    assert line.startswith("ws-a: skipped: another run is scanning it (locked by ")
    assert f"(pid {os.getpid()}) running 'reconcile drift --all'" in line


def test_a_dead_runs_lock_is_broken_and_the_workspace_scanned(fleet: Fleet) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = Holder("cron", os.uname().nodename, int(gone.stdout), "reconcile drift --all")
    a = str((fleet.root / "ws-a").resolve())
    with fleet.store("ws-a") as store:
        store.try_lock(a + SCAN_LOCK, "dead-token", dead)
    report = fleet.run()
    assert [r.status for r in report.runs] == ["scanned", "scanned"]
    assert any(line.startswith("ws-a: broke the stale lock of cron") for line in fleet.lines)
    with fleet.store("ws-a") as store:
        assert store.lock(a + SCAN_LOCK) is None  # released after the scan
        assert store.lock(a) is None  # the apply lock was never involved
        assert [row.entry.action for row in store.audit(a)] == ["lock-break"]


def test_one_broken_workspace_fails_alone(fleet: Fleet) -> None:
    (fleet.root / "ws-b" / "main.tf").write_text('resource "azurerm_resource_group" "rg" {\n  name = \n}\n')
    report = fleet.run()
    assert report.exit_code == 1
    assert [(r.name, r.status) for r in report.runs] == [("ws-a", "scanned"), ("ws-b", "failed")]
    assert report.runs[1].message.startswith("main.tf:2: HCL syntax error")
