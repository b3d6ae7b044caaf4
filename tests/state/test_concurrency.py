"""A cron scan and a manual scan saving at once both succeed, and `reconcile history` never waits on them."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest

from state.errors import StoreError
from state.report import Drift
from state.report import ScanReport
from state.report import Summary
from state.report import from_json
from state.sqlite import SqliteStore
from state.store import Snapshot
from state.store import new_scan_id

# One writer process: waits for a common start time, saves N scans, writes each report's JSON to a file
# of its own (a pipe would fill up while the parent is busy reading the store, and block the writer).
WRITER = """
import json, sys, time
from datetime import UTC, datetime
from pathlib import Path
from state.report import Attribution, Change, Drift, ScanReport, Source, Summary, to_json
from state.sqlite import SqliteStore
from state.store import Snapshot, new_scan_id

path, name, n, start = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
Path(sys.argv[5]).parent.mkdir(parents=True, exist_ok=True)
out = open(sys.argv[5], "w")
while time.time() < start:
    time.sleep(0.002)
store = SqliteStore(path)
for i in range(n):
    at = datetime.now(UTC)
    drifts = tuple(
        Drift("changed", f"t.{name}_{i}_{k}", "t", f"/r/{name}/{i}/{k}", (Change("tags.n", k, i),),
              Attribution(name, "cli", "write", at, f"c{k}"), Source("main.tf", k + 1))
        for k in range(5)
    )
    report = ScanReport(f"/ws/{name}", new_scan_id(at), at, Summary(100, 95, 5, 0, 0, 0), drifts)
    snaps = [Snapshot(f"t.r{j}", f"/r/{j}", "t", {"j": j}, {"j": j}, {"j": j, "pad": "x" * 500})
             for j in range(100)]
    store.save_scan(report, snaps, state_serial=i, state_lineage=name)
    out.write(json.dumps(to_json(report)) + "\\n")
