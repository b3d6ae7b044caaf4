"""Opening the state file: created when missing, upgraded when old, refused (untouched) when not ours."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from reconciler.errors import Failure
from state import migrations
from state.errors import StoreError
from state.report import ScanReport
from state.report import Summary
from state.schema import MIGRATIONS
from state.schema import Migration
from state.sqlite import SqliteStore
from state.store import Snapshot
from state.store import new_scan_id

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ADD_NOTE = Migration(len(MIGRATIONS) + 1, "scan notes", ("ALTER TABLE scans ADD COLUMN note TEXT",))


def _save_scans(store: SqliteStore, n: int, snapshots: int = 2) -> list[str]:
    ids = []
    for i in range(n):
        at = T0 + timedelta(minutes=i)
        sid = new_scan_id(at)
        report = ScanReport("/w", sid, at, Summary(snapshots, snapshots, 0, 0, 0, 0), ())
        snaps = [Snapshot(f"t.r{j}", f"/r/{j}", "t", {"x": "y" * 300}, {}, {}) for j in range(snapshots)]
        store.save_scan(report, snaps, state_serial=i, state_lineage="l")
        ids.append(sid)
    return ids


def _header(path: Path) -> tuple[int, int, str]:
    with closing(sqlite3.connect(path)) as raw:
        return (
            raw.execute("PRAGMA user_version").fetchone()[0],
            raw.execute("PRAGMA application_id").fetchone()[0],
            raw.execute("PRAGMA journal_mode").fetchone()[0],
        )


def _columns(path: Path, table: str) -> set[str]:
    with closing(sqlite3.connect(path)) as raw:
        return {row[1] for row in raw.execute(f"PRAGMA table_info({table})")}


def test_first_open_creates_the_directories_and_a_current_database(tmp_path: Path) -> None:
    path = tmp_path / "ws" / ".reconcile" / "state.db"
    with SqliteStore(path) as store:
        assert store.scans() == []
    assert _header(path) == (len(MIGRATIONS), migrations.APPLICATION_ID, "wal")
    assert {"workspaces", "scans", "snapshots", "drifts", "attributions"} <= _tables(path)
    # Nothing left over from building it next door; a marker keeps the folder out of git.
    assert sorted(p.name for p in path.parent.iterdir()) == [".gitignore", "state.db"]
    assert (path.parent / ".gitignore").read_text().splitlines()[-1] == "*"


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as raw:
        return {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_an_empty_file_is_taken_as_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.touch()
    with SqliteStore(path) as store:
        [sid] = _save_scans(store, 1)
        assert store.report(sid) is not None
    assert _header(path)[:2] == (len(MIGRATIONS), migrations.APPLICATION_ID)


def test_an_older_database_is_upgraded_keeping_its_scans(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with SqliteStore(path) as store:
        ids = _save_scans(store, 3)
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        migrations.migrate(raw, path, (*MIGRATIONS, ADD_NOTE))
    assert _header(path)[0] == ADD_NOTE.version
    assert "note" in _columns(path, "scans")
    with closing(sqlite3.connect(path)) as raw:
        assert [r[0] for r in raw.execute("SELECT scan_id FROM scans ORDER BY scan_id")] == ids


def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with SqliteStore(path) as store:
        ids = _save_scans(store, 2)
    broken = ADD_NOTE._replace(statements=(*ADD_NOTE.statements, "CREATE TABLE half ("))
    with closing(sqlite3.connect(path, isolation_level=None)) as raw, pytest.raises(sqlite3.OperationalError):
        migrations.migrate(raw, path, (*MIGRATIONS, broken))
    assert _header(path)[0] == len(MIGRATIONS)
    assert "note" not in _columns(path, "scans")
    with SqliteStore(path) as store:
        assert [i.scan_id for i in store.scans()] == ids[::-1]


def test_a_database_from_a_newer_reconcile_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with SqliteStore(path) as store:
        _save_scans(store, 2)
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        migrations.migrate(raw, path, (*MIGRATIONS, ADD_NOTE))
    before = path.read_bytes()
    with pytest.raises(StoreError) as e:
        SqliteStore(path)
    assert str(e.value) == (
        f"{path}: written by a newer reconcile (schema version {ADD_NOTE.version}, this one knows"
        f" {len(MIGRATIONS)}); upgrade reconcile or point it at another state file"
    )
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [
        b'{"version": 4, "terraform_version": "1.15.0", "serial": 3, "resources": []}\n',
        bytes(range(256)) * 64,
        b"SQLite format 3\x00" + b"\xff" * 4000,  # the right magic, then garbage
    ],
    ids=["json", "binary", "bad-header"],
)
def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(content)
    with pytest.raises(StoreError) as e:
        SqliteStore(path)
    message = str(e.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert isinstance(e.value, Failure) and e.value.exit_code == 1
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.db"]


def test_a_truncated_database_fails_with_one_line_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with SqliteStore(path) as store:
        ids = _save_scans(store, 30, snapshots=50)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with (
        pytest.raises(
            StoreError, match=rf"^{re.escape(str(path))}: the database is corrupt \(.*malformed\)$"
        ),
        SqliteStore(path) as store,
    ):
        for sid in ids:
            store.snapshots(sid)


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        raw.execute("INSERT INTO moz_places (url) VALUES ('https://example.com')")
    before = path.read_bytes()
    with pytest.raises(StoreError, match=f"^{re.escape(str(path))}: not a reconcile state database"):
        SqliteStore(path)
    assert path.read_bytes() == before
    assert _header(path) == (0, 0, "delete")


def test_a_directory_in_the_way_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.mkdir()
    with pytest.raises(StoreError, match=f"^{re.escape(str(path))}: is a directory"):
        SqliteStore(path)


def test_a_file_where_the_directory_should_be_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / ".reconcile").write_text("not a directory")
    path = tmp_path / ".reconcile" / "state.db"
    with pytest.raises(StoreError, match=f"^{re.escape(str(path))}: cannot create its directory"):
        SqliteStore(path)
