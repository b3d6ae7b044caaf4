"""The records of a drift scan, and their stable JSON form (``reconcile drift --format json``, version 1).

    {"version": 1, "workspace": "<dir>", "scan_id": "...", "scanned_at": "<RFC 3339>",
     "complete": true, "mode": "full|incremental", "mode_note": "why not incremental", "errors": [],
     "summary": {"managed": 0, "in_sync": 0, "changed": 0, "deleted": 0, "unmanaged": 0, "unknown": 0},
     "drifts": [{"kind": "changed|deleted|unmanaged|unknown", "address": "azurerm_x.y[0]" | null,
                 "type": "azurerm_x", "resource_id": "/subscriptions/...",
                 "changes": [{"path": "tags.env", "state": "dev", "live": "prod"}],
                 "attribution": {"caller": "...", "modality": "portal", "operation": "...",
                                 "at": "<RFC 3339>", "correlation_id": "..."} | null,
                 "source": {"file": "main.tf", "line": 12} | null,
                 "reason": "why it is unknown" | null}]}

``path`` is dotted with list indexes as numbers (``boot_diagnostics.0.storage_account_uri``); an element
of a set of blocks named by a key (an NSG's rules) is ``security_rule["allow-ssh"]`` — added when
``state`` is null, removed when ``live`` is null — and ``security_rule["allow-ssh"].priority`` for one of
its fields. ``unmanaged`` items include children that no resource in state owns (a subnet created in the
portal, seen in its network's ``subnet`` block). Sensitive values are masked as ``"(sensitive)"`` before
a report is built.
"""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import Literal
from typing import NamedTuple

REPORT_VERSION = 1
MASK = "(sensitive)"

Kind = Literal["changed", "deleted", "unmanaged", "unknown"]
Modality = Literal["portal", "cli", "powershell", "terraform", "sdk", "unknown"]
KINDS: tuple[Kind, ...] = ("changed", "deleted", "unmanaged", "unknown")


class Change(NamedTuple):
    path: str  # tags.env, os_disk.0.caching, security_rule["allow-ssh"].priority
    state: Any
    live: Any

    @property
    def attribute(self) -> str:
        """The top-level attribute or block the change is in (``security_rule``, ``tags``)."""
        return re.split(r"[.\[]", self.path, maxsplit=1)[0]


class Attribution(NamedTuple):
    caller: str
    modality: Modality
    operation: str
    at: datetime
    correlation_id: str


class Source(NamedTuple):
    file: str  # relative to the workspace root
    line: int


class Drift(NamedTuple):
    kind: Kind
    address: str | None
    type: str
    resource_id: str
    changes: tuple[Change, ...] = ()
    attribution: Attribution | None = None
    source: Source | None = None
    reason: str | None = None


class Summary(NamedTuple):
    managed: int
    in_sync: int
    changed: int
    deleted: int
    unmanaged: int
    unknown: int


class ScanReport(NamedTuple):
    workspace: str
    scan_id: str
    scanned_at: datetime
    summary: Summary
    drifts: tuple[Drift, ...]
    complete: bool = True
    errors: tuple[str, ...] = ()
    #: "full", or "incremental": only what the Activity Log says changed was read again
    mode: str = "full"
    #: why a scan asked to be incremental was a full one (not stored)
    mode_note: str = ""

    @property
    def exit_code(self) -> int:
        """0 in sync, 2 drift found, 1 incomplete scan (the report is still written)."""
        if not self.complete or self.summary.unknown:
            return 1
        return 2 if self.drifts else 0


def masked(value: Any) -> bool:
    """Whether a value is, or holds, a masked secret (:data:`MASK`)."""
    if value == MASK:
        return True
    if isinstance(value, dict):
        return any(masked(v) for v in value.values())
    if isinstance(value, list):
        return any(masked(v) for v in value)
    return False


def rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_json(report: ScanReport) -> dict[str, Any]:
    return {
        "version": REPORT_VERSION,
        "workspace": report.workspace,
        "scan_id": report.scan_id,
        "scanned_at": rfc3339(report.scanned_at),
        "complete": report.complete,
        "mode": report.mode,
        "mode_note": report.mode_note,
        "errors": list(report.errors),
        "summary": report.summary._asdict(),
        "drifts": [drift_to_json(d) for d in report.drifts],
    }


def drift_to_json(d: Drift) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "address": d.address,
        "type": d.type,
        "resource_id": d.resource_id,
        "changes": [c._asdict() for c in d.changes],
        "attribution": None
        if d.attribution is None
        else {**d.attribution._asdict(), "at": rfc3339(d.attribution.at)},
        "source": None if d.source is None else d.source._asdict(),
        "reason": d.reason,
    }


def from_json(doc: dict[str, Any]) -> ScanReport:
    """The inverse of :func:`to_json` (the store keeps reports in this form)."""
    if doc.get("version") != REPORT_VERSION:
        raise ValueError(f"unsupported report version {doc.get('version')!r}")
    return ScanReport(
        workspace=doc["workspace"],
        scan_id=doc["scan_id"],
        scanned_at=_time(doc["scanned_at"]),
        summary=Summary(**doc["summary"]),
        drifts=tuple(_drift(d) for d in doc["drifts"]),
        complete=doc.get("complete", True),
        errors=tuple(doc.get("errors", ())),
        mode=doc.get("mode", "full"),
        mode_note=doc.get("mode_note", ""),
    )


def _drift(d: dict[str, Any]) -> Drift:
    a = d.get("attribution")
    s = d.get("source")
    return Drift(
        kind=d["kind"],
        address=d.get("address"),
        type=d["type"],
        resource_id=d["resource_id"],
        changes=tuple(Change(**c) for c in d.get("changes", ())),
        attribution=None if a is None else Attribution(**{**a, "at": _time(a["at"])}),
        source=None if s is None else Source(**s),
        reason=d.get("reason"),
    )


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
