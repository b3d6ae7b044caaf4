"""The audit trail is a hash chain: an edited or deleted row is found, and named."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reconciler.cli import main
from state.audit import Anchors
from state.audit import AuditEntry
from state.audit import StepTime
from state.audit import check_anchors
from state.audit import verify
from state.sqlite import SqliteStore


def _entries(workspace: str) -> list[AuditEntry]:
    return [
        AuditEntry(workspace, "apply", "applied", "pat", "Pat <pat@example.com>", "app-1", ("c1",), "h1",
                   ("p-1",), ("azurerm_x.a",), (StepTime("apply", True, 1.5),)),
        AuditEntry(workspace, "lock-break", "broken", "sam", error="stale lock of pat: process gone"),
        AuditEntry(workspace, "rollback", "rolled_back", "sam", commits=("c2",)),
    ]  # fmt: skip


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / ".reconcile" / "state.db"
    with SqliteStore(path) as store:
        for entry in _entries(str(tmp_path)):
            store.append_audit(entry, applied_commit="c1" if entry.action == "apply" else None)
    return path


def test_rows_chain_and_read_back_as_written(store_path: Path, tmp_path: Path) -> None:
    with SqliteStore(store_path) as store:
        rows = store.audit(str(tmp_path))
        assert [r.entry for r in rows] == _entries(str(tmp_path))
        assert [r.seq for r in rows] == [1, 2, 3]
        assert rows[0].prev_hash == "" and [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
        assert verify(rows) == []
        assert store.applied(str(tmp_path)) == ["c1"]
        assert store.audit("/elsewhere") == []


def test_an_edited_row_is_named(store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(store_path) as db:
        db.execute("UPDATE audit SET entry = replace(entry, '\"pat\"', '\"eve\"') WHERE seq = 1")
    assert main(["audit", str(tmp_path), "--verify"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["reconcile: audit: row 1: edited after it was written (its hash does not match)"]


def test_a_deleted_row_is_named_by_the_row_after_it(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(store_path) as db:
        db.execute("DELETE FROM audit WHERE seq = 2")
    assert main(["audit", str(tmp_path), "--verify"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("reconcile: audit: row 3: the row before it was deleted or changed")


def test_an_intact_chain_verifies_and_lists(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", str(tmp_path), "--verify"]) == 0
    captured = capsys.readouterr()
    assert "audit chain intact: 3 rows" in captured.err
    header, *lines = captured.out.splitlines()
    assert header.split() == [
        "#",
        "time",
        "(UTC)",
        "action",
        "result",
        "user",
        "commits",
        "took",
        "resources",
    ]
    assert len(lines) == 3 and "apply" in lines[0] and "azurerm_x.a" in lines[0] and "c1" in lines[0]
    assert "error: stale lock of pat" in lines[1]
    # Each column starts under its heading.
    assert lines[0].index("applied") == header.index("result")
    assert lines[0].index("azurerm_x.a") == header.index("resources")


def test_anchors_name_rows_of_this_store_that_must_still_be_there(store_path: Path, tmp_path: Path) -> None:
    with SqliteStore(store_path) as store:
        rows = store.audit()
        me = store.store_id()
        assert len(me) == 16 and store.audit_anchor() == f"{me}/3/{rows[2].hash}"
    with SqliteStore(store_path) as again:
        assert again.store_id() == me  # made once, with the store
    with SqliteStore(tmp_path / "other.db") as other:
        assert other.store_id() not in ("", me) and other.audit_anchor() is None
    anchored = [
        ("c" * 40, f"{me}/2/{rows[1].hash}"),
        ("d" * 40, f"0123456789abcdef/9/{'0' * 64}"),  # another machine's store
    ]
    assert check_anchors(me, rows, anchored) == Anchors((), 1, 1)
    found = check_anchors(
        me,
        rows[:1],  # rows 2 and 3 cut off
        [*anchored, ("e" * 40, f"{me}/1/{'f' * 64}"), ("a" * 40, "not an anchor")],
    )
    assert found.problems == (
        f"row 2: commit cccccccccccc names it (hash {rows[1].hash[:12]}) and the chain no longer has it:"
        " rows were cut off",
        f"row 1: its hash is {rows[0].hash[:12]}, commit eeeeeeeeeeee recorded ffffffffffff: the chain was"
        " rewritten",
        "commit aaaaaaaaaaaa: Reconcile-Audit 'not an anchor' is not <store id>/<seq>/<hash>",
    )

    assert check_anchors("", rows, []).problems == (
        "the store has lost its id (store_meta): commits' anchors cannot be matched to it",
    )
