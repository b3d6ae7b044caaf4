"""`reconcile drift --all` as cron runs it: real processes, two workspaces, one combined report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sandbox_cloud import Cloud
from sandbox_cloud import cloud

from reconciler.cli import main
from reconciler.cron.runner import SCAN_LOCK
from sandbox.arm.faults import FaultRule
from state.sqlite import SqliteStore

__all__ = ["cloud"]


@pytest.fixture
def root(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("a", "b"):
        body = f'resource "azurerm_resource_group" "rg" {{\n  name     = "rg-all-{name}"\n'
        body += '  location = "westeurope"\n}\n'
        cloud.tf.apply(cloud.workspace(body, f"ws-{name}"))
    (cloud.root / "reconcile.toml").write_text(
        '[[workspace]]\npath = "ws-a"\nname = "alpha"\n\n[[workspace]]\npath = "ws-b"\n'
    )
    for key, value in cloud.tf.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(cloud.root)
    return cloud.root


def _scan_locked(root: Path, name: str) -> bool:
    path = root / name / ".reconcile" / "state.db"
    if not path.exists():
        return False
    with SqliteStore(path) as store:
        return store.lock(str((root / name).resolve()) + SCAN_LOCK) is not None


def test_an_overlapping_run_exits_0_saying_it_skipped(
    root: Path, cloud: Cloud, capsys: pytest.CaptureFixture[str]
) -> None:
    cloud.sandbox.app.faults.add(
        FaultRule(latency_ms=1500)
    )  # every request slow: the first run takes a while
    first = subprocess.Popen(
        [sys.executable, "-P", "-m", "reconciler", "drift", "--all", "--format", "json"],
        cwd=root,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (_scan_locked(root, "ws-a") and _scan_locked(root, "ws-b")):
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.1)
        assert main(["drift", "--all"]) == 0
        err = capsys.readouterr().err
        assert "reconcile: alpha: skipped: another run is scanning it (locked by " in err
        assert "reconcile: ws-b: skipped: another run is scanning it" in err
    finally:
        out, err = first.communicate(timeout=120)
    cloud.sandbox.app.faults.clear()
    assert first.returncode == 0, err
    doc = json.loads(out)
    assert [(w["name"], w["status"]) for w in doc["workspaces"]] == [
        ("alpha", "scanned"),
        ("ws-b", "scanned"),
    ]


def test_the_combined_report_in_every_format(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", "--all", "--format", "json", "--output", "all.json"]) == 0
    doc = json.loads((root / "all.json").read_text())
    assert (doc["version"], doc["kind"], doc["exit_code"]) == (1, "reconcile.drift.all", 0)
    assert doc["summary"]["scanned"] == 2 and doc["summary"]["in_sync"] == 2
    assert doc["workspaces"][0]["report"]["version"] == 1
    assert [e["event"] for w in doc["workspaces"] for e in w["events"]] == []

    assert main(["drift", "--all", "--format", "sarif"]) == 0
    sarif = json.loads(capsys.readouterr().out)
    assert [r["automationDetails"]["id"] for r in sarif["runs"]] == ["reconcile/alpha/", "reconcile/ws-b/"]

    assert main(["drift", "--all", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("# Drift in 2 workspaces\n")

    assert main(["drift", "--all"]) == 0
    table = capsys.readouterr().out
    assert "── alpha (" in table and "2 workspaces · 2 scanned · 2 in sync · 0 drifted" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["drift", "--notify", "http://127.0.0.1:9/x"], "drift: --notify and --notify-format go with --all"),
        (["drift", "--all", "--state", "x.tfstate"], "drift: --state cannot be used with --all"),
        (
            ["drift", "--all", "--notify", "mailto:ops@example.com"],
            "--notify: 'mailto:…' is not an http(s) URL",
        ),
    ],
)
def test_flags_that_cannot_go_together(
    root: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 1
    assert capsys.readouterr().err == f"reconcile: error: {message}\n"


def test_no_listed_workspace_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["drift", "--all"]) == 1
    assert "reconcile.toml: no [[workspace]] entries" in capsys.readouterr().err
