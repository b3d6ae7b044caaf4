"""Records to table rows and back, for any SQL store; column orders follow :mod:`state.schema`.

Rows are built before a write transaction starts so that the transaction only inserts: encoding a large
scan (JSON of every snapshot) never holds the write lock. Building them is also where secrets are taken
out: sensitive snapshot values masked by path (with a keyed hash), every known secret redacted by value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import NamedTuple

from state.key import StoreKey
from state.redaction import Redactor
from state.redaction import masked
from state.report import Attribution
from state.report import Change
from state.report import Drift
from state.report import ScanReport
from state.report import Source
from state.report import Summary
from state.store import ScanInfo
from state.store import Snapshot

Row = tuple[Any, ...]


class ScanRows(NamedTuple):
    scan: Row
    drifts: list[Row]
    attributions: list[Row]
    snapshots: list[Row]


def timestamp(at: datetime) -> str:
    """Fixed-width UTC text, so that ORDER BY on text is ORDER BY time."""
    if at.tzinfo is None:
        # A naive time would come back aware and no longer equal what was saved.
        raise ValueError(f"the store needs aware datetimes, got {at.isoformat()}")
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text.removesuffix("Z")).replace(tzinfo=UTC)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def scan_rows(
    report: ScanReport,
    snapshots: Iterable[Snapshot],
    *,
    state_serial: int | None,
    state_lineage: str | None,
    saved_at: datetime,
    redactor: Redactor,
    key: StoreKey,
) -> ScanRows:
    sid = report.scan_id
    clean = redactor.redact
    s = report.summary
    scan = (
        sid,
        report.workspace,
        timestamp(report.scanned_at),
        timestamp(saved_at),
        report.complete,
        state_serial,
        state_lineage,
        s.managed,
        s.in_sync,
        s.changed,
        s.deleted,
        s.unmanaged,
        s.unknown,
        _dump([clean(e) for e in report.errors]),
        report.mode,
    )
    drifts = [
        (
            sid,
            seq,
            d.kind,
            d.address,
            d.type,
            d.resource_id,
            _dump(redactor.scrub([c._asdict() for c in d.changes])),
            None if d.source is None else d.source.file,
            None if d.source is None else d.source.line,
            None if d.reason is None else clean(d.reason),
        )
        for seq, d in enumerate(report.drifts)
    ]
    attributions = [
        (sid, seq, a.caller, a.modality, a.operation, timestamp(a.at), a.correlation_id)
        for seq, d in enumerate(report.drifts)
        if (a := d.attribution) is not None
    ]
    snaps = [(sid, seq, *_snapshot(n, redactor, key)) for seq, n in enumerate(snapshots)]
    return ScanRows(scan, drifts, attributions, snaps)


def _snapshot(n: Snapshot, redactor: Redactor, key: StoreKey) -> Row:
    views: list[str | None] = []
    digests: dict[str, dict[str, str]] = {}
    for name, view in (("config", n.config), ("state", n.state), ("live", n.live)):
        shown, hidden = masked(view, n.sensitive)
        if hidden:
            digests[name] = {path: key.digest(value) for path, value in sorted(hidden.items())}
        views.append(None if shown is None else _dump(redactor.scrub(shown)))
    return (n.address, n.resource_id, n.type, *views, _dump(digests) if digests else None)


def _summary(row: Sequence[Any]) -> Summary:
    return Summary(*(int(n) for n in row))


def info_from_row(row: Sequence[Any]) -> ScanInfo:
    """From ``Queries.scan``'s columns."""
    return ScanInfo(row[0], row[1], parse_timestamp(row[2]), bool(row[3]), _summary(row[4:10]))


def report_from_rows(scan: Sequence[Any], drifts: Iterable[Sequence[Any]]) -> ScanReport:
    """From ``Queries.scan``'s and ``Queries.drifts``' columns."""
    info = info_from_row(scan)
    return ScanReport(
        workspace=info.workspace,
        scan_id=info.scan_id,
        scanned_at=info.scanned_at,
        summary=info.summary,
        drifts=tuple(_drift(d) for d in drifts),
        complete=info.complete,
        errors=tuple(_load(scan[10])),
        mode=scan[11],
    )


def _drift(row: Sequence[Any]) -> Drift:
    kind, address, type_, resource_id, changes, source_file, source_line, reason = row[:8]
    caller, modality, operation, occurred_at, correlation_id = row[8:]
    return Drift(
        kind=kind,
        address=address,
        type=type_,
        resource_id=resource_id,
        changes=tuple(Change(**c) for c in _load(changes)),
        attribution=None
        if caller is None
        else Attribution(caller, modality, operation, parse_timestamp(occurred_at), correlation_id),
        source=None if source_file is None else Source(source_file, int(source_line)),
        reason=reason,
    )


def snapshot_from_row(row: Sequence[Any]) -> Snapshot:
    address, resource_id, type_, config, state, live, digests = row
    hashes = _load(digests)
    sensitive = tuple(sorted({p for view in (hashes or {}).values() for p in view}))
    return Snapshot(address, resource_id, type_, _load(config), _load(state), _load(live), sensitive, hashes)
