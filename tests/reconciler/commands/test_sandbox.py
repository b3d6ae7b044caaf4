"""`reconcile sandbox` as an operator uses it: a real server process per data dir."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.cli import main


def reconcile(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-P", "-m", "reconciler", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Path]:
    data_dir = tmp_path / "sb"
    result = reconcile("sandbox", "up", "--detach", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    yield data_dir
    reconcile("sandbox", "down", "--data-dir", str(data_dir))


def _env(data_dir: Path) -> dict[str, str]:
    result = reconcile("sandbox", "env", "--data-dir", str(data_dir), "--format", "json")
    assert result.returncode == 0, result.stderr
    values: dict[str, str] = json.loads(result.stdout)
    return values


def test_up_env_status_down_round_trip(running: Path) -> None:
    env = _env(running)
    assert env["RECONCILE_AZURE_ENDPOINT"].startswith("http://127.0.0.1:")
    with urllib.request.urlopen(env["RECONCILE_AZURE_ENDPOINT"] + "/_sandbox/health") as response:
        health = json.load(response)
    assert health["subscriptions"] == [env["ARM_SUBSCRIPTION_ID"]]
    assert health["tenant"] == env["ARM_TENANT_ID"]

    shell = reconcile("sandbox", "env", "--data-dir", str(running)).stdout
    assert f"export ARM_SUBSCRIPTION_ID={env['ARM_SUBSCRIPTION_ID']}" in shell.splitlines()

    status = json.loads(reconcile("sandbox", "status", "--data-dir", str(running), "--format", "json").stdout)
    assert status["running"] is True and status["url"] == env["RECONCILE_AZURE_ENDPOINT"]

    again = reconcile("sandbox", "up", "--detach", "--data-dir", str(running))
    assert again.returncode == 1
    assert "already running" in again.stderr

    down = reconcile("sandbox", "down", "--data-dir", str(running))
    assert down.returncode == 0 and "stopped" in down.stdout
    assert reconcile("sandbox", "status", "--data-dir", str(running)).returncode == 3


def test_restart_keeps_identity(running: Path) -> None:
    before = _env(running)
    reconcile("sandbox", "down", "--data-dir", str(running))
    assert reconcile("sandbox", "up", "--detach", "--data-dir", str(running)).returncode == 0
    after = _env(running)
    assert after["ARM_SUBSCRIPTION_ID"] == before["ARM_SUBSCRIPTION_ID"]


def test_faults_add_list_clear(running: Path) -> None:
    data_dir = str(running)
    added = reconcile(
        "sandbox", "faults", "add", "--data-dir", data_dir, "--status", "429", "--rate", "1", "--count", "1",
        "--retry-after", "0", "--type", "Microsoft.Network/virtualNetworks",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    rules = json.loads(
        reconcile("sandbox", "faults", "list", "--data-dir", data_dir, "--format", "json").stdout
    )
    assert [(r["status"], r["type"], r["count"]) for r in rules["rules"]] == [
        (429, "Microsoft.Network/virtualNetworks", 1)
    ]

    env = _env(running)
    url = (
        f"{env['RECONCILE_AZURE_ENDPOINT']}/subscriptions/{env['ARM_SUBSCRIPTION_ID']}/resourceGroups/rg/providers/"
        "Microsoft.Network/virtualNetworks/v?api-version=2024-05-01"
    )
    with pytest.raises(urllib.error.HTTPError) as throttled:
        urllib.request.urlopen(url)
    assert throttled.value.code == 429
    assert throttled.value.headers["Retry-After"] == "0"
    assert json.load(throttled.value)["error"]["code"] == "TooManyRequests"

    assert reconcile("sandbox", "faults", "clear", "--data-dir", data_dir).returncode == 0
    assert "no fault rules" in reconcile("sandbox", "faults", "list", "--data-dir", data_dir).stdout


def test_faults_add_ignore_property_and_list_it(running: Path) -> None:
    data_dir = str(running)
    added = reconcile(
        "sandbox", "faults", "add", "--data-dir", data_dir, "--path", "*/virtualmachines/vm-1",
        "--ignore-property", "properties.hardwareProfile.vmSize", "--ignore-property", "tags.owner",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "writes succeed but keep properties.hardwareProfile.vmSize, tags.owner" in added.stdout
    listed = reconcile("sandbox", "faults", "list", "--data-dir", data_dir)
    assert (
        "*/virtualmachines/vm-1: writes succeed but keep properties.hardwareProfile.vmSize" in listed.stdout
    )
    rules = json.loads(
        reconcile("sandbox", "faults", "list", "--data-dir", data_dir, "--format", "json").stdout
    )
    assert rules["rules"][0]["ignore_properties"] == ["properties.hardwareProfile.vmSize", "tags.owner"]

    refused = reconcile(
        "sandbox", "faults", "add", "--data-dir", data_dir, "--ignore-property", "tags..x", "--method", "PUT"
    )
    assert refused.returncode == 1 and "not a dotted property path" in refused.stderr


def test_env_without_a_running_sandbox_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "env", "--data-dir", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "no sandbox is running" in err[0] and "reconcile sandbox up --detach" in err[0]


def test_bad_fault_rate_is_refused(running: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["sandbox", "faults", "add", "--data-dir", str(running), "--status", "500", "--rate", "2"]) == 1
    )
    assert "--rate: 2.0 is not between 0 and 1" in capsys.readouterr().err
