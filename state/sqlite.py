"""The default store: one SQLite file, normally ``<workspace>/.reconcile/state.db``.

Concurrency: the file is in WAL mode, so readers never wait for a writer and a writer never waits for
readers; writers take the lock up front (``BEGIN IMMEDIATE``) and queue for up to ``busy_timeout``
seconds. A scan is written in one short transaction (its rows are encoded before the lock is taken), so
a cron scan and a manual scan saving at the same moment both succeed, one a few milliseconds later.

Within a process one :class:`SqliteStore` may be shared by threads: its reads take turns on one
connection and its writes on another, so a write queued behind another process never holds up a read.
Separate processes simply open the same file.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from state import migrations
from state.errors import StoreError
from state.key import StoreKey
from state.redaction import Redactor
from state.sqlstore import SqlStore
from state.transactions import Cursor
from state.transactions import utcnow

BUSY_TIMEOUT_S = 30.0


class _Connection:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.lock = threading.Lock()


class SqliteStore(SqlStore):
    """Opens (creating it and its directories if needed) and migrates the database at ``path``.

    Raises :class:`StoreError` naming the file when it is not a reconcile database, is corrupt, or was
    written by a newer reconcile; such a file is left exactly as it was. ``redactor`` scrubs every known
    secret from what is written; ``key_file`` holds the key of secrets' hashes (default: next to the
    database, ``state.db.key``; see :mod:`state.key`).
    """

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], datetime] = utcnow,
        busy_timeout: float = BUSY_TIMEOUT_S,
        redactor: Redactor | None = None,
        key_file: Path | None = None,
    ) -> None:
        key = StoreKey(key_file or path.with_name(path.name + ".key"))
        super().__init__(str(path), sqlite3.paramstyle, clock, redactor=redactor, key=key)
        self.path = path
        self._busy_timeout = busy_timeout
        writer = self._open()
        try:
            with self._errors():
                reader = self._connect(path)
        except BaseException:
            writer.close()
            raise
        self._writer, self._reader = _Connection(writer), _Connection(reader)

    # -- opening ----------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        path = self.path
        if path.is_dir():
            raise StoreError.at(path, "is a directory, not a state database")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError.at(path, f"cannot create its directory: {e.strerror or e}") from e
        if not path.exists():
            self._create()
        with self._errors():
            conn = self._connect(path)
            try:
                migrations.check(path, migrations.header(conn), len(migrations.MIGRATIONS))
                # Only now, once the file is known to be ours or empty: switching to WAL rewrites its header.
                self._configure(conn)
                if any(m.compact for m in migrations.migrate(conn, path)):
                    migrations.compact(conn)
            except BaseException:
                conn.close()
                raise
        return conn

    def _create(self) -> None:
        """Build the database next to ``path`` and link it into place, so that no one ever opens a
        half-made file, and a process that loses the race to create it uses the winner's file."""
        path = self.path
        try:
            marker = path.parent / ".gitignore"
            if not marker.exists():
                # Keep the store, its WAL files and state backups out of the Terraform repository.
                marker.write_text("# Written by reconcile: local state, not for version control.\n*\n")
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
        except OSError as e:
            raise StoreError.at(path, f"cannot create it: {e.strerror or e}") from e
        os.close(fd)
        tmp = Path(name)
        with self._errors():
            try:
                conn = self._connect(tmp)
                try:
                    self._configure(conn)
                    migrations.migrate(conn, tmp)
                finally:
                    conn.close()
                try:
                    os.link(tmp, path)  # unlike rename, never replaces a file that appeared meanwhile
                except FileExistsError:
                    pass
                except OSError:
                    # No hard links on this filesystem: open in place. Migrations are transactional
                    # and re-checked under the write lock, so racing first opens still agree.
                    pass
            finally:
                for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                    leftover.unlink(missing_ok=True)

    def _connect(self, path: Path) -> sqlite3.Connection:
        # Autocommit: transactions are explicit, so none stays open between calls.
        return sqlite3.connect(
            path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
        )

    @staticmethod
    def _configure(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # in WAL mode: durable at checkpoints, never corrupt
        conn.execute("PRAGMA foreign_keys = ON")
        # Freed pages are zeroed: what a migration scrubs or a delete removes is gone from the file.
        conn.execute("PRAGMA secure_delete = ON")

    # -- transactions -----------------------------------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as e:
            raise StoreError.at(self.path, f"{self._reason(e)}") from e

    def _reason(self, e: sqlite3.Error) -> str:
        text = (str(e).splitlines() or [type(e).__name__])[0]
        if "file is not a database" in text:
            return "not an SQLite database (corrupt, or another kind of file)"
        if "malformed" in text:
            return f"the database is corrupt ({text})"
        if "locked" in text or "busy" in text:
            return f"still locked by another process after {self._busy_timeout:g} s"
        return text

    @contextmanager
    def _transaction(self, conn: _Connection, begin: str) -> Iterator[Cursor]:
        with conn.lock, self._errors():
            cur = conn.conn.cursor()
            cur.execute(begin)
            try:
                yield cur
            except BaseException:
                if conn.conn.in_transaction:  # some errors (disk full) have rolled it back already
                    cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def _read(self) -> AbstractContextManager[Cursor]:
        # A deferred transaction: one consistent snapshot across the statements of a call.
        return self._transaction(self._reader, "BEGIN")

    def _write(self) -> AbstractContextManager[Cursor]:
        return self._transaction(self._writer, "BEGIN IMMEDIATE")

    def close(self) -> None:
        for c in (self._reader, self._writer):
            with c.lock:
                c.conn.close()
