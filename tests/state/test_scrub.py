"""Migration 3 on a database an earlier reconcile wrote: no secret left in the file or its WAL."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from state import migrations
from state.report import MASK
from state.schema import MIGRATIONS
from state.sqlite import SqliteStore

PASSWORD = "Old-Cleartext-Pa55word"
TAG_SECRET = "tag-secret-from-a-sensitive-variable"
SID = "20250301T120000Z-aaaa0001"


def _old_database(path: Path) -> None:
    """Version 2 as it was: snapshot values and proposal bodies in cleartext."""
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        raw.execute("PRAGMA journal_mode = WAL")
        migrations.migrate(raw, path, MIGRATIONS[:2])
        raw.execute("INSERT INTO workspaces VALUES ('/w', '2025-03-01T12:00:00.000000Z')")
        raw.execute(
            "INSERT INTO scans VALUES (?, '/w', '2025-03-01T12:00:00.000000Z', '2025-03-01T12:00:01.000000Z',"
            " 1, 3, 'lineage-1', 1, 0, 1, 0, 0, 0, '[]')",
            (SID,),
        )
        state = {"name": "vm1", "admin_password": PASSWORD, "tags": {"token": TAG_SECRET}, "count": 2}
        live = {**state, "size": "Standard_B2s", "enabled": True, "zones": None}
        raw.execute(
            "INSERT INTO snapshots VALUES (?, 0, 'azurerm_linux_virtual_machine.vm', '/x/vm1',"
            " 'azurerm_linux_virtual_machine', NULL, ?, ?)",
            (SID, json.dumps(state), json.dumps(live)),
        )
        raw.execute(
            "INSERT INTO drifts VALUES (?, 0, 'changed', 'azurerm_linux_virtual_machine.vm',"
            " 'azurerm_linux_virtual_machine', '/x/vm1', ?, 'main.tf', 3, NULL)",
            (SID, json.dumps([{"path": "size", "state": "Standard_B1s", "live": "Standard_B2s"}])),
        )
        body = {"diff": f'+admin_password = "{PASSWORD}"', "attempts": [{"detail": TAG_SECRET}]}
        raw.execute(
            "INSERT INTO proposals VALUES ('p-1', ?, 0, 'azurerm_linux_virtual_machine.vm', 'codify', 1,"
            " '2025-03-01T12:00:02.000000Z', ?)",
            (SID, json.dumps(body)),
        )
    assert PASSWORD.encode() in _raw(path)


def _raw(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_old_snapshots_and_proposals_are_scrubbed_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    _old_database(path)

    with SqliteStore(path) as store:
        [snapshot] = store.snapshots(SID)
        assert store.proposals(SID) == []  # made again by `reconcile propose`
        report = store.report(SID)
        assert report is not None and report.drifts[0].changes[0].live == "Standard_B2s"  # history kept
        data = _raw(path)
    for secret in (PASSWORD, TAG_SECRET):
        assert secret.encode() not in data
        assert secret.encode() not in _raw(path)
    # Which values were secret was not recorded: every value goes, the shape stays.
    assert snapshot.state == {"name": MASK, "admin_password": MASK, "tags": {"token": MASK}, "count": MASK}
    assert snapshot.live is not None
    assert (snapshot.live["enabled"], snapshot.live["zones"], snapshot.live["size"]) == (True, None, MASK)


def test_a_new_database_needs_no_scrubbing_and_stays_current(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with SqliteStore(path):
        pass
    with closing(sqlite3.connect(path)) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        columns = {row[1] for row in raw.execute("PRAGMA table_info(snapshots)")}
    assert "digests" in columns
