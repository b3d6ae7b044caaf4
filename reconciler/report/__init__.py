"""Drift reports for people and machines: ``reconcile drift --format table|json|markdown|sarif``.

Each format is a module with a ``render(report, ...) -> str``; :func:`render` picks one by name. The
renderers are pure: they never read the cloud or the disk, so the command decides where text goes.
"""

from __future__ import annotations

from reconciler.report import json_format
from reconciler.report import markdown
from reconciler.report import overview
from reconciler.report import sarif
from reconciler.report import table
from reconciler.report.combined import CombinedReport
from reconciler.report.combined import render_json as combined_json
from state.report import ScanReport

FORMATS: tuple[str, ...] = ("table", "json", "markdown", "sarif")


def render(
    report: ScanReport,
    fmt: str,
    *,
    color: bool = False,
    width: int = 120,
    link_base: str | None = None,
    anchor: str | None = None,
) -> str:
    """``report`` in format ``fmt`` (one of :data:`FORMATS`), ending in a newline.

    ``color`` and ``width`` apply to ``table``; ``link_base`` (a URL of the workspace folder, e.g. a
    GitHub blob URL) makes ``markdown`` sources links; ``anchor`` is the workspace file ``sarif`` places
    drifts without an HCL block at (default: the file most drifts point at).
    """
    if fmt == "table":
        return table.render(report, color=color, width=width)
    if fmt == "json":
        return json_format.render(report)
    if fmt == "markdown":
        return markdown.render(report, link_base=link_base)
    if fmt == "sarif":
        return sarif.render(report, anchor=anchor)
    raise ValueError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}")


def render_combined(
    report: CombinedReport, fmt: str, *, color: bool = False, width: int = 120, link_base: str | None = None
) -> str:
    """A combined report (``reconcile drift --all``) in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "table":
        return overview.render_table(report, color=color, width=width)
    if fmt == "json":
        return combined_json(report)
    if fmt == "markdown":
        return overview.render_markdown(report, link_base=link_base)
    if fmt == "sarif":
        return overview.render_sarif(report)
    raise ValueError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}")
