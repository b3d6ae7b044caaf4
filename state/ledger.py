"""The store's verbs for applying: the workspace lock, the audit chain, applied commits, state backups.

A mixin of :class:`~state.sqlstore.SqlStore`: the same transactions, the same SQL for SQLite and
PostgreSQL (:mod:`state.schema`). Every verb is one transaction, so a lock is taken or not, an audit row
is chained to exactly the row before it (the write lock orders appends), and nothing is half-written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from state import rows
from state.audit import AuditEntry
from state.audit import AuditRow
from state.audit import anchor
from state.audit import entry_from_json
from state.audit import entry_json
from state.audit import row_hash
from state.locks import Holder
from state.locks import Lock
from state.transactions import Transactions


class Ledger(Transactions):
    """The lock, the audit trail, applied commits and state backups of workspaces."""

    # -- the lock ---------------------------------------------------------------------------------

    def try_lock(self, workspace: str, token: str, holder: Holder) -> Lock:
        """Take the workspace's lock if it is free; the lock held afterwards (ours, or who holds it)."""
        now = rows.timestamp(self._clock())
        doc = json.dumps({**holder._asdict(), "proposals": list(holder.proposals)})
        with self._write() as cur:
            cur.execute(self._q.insert_lock, (workspace, token, doc, now, now))
            cur.execute(self._q.lock, (workspace,))
            return _lock(cur.fetchone())

    def lock(self, workspace: str) -> Lock | None:
        with self._read() as cur:
            cur.execute(self._q.lock, (workspace,))
            row = cur.fetchone()
        return None if row is None else _lock(row)

    def heartbeat(self, workspace: str, token: str) -> bool:
        """Refresh our lock's heartbeat; False when the lock is no longer ours (someone broke it)."""
        with self._write() as cur:
            cur.execute(self._q.heartbeat, (rows.timestamp(self._clock()), workspace, token))
            return bool(cur.rowcount)

    def unlock(self, workspace: str, token: str) -> bool:
        """Release exactly the lock with ``token``; False when it was not held with that token."""
        with self._write() as cur:
            cur.execute(self._q.delete_lock, (workspace, token))
            return bool(cur.rowcount)

    # -- the audit trail --------------------------------------------------------------------------

    def append_audit(self, entry: AuditEntry, applied_commit: str | None = None) -> AuditRow:
        """Chain ``entry`` after the newest row; with ``applied_commit``, record it as applied."""
        at = self._clock()
        # An error text may quote what Terraform or the cloud said: no known secret goes into the trail.
        entry = entry_from_json(self._redactor.scrub(entry_json(entry)))
        with self._write() as cur:
            cur.execute(self._q.last_audit)
            last = cur.fetchone()
            seq, prev = (int(last[0]) + 1, str(last[1])) if last else (1, "")
            digest = row_hash(seq, at, entry, prev)
            stamp = rows.timestamp(at)
            doc = json.dumps(entry_json(entry), ensure_ascii=False)
            cur.execute(
                self._q.insert_audit,
                (seq, entry.workspace, stamp, entry.action, entry.result, doc, prev, digest),
            )
            if applied_commit:
                cur.execute(self._q.insert_applied, (entry.workspace, seq, applied_commit, stamp))
        return AuditRow(seq, at, entry, prev, digest)

    def store_id(self) -> str:
        """This store's id (random, made with it): how commits name its audit chain."""
        with self._read() as cur:
            cur.execute(self._q.store_id)
            row = cur.fetchone()
        return str(row[0]) if row else ""

    def audit_anchor(self) -> str | None:
        """``<store id>/<seq>/<hash>`` of the newest audit row, for a commit to carry; None before any."""
        with self._read() as cur:
            cur.execute(self._q.last_audit)
            last = cur.fetchone()
        return anchor(self.store_id(), int(last[0]), str(last[1])) if last else None

    def audit(self, workspace: str | None = None) -> list[AuditRow]:
        """The rows of one workspace, or the whole chain, oldest first."""
        with self._read() as cur:
            if workspace is None:
                cur.execute(self._q.audit_all)
            else:
                cur.execute(self._q.audit_of, (workspace,))
            return [_audit_row(r) for r in cur.fetchall()]

    def applied(self, workspace: str, limit: int = 20) -> list[str]:
        """The commits applied successfully to the workspace, newest first."""
        with self._read() as cur:
            cur.execute(self._q.applied_of, (workspace, limit))
            return [str(r[0]) for r in cur.fetchall()]

    # -- state backups ----------------------------------------------------------------------------

    def record_state_backup(self, workspace: str, lineage: str, serial: int, sha256: str, path: str) -> None:
        with self._write() as cur:
            now = rows.timestamp(self._clock())
            cur.execute(self._q.insert_backup, (workspace, lineage, serial, sha256, path, now))


def _lock(row: Sequence[Any]) -> Lock:
    workspace, token, holder, acquired, heartbeat = row
    h = json.loads(holder)
    return Lock(
        workspace,
        token,
        Holder(
            h["user"],
            h["host"],
            int(h["pid"]),
            h["command"],
            tuple(h.get("proposals") or ()),
            str(h.get("pr") or ""),
        ),
        rows.parse_timestamp(acquired),
        rows.parse_timestamp(heartbeat),
    )


def _audit_row(row: Sequence[Any]) -> AuditRow:
    seq, at, entry, prev, digest = row
    return AuditRow(int(seq), rows.parse_timestamp(at), entry_from_json(json.loads(entry)), prev, digest)
