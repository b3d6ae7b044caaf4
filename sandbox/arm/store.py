"""SQLite persistence for the emulator: resources, their references, the Activity Log and operations.

One file under the sandbox's data dir; every write runs in one ``BEGIN IMMEDIATE`` transaction under a
process-wide lock, so a request either lands whole or not at all, and concurrent requests serialize.
Readers use their own per-thread connection and see committed data only (WAL).
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import threading
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from typing import NamedTuple

from sandbox.arm import ids

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
    key TEXT PRIMARY KEY,           -- lowercase id
    id TEXT NOT NULL,               -- canonical id
    type TEXT NOT NULL,             -- lowercase full type
    subscription TEXT NOT NULL,     -- lowercase
    resource_group TEXT NOT NULL,   -- lowercase; '' for subscription-level rows
    body TEXT NOT NULL,
    seq INTEGER NOT NULL            -- insertion order, stable listing
);
CREATE INDEX IF NOT EXISTS resources_scope ON resources (subscription, resource_group, type);
CREATE INDEX IF NOT EXISTS resources_type ON resources (type);
CREATE TABLE IF NOT EXISTS refs (
    from_key TEXT NOT NULL, to_key TEXT NOT NULL, PRIMARY KEY (from_key, to_key)
);
CREATE INDEX IF NOT EXISTS refs_to ON refs (to_key);
CREATE TABLE IF NOT EXISTS activity (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription TEXT NOT NULL,
    resource_group TEXT NOT NULL,
    resource_key TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS activity_time ON activity (subscription, timestamp);
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY,
    subscription TEXT NOT NULL,
    status TEXT NOT NULL,           -- InProgress | Succeeded | Failed
    due REAL NOT NULL,              -- when it completes (epoch seconds)
    kind TEXT NOT NULL,             -- put | delete
    target_key TEXT NOT NULL,
    started TEXT NOT NULL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS operations_due ON operations (status, due);
"""


class Row(NamedTuple):
    id: str
    type: str
    body: dict[str, Any]


