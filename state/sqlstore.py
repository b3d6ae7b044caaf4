"""The scan and proposal verbs of :class:`~state.store.Store`, over any DB-API 2 connection.

The transactions come from :mod:`state.transactions`, the apply verbs (locks, audit) from
:mod:`state.ledger`, the PR bot's (queue, deliveries, plans) from :mod:`state.bot`; which statements run
in which order, and how scan ids are resolved, lives here once, so that a PostgreSQL store is only a
connection away.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from state import rows
from state.bot import BotLedger
from state.errors import StoreError
from state.ledger import Ledger
from state.report import ScanReport
from state.store import ScanInfo
from state.store import Snapshot
from state.transactions import Cursor

_SHOWN_MATCHES = 3  # how many matches an ambiguous-prefix error lists


class SqlStore(Ledger, BotLedger):
    """Implements the store's verbs; see :class:`~state.store.Store` for their contracts."""

    # -- the verbs --------------------------------------------------------------------------------

    def save_scan(
        self,
        report: ScanReport,
        snapshots: Iterable[Snapshot],
        *,
        state_serial: int | None,
        state_lineage: str | None,
    ) -> None:
        now = self._clock()
        r = rows.scan_rows(
            report,
            snapshots,
            state_serial=state_serial,
            state_lineage=state_lineage,
            saved_at=now,
            redactor=self._redactor,
            key=self._key,
        )
        q = self._q
        with self._write() as cur:
            cur.execute(q.scan_exists, (report.scan_id,))
            if cur.fetchone() is not None:
                raise StoreError(
                    f"{self.location}: scan {report.scan_id} is already saved", file=str(self.location)
                )
            cur.execute(q.insert_workspace, (report.workspace, rows.timestamp(now)))
            cur.execute(q.insert_scan, r.scan)
            # executemany with an empty list is fine in sqlite3 but not in every driver.
            for sql, batch in (
                (q.insert_drift, r.drifts),
                (q.insert_attribution, r.attributions),
                (q.insert_snapshot, r.snapshots),
            ):
                if batch:
                    cur.executemany(sql, batch)

    def report(self, scan_id: str) -> ScanReport | None:
        with self._read() as cur:
            sid = self._resolve(cur, scan_id)
            return None if sid is None else self._report(cur, sid)

    def scans(self, workspace: str | None = None, limit: int = 20) -> list[ScanInfo]:
        if limit < 1:
            raise ValueError(f"limit must be positive, got {limit}")
        with self._read() as cur:
            if workspace is None:
                cur.execute(self._q.scans_all, (limit,))
            else:
                cur.execute(self._q.scans_of, (workspace, limit))
            return [rows.info_from_row(row) for row in cur.fetchall()]

    def latest(self, workspace: str) -> ScanReport | None:
        with self._read() as cur:
            cur.execute(self._q.latest, (workspace,))
            row = cur.fetchone()
            return None if row is None else self._report(cur, row[0])

    def modes(self, workspace: str, limit: int) -> list[str]:
        """``full`` or ``incremental`` for the newest ``limit`` scans, newest first."""
        with self._read() as cur:
            cur.execute(self._q.modes, (workspace, limit))
            return [str(r[0]) for r in cur.fetchall()]

    def last_scan_at(self, workspace: str) -> datetime | None:
        with self._read() as cur:
            cur.execute(self._q.last_scan_at, (workspace,))
            row = cur.fetchone()
        return None if row is None or row[0] is None else rows.parse_timestamp(row[0])

    def lineage(self, workspace: str) -> str | None:
        with self._read() as cur:
            cur.execute(self._q.lineage, (workspace,))
            row = cur.fetchone()
        return None if row is None else str(row[0])

    def snapshots(self, scan_id: str) -> list[Snapshot]:
        with self._read() as cur:
            sid = self._require(cur, scan_id)
            cur.execute(self._q.snapshots, (sid,))
            return [rows.snapshot_from_row(row) for row in cur.fetchall()]

    def scan_state(self, scan_id: str) -> tuple[int | None, str | None]:
        with self._read() as cur:
            sid = self._require(cur, scan_id)
            cur.execute(self._q.scan_state, (sid,))
            serial, lineage = cur.fetchone()
        return (None if serial is None else int(serial)), lineage

    def save_proposals(self, scan_id: str, proposals: Sequence[dict[str, Any]]) -> None:
        """A scan's proposals, in their JSON form (``proposal_id``, ``address``, ``strategy``, ``valid``)."""
        now = rows.timestamp(self._clock())
        with self._write() as cur:
            sid = self._require(cur, scan_id)
            batch = [
                (
                    p["proposal_id"],
                    sid,
                    seq,
                    p.get("address"),
                    p["strategy"],
                    bool(p["valid"]),
                    now,
                    json.dumps(self._redactor.scrub(p)),
                )
                for seq, p in enumerate(proposals)
            ]
            if batch:
                cur.executemany(self._q.insert_proposal, batch)

    def proposals(self, scan_id: str) -> list[dict[str, Any]]:
        with self._read() as cur:
            sid = self._require(cur, scan_id)
            cur.execute(self._q.proposals, (sid,))
            return [json.loads(r[0]) for r in cur.fetchall()]

    def proposal(self, proposal_id: str) -> dict[str, Any] | None:
        """A proposal by id or unique prefix."""
        with self._read() as cur:
            cur.execute(self._q.proposal_with_prefix, (len(proposal_id), proposal_id))
            found = cur.fetchall()
        if len(found) > 1:
            raise StoreError(
                f"{self.location}: proposal id {proposal_id!r} is ambiguous", file=str(self.location)
            )
        return json.loads(found[0][0]) if found else None

    def _report(self, cur: Cursor, sid: str) -> ScanReport:
        cur.execute(self._q.scan, (sid,))
        scan = cur.fetchone()
        cur.execute(self._q.drifts, (sid,))
        return rows.report_from_rows(scan, cur.fetchall())

    # -- scan ids ---------------------------------------------------------------------------------

    def _resolve(self, cur: Cursor, scan_id: str) -> str | None:
        """The full id that ``scan_id`` names (itself or a unique prefix), or None."""
        if not scan_id:
            raise StoreError("no scan id given")
        cur.execute(self._q.scan_exists, (scan_id,))
        if cur.fetchone() is not None:
            return scan_id
        cur.execute(self._q.scans_with_prefix, (len(scan_id), scan_id, _SHOWN_MATCHES + 1))
        matches = [row[0] for row in cur.fetchall()]
        if len(matches) > 1:
            shown = ", ".join(matches[:_SHOWN_MATCHES])
            more = " and more" if len(matches) > _SHOWN_MATCHES else ""
            raise StoreError(f"scan id {scan_id!r} is ambiguous: it matches {shown}{more}")
        return matches[0] if matches else None

    def _require(self, cur: Cursor, scan_id: str) -> str:
        sid = self._resolve(cur, scan_id)
        if sid is None:
            raise StoreError.at(self.location, f"no scan {scan_id!r}")
        return sid
