"""A combined report (``reconcile drift --all``) for people: a terminal table, Markdown, and SARIF.

Each workspace's part is its own report in the same format, so what a reader knows from ``reconcile
drift`` reads the same here; the overview adds one line per workspace and what changed since its
previous scan.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from reconciler.report import markdown
from reconciler.report import sarif
from reconciler.report import table
from reconciler.report.combined import CombinedReport
from reconciler.report.combined import WorkspaceRun
from reconciler.report.text import visible

_STATE = {0: "in sync", 2: "drifted", 1: "incomplete"}


def render_table(report: CombinedReport, *, color: bool = False, width: int = 120) -> str:
    out: list[str] = []
    for run in report.runs:
        out.append(f"── {visible(run.name)} ({visible(run.path)}) " + "─" * 8)
        if run.report is not None:
            out.append(table.render(run.report, color=color, width=width).rstrip("\n"))
            if run.events:
                out.append(f"since the previous scan: {_since(run)}")
        else:
            out.append(f"{run.status}: {visible(run.message)}")
        out.append("")
    out.append(_summary(report))
    out += [_delivery_line(d.target, d.ok, d.error, d.events) for d in report.deliveries]
    return "\n".join(out) + "\n"


def render_markdown(report: CombinedReport, *, link_base: str | None = None) -> str:
    return "\n".join(_markdown(report, link_base)) + "\n"


def _markdown(report: CombinedReport, link_base: str | None) -> Iterator[str]:
    yield f"# Drift in {len(report.runs)} workspaces"
    yield ""
    yield _summary(report)
    yield ""
    yield "| Workspace | Status | Changed | Deleted | Unmanaged | Unknown | New | Changed since | Resolved |"
    yield "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    for run in report.runs:
        s = run.report.summary if run.report else None
        counts = [str(n) for n in (s.changed, s.deleted, s.unmanaged, s.unknown)] if s else ["", "", "", ""]
        news = [str(sum(e.kind == k for e in run.events)) for k in ("new", "changed", "resolved")]
        yield "| " + " | ".join([markdown.code(run.name), _status(run), *counts, *news]) + " |"
    yield ""
    for run in report.runs:
        if run.report is not None:
            yield markdown.render(run.report, link_base=link_base).rstrip("\n")
        else:
            yield f"## {markdown.code(run.name)}: {run.status}"
            yield ""
            yield markdown.text(run.message)
        yield ""


def render_sarif(report: CombinedReport) -> str:
    """One SARIF run per scanned workspace, file URIs relative to the directory of ``reconcile.toml``."""
    root = Path(report.directory)
    runs = [
        sarif.run_of(
            r.report, root=root if _under(Path(r.path), root) else None, category=f"reconcile/{r.name}"
        )
        for r in report.runs
        if r.report is not None
    ]
    return sarif.log(runs)


def _under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _status(run: WorkspaceRun) -> str:
    return _STATE[run.exit_code] if run.status == "scanned" else run.status


def _since(run: WorkspaceRun) -> str:
    return ", ".join(f"{sum(e.kind == k for e in run.events)} {k}" for k in ("new", "changed", "resolved"))


def _summary(report: CombinedReport) -> str:
    scanned = [r for r in report.runs if r.status == "scanned"]
    parts = [f"{len(report.runs)} workspaces", f"{len(scanned)} scanned"]
    parts += [f"{sum(r.exit_code == code for r in scanned)} {label}" for code, label in _STATE.items()]
    parts += [f"{report.count(s)} {s}" for s in ("skipped", "failed") if report.count(s)]
    return " · ".join(parts)


def _delivery_line(target: str, ok: bool, error: str | None, events: int) -> str:
    if ok:
        return f"notified {visible(target)}: {events} event{'s' if events != 1 else ''}"
    return f"notification to {visible(target)} failed: {visible(error or 'no answer')}"
