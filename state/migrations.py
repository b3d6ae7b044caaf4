"""Schema migrations for the SQLite store: numbered, forward-only, applied on open.

The version lives in ``PRAGMA user_version`` and our mark in ``PRAGMA application_id``; both are in the
file header and change inside the migration's transaction, so a migration lands whole or not at all.
Each migration runs in its own ``BEGIN IMMEDIATE`` transaction and re-reads the version once it holds
the write lock: when two processes open an old database together, one migrates and the other finds
nothing left to do. An already migrated database is only read, so opening never waits for a writer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import NamedTuple

from state.errors import StoreError
from state.schema import MIGRATIONS
from state.schema import Migration

APPLICATION_ID = 0x52434E4C  # "RCNL": tells our files from other programs' SQLite files


class Header(NamedTuple):
    version: int
    application_id: int
    tables: int  # tables of any kind: an unmarked file with tables belongs to someone else


def header(conn: sqlite3.Connection) -> Header:
    """Reads the file; fails with ``sqlite3.DatabaseError`` when it is not an SQLite database."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    (app,) = conn.execute("PRAGMA application_id").fetchone()
    (tables,) = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return Header(version, app, tables)


def check(path: Path, head: Header, known: int) -> None:
    """Refuse a database that is not ours or that a newer reconcile wrote; changes nothing."""
    ours = head.application_id == APPLICATION_ID
    fresh = head == Header(0, 0, 0)
    if not ours and not fresh:
        raise StoreError(
            f"{path}: not a reconcile state database (an SQLite file of another program)", file=str(path)
        )
    if head.version > known:
        raise StoreError(
            f"{path}: written by a newer reconcile (schema version {head.version}, this one knows"
            f" {known}); upgrade reconcile or point it at another state file"
        )


def migrate(
    conn: sqlite3.Connection, path: Path, migrations: tuple[Migration, ...] = MIGRATIONS
) -> list[Migration]:
    """Bring the database up to ``len(migrations)``; ``conn`` must be in autocommit mode. Returns the
    migrations this call ran (none when another process ran them first)."""
    known = len(migrations)
    ran: list[Migration] = []
    head = header(conn)
    check(path, head, known)
    while head.version < known:
        conn.execute("BEGIN IMMEDIATE")
        try:
            head = header(conn)  # another process may have migrated while we waited for the lock
            check(path, head, known)
            if head.version < known:
                step = migrations[head.version]
                if step.version != head.version + 1:
                    raise ValueError(f"migration {step.version} is numbered out of order")
                for statement in step.statements:
                    conn.execute(statement)
                if step.transform is not None:
                    step.transform(conn)
                ran.append(step)
                # PRAGMA takes no parameters; both values are integers from this module.
                conn.execute(f"PRAGMA user_version = {step.version:d}")
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        head = header(conn)
    return ran


def compact(conn: sqlite3.Connection) -> None:
    """Rewrite the file and empty the write-ahead log, so that deleted or overwritten values survive
    nowhere on disk (``conn`` in autocommit mode, with ``secure_delete`` on)."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
