"""The command line's edges: a usage error exits 1 (2 means drift), a closed pipe exits quietly."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from reconciler.cli import main
from state.report import ScanReport
from state.report import Summary
from state.sqlite import SqliteStore
from state.store import new_scan_id


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["drift", "--bogus"], "reconcile: error: reconcile: unrecognized arguments: --bogus"),
        (["drift", "--format", "yaml"], "argument --format: invalid choice: 'yaml'"),
        (["no-such-command"], "argument COMMAND: invalid choice: 'no-such-command'"),
        (["history", "--limit", "many"], "argument --limit: invalid int value: 'many'"),
    ],
)
def test_a_usage_error_is_one_line_and_exit_1(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], lines
    assert captured.out == ""


def test_history_into_a_pipe_that_closes_early_exits_quietly(tmp_path: Path) -> None:
    # More lines than a pipe buffers, so the writer meets the closed pipe (EPIPE) mid-way.
    root = tmp_path / "ws"
    root.mkdir()
    t0 = datetime(2025, 3, 1, tzinfo=UTC)
    with SqliteStore(root / ".reconcile" / "state.db") as store:
        for i in range(2000):
            at = t0 + timedelta(minutes=i)
            report = ScanReport(str(root.resolve()), new_scan_id(at), at, Summary(1, 1, 0, 0, 0, 0), ())
            store.save_scan(report, [], state_serial=i, state_lineage="l")
    command = (
        f"{sys.executable} -m reconciler history -C {root} --limit 2000 | head -1; exit ${{PIPESTATUS[0]}}"
    )
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("scan ")
    assert len(result.stdout.splitlines()) == 1


def test_an_error_never_quotes_a_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "arm-client-secret-in-a-path"
    monkeypatch.setenv("ARM_CLIENT_SECRET", secret)
    assert main(["drift", str(tmp_path / secret), "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert "not a directory" in captured.err and "(sensitive)" in captured.err
    assert json.loads(captured.out)["error"]["code"] == "workspace"
    assert secret not in captured.err + captured.out


def test_with_format_json_an_error_is_also_a_json_object_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "main.tf").write_text('resource "azurerm_resource_group" "rg" {\n  name = \n}\n')
    assert main(["drift", str(tmp_path), "--format", "json", "--state", str(tmp_path / "none.tfstate")]) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["version"] == 1
    error = doc["error"]
    assert (error["code"], error["file"], error["line"]) == ("workspace", "main.tf", 2)
    assert error["message"] in captured.err and len(captured.err.strip().splitlines()) == 1


def test_every_error_class_carries_a_stable_code_and_exit_1() -> None:
    from reconciler import errors

    classes = [
        c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.ReconcileError)
    ]
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes)) and all(c.exit_code == 1 for c in classes)
    assert {"usage", "config", "workspace", "terraform", "lock_held", "stale_scan"} <= set(codes)
