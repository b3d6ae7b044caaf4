"""A flaky cloud: throttling, server errors and latency are retried; what stays unreadable is unknown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.mgmt.network import NetworkManagementClient
from sandbox_cloud import Cloud
from sandbox_cloud import cloud

from providers.azure.sdk import client
from reconciler.cli import main
from sandbox.arm.faults import FaultRule

__all__ = ["cloud"]

SMALL = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-faults"
  location = "westeurope"
}

resource "azurerm_public_ip" "pip" {
  count               = 3
  name                = "pip-${count.index}"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  allocation_method   = "Static"
}
"""


@pytest.fixture
def applied(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Cloud, Path]]:
    ws = cloud.workspace(SMALL)
    cloud.tf.apply(ws)
    for key, value in cloud.tf.environ().items():
        if key.startswith(("RECONCILE_", "ARM_", "TF_CLI")):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("RECONCILE_CONCURRENCY", "4")
    yield cloud, ws


def _drift(ws: Path, *args: str) -> tuple[int, dict[str, Any]]:
    out = ws / "report.json"
    code = main(["drift", str(ws), "--format", "json", "--output", str(out), "--no-attribution", *args])
    return code, json.loads(out.read_text())


@pytest.mark.parametrize("bulk", ["true", "false"])
def test_throttling_and_server_errors_are_retried(
    applied: tuple[Cloud, Path], monkeypatch: pytest.MonkeyPatch, bulk: str
) -> None:
    cloud, ws = applied
    monkeypatch.setenv("RECONCILE_BULK_READS", bulk)
    faults = cloud.sandbox.app.faults
    # Four failures in a row at most (the reader retries four times): the first request may take them all.
    faults.add(FaultRule(status=429, rate=1.0, count=2, retry_after=0))
    faults.add(FaultRule(status=503, rate=1.0, count=2, retry_after=0))
    faults.add(FaultRule(latency_ms=20))
    code, report = _drift(ws)
    assert (code, report["complete"], report["drifts"], report["errors"]) == (0, True, [], [])
    assert report["summary"]["in_sync"] == 4
    injected = {r["status"]: r["injected"] for r in faults.rules()}
    assert (injected[429], injected[503]) == (2, 2)  # it really happened, and was retried through


def test_a_resource_that_cannot_be_read_is_unknown_never_deleted(
    applied: tuple[Cloud, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud, ws = applied
    monkeypatch.setenv("RECONCILE_BULK_READS", "false")
    cloud.sandbox.app.faults.add(FaultRule(path="*/publicipaddresses/pip-1", status=500, rate=1.0))
    code, report = _drift(ws)
    assert code == 1
    assert report["complete"] is False
    [unknown] = report["drifts"]
    assert (unknown["kind"], unknown["address"]) == ("unknown", "azurerm_public_ip.pip[1]")
    assert "500" in unknown["reason"]
    assert report["summary"]["deleted"] == 0
    assert any("azurerm_public_ip.pip[1]" in e for e in report["errors"])


def test_a_resource_graph_that_keeps_failing_makes_the_scan_incomplete(
    applied: tuple[Cloud, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cloud, ws = applied
    cloud.sandbox.app.faults.add(
        FaultRule(path="/providers/microsoft.resourcegraph/resources", status=500, rate=1.0)
    )
    code, report = _drift(ws)
    # Never "no unmanaged resources": without the listing nobody knows. Everything was still read by id.
    assert (code, report["complete"]) == (1, False)
    assert report["drifts"] == [] and report["summary"]["in_sync"] == 4
    [error] = report["errors"]
    assert error.startswith("Resource Graph listing failed: HTTP 500")
    assert "Traceback" not in capsys.readouterr().err


def test_an_activity_log_that_fails_leaves_drift_unattributed_with_the_error_recorded(
    applied: tuple[Cloud, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cloud, ws = applied
    pips = client(NetworkManagementClient, cloud.endpoint(upn="alice@contoso.com")).public_ip_addresses
    pip = pips.get("rg-faults", "pip-0")
    pip.tags = {"owner": "alice"}
    pips.begin_create_or_update("rg-faults", "pip-0", pip).result()
    cloud.sandbox.app.faults.add(FaultRule(path="*/eventtypes/management/values", status=500, rate=1.0))
    out = ws / "report.json"
    code = main(["drift", str(ws), "--format", "json", "--output", str(out)])
    report = json.loads(out.read_text())
    assert code == 2 and report["complete"] is True  # the drift itself was read completely
    [drift] = report["drifts"]
    assert drift["address"] == "azurerm_public_ip.pip[0]" and drift["attribution"] is None
    [error] = report["errors"]
    assert error.startswith("attribution: Activity Log read failed: HTTP 500")
    assert "Traceback" not in capsys.readouterr().err
