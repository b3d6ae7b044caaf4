"""`reconcile drift --incremental`: only what the Activity Log says changed is read again."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from azure.mgmt.network import NetworkManagementClient
from sandbox_cloud import Cloud
from sandbox_cloud import cloud

from providers.azure.sdk import client
from reconciler.cli import main
from reconciler.drift.incremental import Previous
from reconciler.drift.incremental import fallback
from sandbox.arm.faults import FaultRule
from state.report import ScanReport
from state.report import Summary

__all__ = ["cloud"]

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

PIPS = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-inc"
  location = "westeurope"
}

resource "azurerm_public_ip" "pip" {
  count               = 6
  name                = "pip-${count.index}"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  allocation_method   = "Static"
  tags                = { env = "dev" }
}
"""


@pytest.fixture
def ws(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = cloud.workspace(PIPS)
    cloud.tf.apply(root)
    for key, value in cloud.tf.environ().items():
        monkeypatch.setenv(key, value)
    return root


def _drift(ws: Path, *args: str) -> tuple[int, dict[str, Any]]:
    out = ws.parent / "drift.json"
    code = main(["drift", str(ws), "--format", "json", "--output", str(out), *args])
    return code, json.loads(out.read_text())


def _reads(cloud: Cloud) -> FaultRule:
    """A rule that does nothing to GETs of public IPs but count them."""
    return cloud.sandbox.app.faults.add(FaultRule(path="*/publicipaddresses/*", methods=("GET",)))


def _matched(cloud: Cloud, rule: FaultRule) -> int:
    return next(int(r["matched"]) for r in cloud.sandbox.app.faults.rules() if r["id"] == rule.id)


def test_only_what_changed_is_read_again_and_reported_exactly(cloud: Cloud, ws: Path) -> None:
    code, full = _drift(ws, "--incremental")
    assert (code, full["mode"]) == (0, "full")
    assert full["mode_note"] == "full scan: no earlier scan of this workspace"

    pips = client(NetworkManagementClient, cloud.endpoint(upn="alice@contoso.com")).public_ip_addresses
    pip = pips.get("rg-inc", "pip-1")
    pip.tags = {"env": "prod"}
    pips.begin_create_or_update("rg-inc", "pip-1", pip).result()
    pip = pips.get("rg-inc", "pip-4")
    pip.idle_timeout_in_minutes = 9
    pips.begin_create_or_update("rg-inc", "pip-4", pip).result()
    pips.begin_delete("rg-inc", "pip-5").result()
    reads = _reads(cloud)

    code, inc = _drift(ws, "--incremental")
    assert (code, inc["mode"], inc["complete"]) == (2, "incremental", True)
    got = {(d["kind"], d["address"]): [(c["path"], c["state"], c["live"]) for c in d["changes"]]
           for d in inc["drifts"]}  # fmt: skip
    assert got == {
        ("changed", "azurerm_public_ip.pip[1]"): [("tags.env", "dev", "prod")],
        ("changed", "azurerm_public_ip.pip[4]"): [("idle_timeout_in_minutes", 4, 9)],
        ("deleted", "azurerm_public_ip.pip[5]"): [],
    }
    assert all(d["attribution"]["caller"] == "alice@contoso.com" for d in inc["drifts"])
    assert inc["summary"]["managed"] == 7 and inc["summary"]["in_sync"] == 4
    assert _matched(cloud, reads) == 3  # pip-1, pip-4 and pip-5: nothing else was read

    # Nothing changed since. Writes of the last five minutes are read again (the Activity Log may record a
    # write minutes late); nothing else is, and the result is the same.
    code, again = _drift(ws, "--incremental")
    assert (code, again["mode"]) == (2, "incremental")
    assert sorted((d["kind"], d["address"]) for d in again["drifts"]) == sorted(got)
    assert _matched(cloud, reads) == 6


def test_a_new_unmanaged_resource_and_a_fix_are_seen(cloud: Cloud, ws: Path) -> None:
    pips = client(NetworkManagementClient, cloud.endpoint(upn="bob@contoso.com")).public_ip_addresses
    pip = pips.get("rg-inc", "pip-2")
    pip.tags = {"env": "test"}
    pips.begin_create_or_update("rg-inc", "pip-2", pip).result()
    assert _drift(ws)[0] == 2  # a full scan records the drift
    pip.tags = {"env": "dev"}  # put back
    pips.begin_create_or_update("rg-inc", "pip-2", pip).result()
    pips.begin_create_or_update(
        "rg-inc", "pip-rogue", {"location": "westeurope", "sku": {"name": "Standard"},
                                "properties": {"publicIPAllocationMethod": "Static"}},
    ).result()  # fmt: skip

    _, inc = _drift(ws, "--incremental")
    assert inc["mode"] == "incremental"
    assert [(d["kind"], d["type"], d["resource_id"].rsplit("/", 1)[-1]) for d in inc["drifts"]] == [
        ("unmanaged", "azurerm_public_ip", "pip-rogue")
    ]
    assert inc["drifts"][0]["attribution"]["caller"] == "bob@contoso.com"


def test_a_changed_state_or_a_failing_log_falls_back_to_a_full_scan(cloud: Cloud, ws: Path) -> None:
    assert _drift(ws)[0] == 0
    main_tf = ws / "main.tf"
    main_tf.write_text(main_tf.read_text().replace('{ env = "dev" }', '{ env = "test" }'))
    cloud.tf.apply(ws)  # someone applied: the state's serial moved on
    code, report = _drift(ws, "--incremental")
    assert report["mode"] == "full" and report["mode_note"].startswith("full scan: the state changed since")

    assert _drift(ws, "--incremental")[1]["mode"] == "incremental"
    cloud.sandbox.app.faults.add(FaultRule(path="*/eventtypes/management/values", status=500))
    code, report = _drift(ws, "--incremental")
    assert (code, report["mode"]) == (0, "full")
    assert "the Activity Log cannot be read" in report["mode_note"]


def test_every_nth_scan_is_a_full_one(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECONCILE_FULL_SCAN_EVERY", "3")
    modes = [_drift(ws, "--incremental")[1]["mode"] for _ in range(5)]
    assert modes == ["full", "incremental", "incremental", "full", "incremental"]


def _previous(at: datetime, complete: bool = True, modes: tuple[str, ...] = ("full",)) -> Previous:
    report = ScanReport("/ws", "s1", at, Summary(1, 1, 0, 0, 0, 0), (), complete=complete)
    return Previous(report, 7, "lineage", modes)


@pytest.mark.parametrize(
    ("previous", "reason"),
    [
        (None, "no earlier scan of this workspace"),
        (
            _previous(NOW - timedelta(days=91)),
            "the last complete scan is older than the Activity Log's 90 days",
        ),
        (_previous(NOW - timedelta(hours=1), complete=False), "the last scan was incomplete"),
        (_previous(NOW - timedelta(hours=1), modes=("incremental",) * 9 + ("full",)), "every 10 scans"),
        (_previous(NOW - timedelta(hours=1), modes=("incremental",) * 8 + ("full",)), None),
    ],
)
def test_when_a_scan_must_be_a_full_one(previous: Previous | None, reason: str | None) -> None:
    why = fallback(previous, 7, "lineage", NOW, 10)
    assert (why is None) if reason is None else (why is not None and why.startswith(reason))
    if previous is not None:
        assert fallback(previous, 8, "lineage", NOW, 10) is not None  # the state moved on: always full
