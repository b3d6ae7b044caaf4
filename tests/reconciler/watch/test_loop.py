"""`reconcile watch` as a person runs it: a real process, real watchdog events, the sandbox behind it."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.mgmt.network import NetworkManagementClient
from sandbox_cloud import Cloud
from sandbox_cloud import cloud

from providers.azure.sdk import client
from sandbox.arm.faults import FaultRule

__all__ = ["cloud"]

CONFIG = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-watch"
  location = "westeurope"
}

resource "azurerm_public_ip" "a" {
  name                    = "pip-a"
  resource_group_name     = azurerm_resource_group.rg.name
  location                = azurerm_resource_group.rg.location
  allocation_method       = "Static"
  idle_timeout_in_minutes = 4
}
"""


class Watching:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.events.put(json.loads(line))

    def next(self, wanted: Callable[[dict[str, Any]], bool], timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if wanted(event):
                return event
        raise AssertionError("no such event")


@pytest.fixture
def watching(cloud: Cloud) -> Iterator[tuple[Cloud, Path, Watching]]:
    ws = cloud.workspace(CONFIG)
    cloud.tf.apply(ws)
    env = {**os.environ, **cloud.tf.environ()}
    process = subprocess.Popen(
        [sys.executable, "-P", "-m", "reconciler", "watch", str(ws), "--interval", "3", "--jsonl"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield cloud, ws, Watching(process)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _open(event: dict[str, Any]) -> list[str]:
    return [d["address"] for d in event["open"]]


def test_drift_shows_after_an_interval_and_codifying_it_clears_it_at_once(
    watching: tuple[Cloud, Path, Watching],
) -> None:
    cloud, ws, w = watching
    first = w.next(lambda e: e["event"] == "scan")
    assert first["open"] == [] and first["error"] == ""

    pips = client(NetworkManagementClient, cloud.endpoint(upn="alice@contoso.com")).public_ip_addresses
    pip = pips.get("rg-watch", "pip-a")
    pip.idle_timeout_in_minutes = 10
    pips.begin_create_or_update("rg-watch", "pip-a", pip).result()
    seen = w.next(lambda e: e["event"] == "scan" and e["open"] != [])
    [drift] = seen["open"]
    assert drift["address"] == "azurerm_public_ip.a" and drift["attribution"]["caller"] == "alice@contoso.com"
    assert seen["mode"] == "incremental"

    # Codify it: the watcher judges again on the save, before the next rescan, without the cloud.
    main_tf = ws / "main.tf"
    main_tf.write_text(
        main_tf.read_text().replace("idle_timeout_in_minutes = 4", "idle_timeout_in_minutes = 10")
    )
    cleared = w.next(lambda e: e["event"] == "local")
    assert cleared["open"] == [] and cleared["scan_id"] == seen["scan_id"]
    [(address, why)] = [(s["address"], s["why"]) for s in cleared["settled"]]
    assert address == "azurerm_public_ip.a" and why.startswith("codified in the configuration")

    # Ctrl-C ends it cleanly.
    w.process.send_signal(signal.SIGINT)
    assert w.process.wait(timeout=30) == 0


def test_a_sandbox_outage_is_shown_and_recovered_from(watching: tuple[Cloud, Path, Watching]) -> None:
    cloud, _, w = watching
    w.next(lambda e: e["event"] == "scan")
    cloud.sandbox.app.faults.add(FaultRule(status=503, rate=1.0, retry_after=0))
    failed = w.next(lambda e: e["event"] == "error")
    assert "retried at the next interval" in failed["error"]
    assert w.process.poll() is None  # still watching
    cloud.sandbox.app.faults.clear()
    recovered = w.next(lambda e: e["event"] == "scan" and e["error"] == "")
    assert recovered["open"] == []
