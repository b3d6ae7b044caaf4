"""The terminal form of a scan: a summary line, then one row per drift (one line per changed attribute)."""

from __future__ import annotations

from io import StringIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from reconciler.report.text import attribution_parts
from reconciler.report.text import no_drift_text
from reconciler.report.text import shorten_pair
from reconciler.report.text import source_text
from reconciler.report.text import subject
from reconciler.report.text import summary_parts
from reconciler.report.text import value_text
from reconciler.report.text import visible
from state.report import Drift
from state.report import ScanReport

VALUE_LIMIT = 32  # per side of "state → live", so a change stays on a line or two at 120 columns

KIND_STYLES = {"changed": "yellow", "deleted": "red", "unmanaged": "magenta", "unknown": "blue"}
_CHROME = 11  # padding and rules of a four-column SIMPLE_HEAD table without edges
_COUNT_STYLES = {**KIND_STYLES, "in sync": "green", "managed": "bold"}


def render(report: ScanReport, *, color: bool = False, width: int = 120) -> str:
    """The report as a terminal shows it; ANSI styles only when ``color``."""
    out = StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,  # data is shown as data: no auto-coloured numbers or ids
        emoji=False,
        legacy_windows=False,
    )
    console.print(_summary(report))
    for error in report.errors:
        console.print(Text.assemble(("  ✗ ", "red"), visible(error)))
    if report.drifts:
        console.print(_table(report, width))
    else:
        console.print(Text(no_drift_text(report), style="green" if report.complete else "red"))
    # Rich pads every line to the width; trailing blanks only get in the way in files and diffs.
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


def _summary(report: ScanReport) -> Text:
    line = Text()
    for i, (label, count) in enumerate(summary_parts(report)):
        if i:
            line.append(" · ", style="dim")
        line.append(f"{count} {label}", style=_COUNT_STYLES[label] if count else "")
    line.append(" · ", style="dim")
    if report.complete:
        line.append("scan complete", style="green")
    else:
        errors = len(report.errors)
        line.append(f"scan incomplete ({errors} error{'' if errors == 1 else 's'})", style="bold red")
    if report.mode == "incremental":
        line.append(" · incremental", style="dim")
    elif report.mode_note:
        line.append(f" · {report.mode_note}", style="dim")
    return line


def _table(report: ScanReport, width: int) -> Table:
    table = Table(
        title=Text(f"Drift in {visible(report.workspace)}"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
    )
    resource_width, attribute_width = _widths(report, width)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Resource", overflow="fold", width=resource_width)
    table.add_column("Attribute", overflow="fold", width=attribute_width)
    table.add_column("State → Live", overflow="fold")
    for drift in report.drifts:
        rows = _rows(drift)
        for i, (attribute, values) in enumerate(rows):
            first = i == 0
            table.add_row(
                Text(drift.kind, style=KIND_STYLES[drift.kind]) if first else "",
                _resource(drift) if first else "",
                attribute,
                values,
                end_section=i == len(rows) - 1,
            )
    return table


def _widths(report: ScanReport, width: int) -> tuple[int, int]:
    """Widths of the resource and attribute columns; the values column takes the rest.

    Addresses and attribute paths read as one token, so they get the width they need before values and
    ids (which fold) get theirs, within a share of the line. Fixed widths because rich lets columns with
    a minimum width push a table past the console, where it crops the last column.
    """
    free = max(width - len("unmanaged") - _CHROME, 24)
    resource = max((len(line.plain) for d in report.drifts for line in _resource(d).split()), default=8)
    attribute = max((len(visible(c.path)) for d in report.drifts for c in d.changes), default=9)
    resource = min(max(resource, len("Resource")), max(free * 2 // 5, 12))
    return resource, min(max(attribute, len("Attribute")), max(free // 4, 9))


def _resource(drift: Drift) -> Text:
    """Everything about the resource itself in one cell: what, where it is defined, who changed it."""
    lines = [Text(subject(drift), style="bold")]
    if not drift.address:
        # No Terraform address: the ARM id names it, and the type says what `import` would need.
        lines.append(Text(visible(drift.type)))
    if drift.source:
        lines.append(Text(source_text(drift.source), style="cyan"))
    if drift.attribution:
        who, how = attribution_parts(drift.attribution)
        lines += [Text(f"by {who}", style="dim"), Text(how, style="dim")]
    return Text("\n").join(lines)


def _rows(drift: Drift) -> list[tuple[Text, Text]]:
    if drift.kind == "changed" and drift.changes:
        rows = []
        for c in drift.changes:
            state, live = shorten_pair(value_text(c.state), value_text(c.live), VALUE_LIMIT)
            rows.append((Text(visible(c.path)), Text.assemble(state, (" → ", "dim"), (live, "bold"))))
        return rows
    note = {
        "changed": "changed",
        "deleted": "in state, gone from the cloud",
        "unmanaged": "in the cloud, in no state",
        "unknown": f"could not be read: {visible(drift.reason or 'no reason given')}",
    }[drift.kind]
    return [(Text(""), Text(note, style="dim" if drift.kind != "unknown" else ""))]