class Store:
    """The emulator's database. Pass a path; ``:memory:`` is not supported (threads share the file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        conn = self._conn()
        conn.executescript(_SCHEMA)
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        conn.commit()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self._write_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # -- resources ---------------------------------------------------------------------------------

    def get(self, resource_id: str) -> Row | None:
        row = (
            self._conn()
            .execute("SELECT id, type, body FROM resources WHERE key = ?", (ids.key(resource_id),))
            .fetchone()
        )
        return Row(row[0], row[1], json.loads(row[2])) if row else None

    def put(self, conn: sqlite3.Connection, resource_id: str, type_name: str, body: dict[str, Any]) -> None:
        k = ids.key(resource_id)
        parsed = ids.parse(resource_id)
        group = ids.parse_group(resource_id)
        if parsed:
            sub, rg = parsed.subscription, parsed.resource_group
        elif group:
            sub, rg = group
        else:
            raise ValueError(f"not a resource id: {resource_id}")
        existing = conn.execute("SELECT seq FROM resources WHERE key = ?", (k,)).fetchone()
        seq = existing[0] if existing else self._next_seq(conn)
        conn.execute(
            "INSERT OR REPLACE INTO resources VALUES (?, ?, ?, ?, ?, ?, ?)",
            (k, resource_id, type_name.lower(), sub.lower(), rg.lower(), json.dumps(body), seq),
        )

    def delete(self, conn: sqlite3.Connection, resource_id: str) -> None:
        k = ids.key(resource_id)
        conn.execute("DELETE FROM resources WHERE key = ?", (k,))
        conn.execute("DELETE FROM refs WHERE from_key = ?", (k,))

    @staticmethod
    def _next_seq(conn: sqlite3.Connection) -> int:
        return int(conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM resources").fetchone()[0])

    def list(
        self,
        subscription: str | None = None,
        resource_group: str | None = None,
        type_name: str | None = None,
    ) -> list[Row]:
        clauses, params = [], []
        if subscription is not None:
            clauses.append("subscription = ?")
            params.append(subscription.lower())
        if resource_group is not None:
            clauses.append("resource_group = ?")
            params.append(resource_group.lower())
        if type_name is not None:
            clauses.append("type = ?")
            params.append(type_name.lower())
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._conn().execute(f"SELECT id, type, body FROM resources {where} ORDER BY seq", params)
        return [Row(r[0], r[1], json.loads(r[2])) for r in rows]

    # -- references --------------------------------------------------------------------------------

    def set_refs(self, conn: sqlite3.Connection, from_id: str, to_ids: Iterable[str]) -> None:
        k = ids.key(from_id)
        conn.execute("DELETE FROM refs WHERE from_key = ?", (k,))
        conn.executemany("INSERT OR IGNORE INTO refs VALUES (?, ?)", [(k, ids.key(t)) for t in to_ids])

    def referrers(self, conn: sqlite3.Connection | None, resource_id: str) -> builtins.list[str]:
        """Ids of the resources whose references point at ``resource_id`` or anything below it."""
        k = ids.key(resource_id)
        rows = (conn or self._conn()).execute(
            "SELECT DISTINCT r.id FROM refs JOIN resources r ON r.key = refs.from_key "
            "WHERE (refs.to_key = ? OR substr(refs.to_key, 1, ?) = ?) ORDER BY r.seq",
            (k, len(k) + 1, k + "/"),
        )
        return [r[0] for r in rows]

    # -- activity log ------------------------------------------------------------------------------

    def add_event(self, conn: sqlite3.Connection, event: dict[str, Any]) -> None:
        conn.execute(
            "INSERT INTO activity (subscription, resource_group, resource_key, correlation_id, timestamp, "
            "body) VALUES (?, ?, ?, ?, ?, ?)",
            (
                event["subscriptionId"].lower(),
                (event.get("resourceGroupName") or "").lower(),
                ids.key(event["resourceId"]),
                event["correlationId"],
                event["eventTimestamp"],
                json.dumps(event),
            ),
        )

    def events(self, subscription: str, since: str, until: str) -> builtins.list[dict[str, Any]]:
        """Events of a subscription with ``since <= eventTimestamp <= until``, newest first."""
        rows = self._conn().execute(
            "SELECT body FROM activity WHERE subscription = ? AND timestamp >= ? AND timestamp <= ? "
            "ORDER BY seq DESC",
            (subscription.lower(), since, until),
        )
        return [json.loads(r[0]) for r in rows]

    # -- long-running operations -------------------------------------------------------------------

    def add_operation(
        self,
        conn: sqlite3.Connection,
        op_id: str,
        subscription: str,
        kind: str,
        target_id: str,
        due: float,
        started: str,
    ) -> None:
        conn.execute(
            "INSERT INTO operations VALUES (?, ?, 'InProgress', ?, ?, ?, ?, NULL)",
            (op_id, subscription.lower(), due, kind, ids.key(target_id), started),
        )

    def operation(self, op_id: str) -> tuple[str, str, str | None] | None:
        """``(status, started, error)`` of an operation."""
        row = (
            self._conn()
            .execute("SELECT status, started, error FROM operations WHERE id = ?", (op_id,))
            .fetchone()
        )
        return (row[0], row[1], row[2]) if row else None

    def due_operations(self, now: float) -> builtins.list[tuple[str, str, str]]:
        """``(id, kind, target_key)`` of operations in progress whose time has come."""
        rows = self._conn().execute(
            "SELECT id, kind, target_key FROM operations WHERE status = 'InProgress' AND due <= ?", (now,)
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def finish_operation(self, conn: sqlite3.Connection, op_id: str, status: str, error: str | None) -> bool:
        """Finish an operation still in progress; False when another request already finished it."""
        cursor = conn.execute(
            "UPDATE operations SET status = ?, error = ? WHERE id = ? AND status = 'InProgress'",
            (status, error, op_id),
        )
        return cursor.rowcount == 1

    def get_in(self, conn: sqlite3.Connection, resource_id: str) -> Row | None:
        """Like :meth:`get`, inside a write transaction (sees its uncommitted writes)."""
        row = conn.execute(
            "SELECT id, type, body FROM resources WHERE key = ?", (ids.key(resource_id),)
        ).fetchone()
        return Row(row[0], row[1], json.loads(row[2])) if row else None

    def list_in(self, conn: sqlite3.Connection, prefix_id: str) -> builtins.list[Row]:
        """Rows whose id starts with ``prefix_id + '/'`` (everything in a resource group)."""
        k = ids.key(prefix_id) + "/"
        rows = conn.execute(
            "SELECT id, type, body FROM resources WHERE substr(key, 1, ?) = ? ORDER BY seq DESC",
            (len(k), k),
        )
        return [Row(r[0], r[1], json.loads(r[2])) for r in rows]
