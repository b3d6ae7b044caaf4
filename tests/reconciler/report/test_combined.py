"""The combined report's exit code and JSON envelope across scanned, skipped and failed workspaces."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from reconciler.report.combined import CombinedReport
from reconciler.report.combined import Delivery
from reconciler.report.combined import WorkspaceRun
from reconciler.report.combined import combined_to_json
from reconciler.report.delta import delta
from state.report import ScanReport

AT = datetime(2026, 11, 29, 19, 0, tzinfo=UTC)


def _combined(*runs: WorkspaceRun) -> CombinedReport:
    return CombinedReport("/repo", AT, runs)


def _readable(report: ScanReport) -> ScanReport:
    """The full report without its unreadable resource: drift, and nothing unknown (exit 2)."""
    return report._replace(drifts=report.drifts[:4], summary=report.summary._replace(unknown=0))


def test_exit_codes_across_workspaces(report: ScanReport, clean: ScanReport, incomplete: ScanReport) -> None:
    drifted = WorkspaceRun("prod", "/repo/prod", "scanned", _readable(report))
    synced = WorkspaceRun("dev", "/repo/dev", "scanned", clean)
    skipped = WorkspaceRun("qa", "/repo/qa", "skipped", message="another run is scanning it")
    assert _combined(synced, skipped).exit_code == 0  # a skipped workspace counts as nothing
    assert _combined(synced, drifted, skipped).exit_code == 2
    assert _combined(drifted, WorkspaceRun("qa", "/repo/qa", "scanned", incomplete)).exit_code == 1
    assert (
        _combined(synced, WorkspaceRun("qa", "/repo/qa", "failed", message="main.tf:2: ...")).exit_code == 1
    )


def test_the_envelope_holds_each_report_its_news_and_the_notifications(
    report: ScanReport, clean: ScanReport
) -> None:
    report = _readable(report)
    runs = (
        WorkspaceRun("prod", "/repo/prod", "scanned", report, events=delta(None, report)),
        WorkspaceRun("dev", "/repo/dev", "scanned", clean, previous_scan_id="scan-0000"),
    )
    sent = Delivery("https://hooks.slack.com/…", "slack", False, 4, 500, "HTTP 500", 8)
    doc = combined_to_json(CombinedReport("/repo", AT, runs, (sent,)))
    assert (doc["version"], doc["exit_code"], doc["started_at"]) == (1, 2, "2026-11-29T19:00:00Z")
    assert doc["summary"] == {
        "workspaces": 2,
        "scanned": 2,
        "skipped": 0,
        "failed": 0,
        "in_sync": 1,
        "drifted": 1,
        "incomplete": 0,
        "new": 8,
        "changed": 0,
        "resolved": 0,
    }
    prod, dev = doc["workspaces"]
    assert prod["report"]["scan_id"] == report.scan_id and len(prod["events"]) == 8
    assert dev["previous_scan_id"] == "scan-0000" and dev["events"] == []
    assert doc["notifications"] == [
        {
            "target": "https://hooks.slack.com/…",
            "format": "slack",
            "ok": False,
            "attempts": 4,
            "status": 500,
            "error": "HTTP 500",
            "events": 8,
        }
    ]
