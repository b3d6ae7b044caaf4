"""A combined report for people: the table and Markdown overview, and SARIF with a run per workspace."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC
from datetime import datetime

from reconciler.report.combined import CombinedReport
from reconciler.report.combined import WorkspaceRun
from reconciler.report.delta import delta
from reconciler.report.overview import render_markdown
from reconciler.report.overview import render_sarif
from reconciler.report.overview import render_table
from state.report import ScanReport

AT = datetime(2026, 11, 29, 19, 0, tzinfo=UTC)


def _fleet(make_report: Callable[..., ScanReport], clean: ScanReport) -> CombinedReport:
    prod = make_report("/repo/envs/prod")
    return CombinedReport(
        "/repo",
        AT,
        (
            WorkspaceRun("envs/prod", "/repo/envs/prod", "scanned", prod, events=delta(None, prod)),
            WorkspaceRun("envs/dev", "/repo/envs/dev", "scanned", clean._replace(workspace="/repo/envs/dev")),
            WorkspaceRun("envs/qa", "/repo/envs/qa", "skipped", message="another run is scanning it (pid 7)"),
            WorkspaceRun("envs/<b>", "/repo/envs/b", "failed", message="main.tf:2: HCL syntax error"),
        ),
    )


def test_the_table_shows_every_workspace_and_the_news(
    make_report: Callable[..., ScanReport], clean: ScanReport
) -> None:
    text = render_table(_fleet(make_report, clean))
    assert "── envs/prod (/repo/envs/prod) " in text
    assert "since the previous scan: 9 new, 0 changed, 0 resolved" in text
    assert "skipped: another run is scanning it (pid 7)" in text
    assert text.rstrip().endswith(
        "4 workspaces · 2 scanned · 1 in sync · 0 drifted · 1 incomplete · 1 skipped · 1 failed"
    )


def test_markdown_has_an_overview_table_then_each_report(
    make_report: Callable[..., ScanReport], clean: ScanReport
) -> None:
    text = render_markdown(_fleet(make_report, clean))
    assert text.startswith("# Drift in 4 workspaces\n")
    assert "| `envs/prod` | incomplete | 2 | 1 | 1 | 1 | 9 | 0 | 0 |" in text
    assert "| `envs/qa` | skipped |" in text
    assert "## `envs/<b>`: failed" in text  # a name in a code span: no HTML
    assert "## Drift in `/repo/envs/prod`" in text


def test_sarif_has_a_category_per_workspace_and_paths_from_the_repository(
    make_report: Callable[..., ScanReport], clean: ScanReport
) -> None:
    log = json.loads(render_sarif(_fleet(make_report, clean)))
    runs = log["runs"]
    assert [r["automationDetails"]["id"] for r in runs] == ["reconcile/envs/prod/", "reconcile/envs/dev/"]
    assert runs[0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///repo/"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in runs[0]["results"]}
    assert "envs/prod/main.tf" in uris and "envs/prod/modules/net%20work/nsg.tf" in uris