store.close()
out.close()
"""


def _writers(path: Path, names: list[str], n: int) -> list[subprocess.Popen[str]]:
    start = time.time() + 1.0  # past every child's imports, so that they really write at once
    return [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), name, str(n), str(start), str(_out(path, name))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]


def _out(path: Path, name: str) -> Path:
    return path.parent.parent / f"{name}.jsonl"


def _finish(procs: list[subprocess.Popen[str]]) -> list[ScanReport]:
    reports = []
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        written = Path(str(list(p.args)[-1])).read_text()
        reports += [from_json(json.loads(line)) for line in written.splitlines()]
    return reports


def test_two_processes_saving_at_once_both_succeed_while_history_reads(tmp_path: Path) -> None:
    path = tmp_path / ".reconcile" / "state.db"
    reader = SqliteStore(path)
    procs = _writers(path, ["cron", "manual"], 25)

    slowest, reads, seen = 0.0, 0, 0
    while any(p.poll() is None for p in procs):
        t = time.monotonic()
        listed = reader.scans(limit=100)
        for info in listed[:3]:
            assert reader.report(info.scan_id) is not None  # a listed scan is whole, never half-written
        slowest = max(slowest, time.monotonic() - t)
        reads, seen = reads + 1, max(seen, len(listed))
    reports = _finish(procs)

    assert len(reports) == 50 and reads > 0
    assert slowest < 1.0, f"a read waited {slowest:.2f} s for the writers"
    assert len(reader.scans(limit=100)) == 50
    for report in reports:
        assert reader.report(report.scan_id) == report
        assert len(reader.snapshots(report.scan_id)) == 100
    assert {i.workspace for i in reader.scans(limit=100)} == {"/ws/cron", "/ws/manual"}
    reader.close()


def test_processes_racing_to_create_the_file_all_succeed(tmp_path: Path) -> None:
    path = tmp_path / "ws" / ".reconcile" / "state.db"
    reports = _finish(_writers(path, [f"w{k}" for k in range(8)], 3))
    with SqliteStore(path) as store:
        assert len(store.scans(limit=100)) == 24
        for report in reports:
            assert store.report(report.scan_id) == report
    assert sorted(p.name for p in path.parent.iterdir()) == [".gitignore", "state.db"]


def _scan(name: str, i: int) -> tuple[ScanReport, list[Snapshot]]:
    at = datetime.now(UTC)
    report = ScanReport(f"/ws/{name}", new_scan_id(at), at, Summary(10, 9, 0, 1, 0, 0), (
        Drift("deleted", f"t.{name}{i}", "t", f"/r/{name}/{i}"),
    ))  # fmt: skip
    return report, [Snapshot(f"t.r{j}", f"/r/{j}", "t", {"j": j}, {"j": j}, None) for j in range(10)]


def test_threads_sharing_one_store_and_threads_with_their_own_all_succeed(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    shared = SqliteStore(path)
    saved: list[ScanReport] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(6)

    def write(name: str, own: bool) -> None:
        try:
            barrier.wait()
            store = SqliteStore(path) if own else shared
            for i in range(25):
                report, snaps = _scan(name, i)
                store.save_scan(report, snaps, state_serial=i, state_lineage="l")
                saved.append(report)
                assert store.report(report.scan_id) == report
            if own:
                store.close()
        except BaseException as e:  # reported below: an exception in a thread would pass silently
            failures.append(e)

    threads = [threading.Thread(target=write, args=(f"t{k}", k % 2 == 0)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(shared.scans(limit=1000)) == 150
    assert all(shared.report(r.scan_id) == r for r in saved)
    shared.close()


def test_threads_racing_to_create_the_file_all_succeed(tmp_path: Path) -> None:
    for attempt in range(5):
        path = tmp_path / str(attempt) / "state.db"
        barrier = threading.Barrier(8)
        failures: list[BaseException] = []

        def open_and_save(
            k: int, path: Path = path, barrier: threading.Barrier = barrier, failures: list = failures
        ) -> None:
            try:
                barrier.wait()
                with SqliteStore(path) as store:
                    report, snaps = _scan(f"w{k}", 0)
                    store.save_scan(report, snaps, state_serial=0, state_lineage="l")
            except BaseException as e:
                failures.append(e)

        threads = [threading.Thread(target=open_and_save, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        with SqliteStore(path) as store:
            assert len(store.scans()) == 8


def test_a_held_write_lock_blocks_no_reader_and_only_delays_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = SqliteStore(path)
    first, snaps = _scan("a", 0)
    store.save_scan(first, snaps, state_serial=0, state_lineage="l")

    with closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")  # another process in the middle of saving a scan
        holder.execute("INSERT INTO workspaces (workspace, created_at) VALUES ('/ws/uncommitted', 'x')")

        t = time.monotonic()
        assert [i.scan_id for i in store.scans()] == [first.scan_id]
        assert store.report(first.scan_id) == first
        with SqliteStore(path, busy_timeout=0.2) as impatient:  # opening does not wait either
            assert impatient.latest("/ws/a") == first
            assert time.monotonic() - t < 1.0
            second, snaps2 = _scan("a", 1)
            with pytest.raises(
                StoreError, match=f"^{re.escape(str(path))}: still locked by another process after 0\\.2 s$"
            ):
                impatient.save_scan(second, snaps2, state_serial=1, state_lineage="l")

        done = threading.Event()

        def save() -> None:
            store.save_scan(second, snaps2, state_serial=1, state_lineage="l")
            done.set()

        writer = threading.Thread(target=save)
        writer.start()
        assert not done.wait(0.3)  # queued behind the lock...
        t = time.monotonic()
        assert [i.scan_id for i in store.scans()] == [first.scan_id]  # (its own reads go on meanwhile)
        assert time.monotonic() - t < 1.0
        holder.execute("COMMIT")
        writer.join(10)
        assert done.is_set()  # ...and saved once it was released
    assert store.report(second.scan_id) == second
    store.close()
