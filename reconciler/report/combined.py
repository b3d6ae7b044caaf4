"""One report for many workspaces: what ``reconcile drift --all`` writes, and its JSON envelope.

JSON (version 1)::

    {"version": 1, "kind": "reconcile.drift.all", "directory": "/abs/dir/with/reconcile.toml",
     "started_at": "<RFC 3339>", "exit_code": 0 | 1 | 2,
     "summary": {"workspaces": 3, "scanned": 2, "skipped": 1, "failed": 0,
                 "in_sync": 1, "drifted": 1, "incomplete": 0, "new": 2, "changed": 0, "resolved": 0},
     "workspaces": [{"name": "envs/prod", "path": "/abs/envs/prod",
                     "status": "scanned" | "skipped" | "failed", "exit_code": 0 | 1 | 2,
                     "message": "why skipped or failed" | "", "previous_scan_id": "..." | null,
                     "events": [<event, see reconciler.report.delta>],
                     "report": <the workspace's report, version 1 (state.report)> | null}],
     "notifications": [{"target": "https://hooks.example.com/…", "format": "json" | "slack",
                        "ok": true, "attempts": 1, "status": 200 | null, "error": null | "...",
                        "events": 2}]}

The exit code is a scan's, across all workspaces: 1 when any scan failed or is incomplete, else 2 when
any found drift, else 0. A workspace skipped because another run is scanning it counts as nothing; a
notification never changes the exit code.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from typing import Literal
from typing import NamedTuple

from reconciler.report.delta import Event
from reconciler.report.delta import event_to_json
from state.report import ScanReport
from state.report import rfc3339
from state.report import to_json

Status = Literal["scanned", "skipped", "failed"]


class WorkspaceRun(NamedTuple):
    name: str
    path: str  # absolute
    status: Status
    report: ScanReport | None = None
    message: str = ""  # why it was skipped, or the error that stopped it
    previous_scan_id: str | None = None
    events: tuple[Event, ...] = ()  # since the previous scan

    @property
    def exit_code(self) -> int:
        if self.status == "failed":
            return 1
        return self.report.exit_code if self.report is not None else 0


class Delivery(NamedTuple):
    """One webhook's outcome."""

    target: str  # the URL without its path and query, which often hold the webhook's secret
    format: str
    ok: bool
    attempts: int
    status: int | None  # the last HTTP status, if any answer came
    error: str | None
    events: int


class CombinedReport(NamedTuple):
    directory: str
    started_at: datetime
    runs: tuple[WorkspaceRun, ...]
    deliveries: tuple[Delivery, ...] = ()

    @property
    def exit_code(self) -> int:
        codes = {r.exit_code for r in self.runs}
        return 1 if 1 in codes else 2 if 2 in codes else 0

    def count(self, status: Status) -> int:
        return sum(r.status == status for r in self.runs)

    def events(self, kind: str) -> int:
        return sum(e.kind == kind for r in self.runs for e in r.events)


def combined_to_json(report: CombinedReport) -> dict[str, Any]:
    scanned = [r.report for r in report.runs if r.report is not None]
    return {
        "version": 1,
        "kind": "reconcile.drift.all",
        "directory": report.directory,
        "started_at": rfc3339(report.started_at),
        "exit_code": report.exit_code,
        "summary": {
            "workspaces": len(report.runs),
            "scanned": report.count("scanned"),
            "skipped": report.count("skipped"),
            "failed": report.count("failed"),
            "in_sync": sum(r.exit_code == 0 for r in scanned),
            "drifted": sum(r.exit_code == 2 for r in scanned),
            "incomplete": sum(r.exit_code == 1 for r in scanned),
            "new": report.events("new"),
            "changed": report.events("changed"),
            "resolved": report.events("resolved"),
        },
        "workspaces": [
            {
                "name": r.name,
                "path": r.path,
                "status": r.status,
                "exit_code": r.exit_code,
                "message": r.message,
                "previous_scan_id": r.previous_scan_id,
                "events": [event_to_json(e) for e in r.events],
                "report": to_json(r.report) if r.report is not None else None,
            }
            for r in report.runs
        ],
        "notifications": [d._asdict() for d in report.deliveries],
    }


def render_json(report: CombinedReport) -> str:
    return json.dumps(combined_to_json(report), indent=2) + "\n"
