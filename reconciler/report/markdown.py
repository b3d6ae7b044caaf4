"""The PR/issue form of a scan: GitHub-flavoured Markdown, one table per kind of drift.

Every value from the cloud is shown in a code span with table pipes escaped, so a tag value cannot
break the table, inject links or HTML, or mention anyone; text (callers, errors) is escaped, mentions
broken.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC
from urllib.parse import quote

from reconciler.report.text import attribution_text
from reconciler.report.text import no_drift_text
from reconciler.report.text import shorten_pair
from reconciler.report.text import summary_parts
from reconciler.report.text import tool_version
from reconciler.report.text import value_text
from reconciler.report.text import visible
from state.report import KINDS
from state.report import Drift
from state.report import Kind
from state.report import ScanReport
from state.report import Source

VALUE_LIMIT = 60
COLLAPSE_AFTER = 20  # more drifts than this and each table folds into <details>

TITLES: dict[Kind, str] = {
    "changed": "Changed outside Terraform",
    "deleted": "Deleted outside Terraform",
    "unmanaged": "Unmanaged: created outside Terraform",
    "unknown": "Unknown: could not be read",
}
_COLUMNS: dict[Kind, tuple[str, ...]] = {
    "changed": ("Address", "Attribute", "State", "Live", "Changed by", "Source"),
    "deleted": ("Address", "Resource ID", "Deleted by", "Source"),
    "unmanaged": ("Resource ID", "Type", "Created by"),
    "unknown": ("Address", "Reason", "Source"),
}
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_MENTION = re.compile(r"(?<![\w.+-])@")


def render(report: ScanReport, *, link_base: str | None = None) -> str:
    """The report as Markdown; ``link_base`` (e.g. a blob URL of the workspace folder) turns sources
    into links, otherwise they read ``path#Lline`` ready to be appended to one."""
    return "\n".join(_lines(report, link_base)) + "\n"


def _lines(report: ScanReport, link_base: str | None) -> Iterator[str]:
    yield f"## Drift in {code(report.workspace)}"
    yield ""
    if not report.complete:
        yield "> [!WARNING]"
        yield "> The scan is incomplete; resources it could not read are not reported as deleted."
        yield from (f"> - {text(error)}" for error in report.errors)
        yield ""
    parts = summary_parts(report)
    yield "| " + " | ".join(label for label, _ in parts) + " |"
    yield "|" + "---:|" * len(parts)
    yield "| " + " | ".join(str(count) for _, count in parts) + " |"
    yield ""
    if not report.drifts:
        yield f"**{text(no_drift_text(report))}**"
        yield ""
    collapse = len(report.drifts) > COLLAPSE_AFTER
    for kind in KINDS:
        drifts = [d for d in report.drifts if d.kind == kind]
        if not drifts:
            continue
        yield f"### {TITLES[kind]} ({len(drifts)})"
        yield ""
        if collapse:
            yield f"<details><summary>Show {len(drifts)} {kind}</summary>"
            yield ""  # GitHub renders Markdown inside <details> only after a blank line
        yield "| " + " | ".join(_COLUMNS[kind]) + " |"
        yield "|" + "---|" * len(_COLUMNS[kind])
        for drift in drifts:
            yield from ("| " + " | ".join(cells) + " |" for cells in _rows(drift, link_base))
        yield ""
        if collapse:
            yield "</details>"
            yield ""
    yield "---"
    when = report.scanned_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    yield f"<sub>reconcile {tool_version()} · scan {code(report.scan_id)} · {when}</sub>"


def _rows(drift: Drift, link_base: str | None) -> Iterator[list[str]]:
    by = text(attribution_text(drift.attribution))
    where = source_link(drift.source, link_base)
    if drift.kind == "changed":
        if not drift.changes:
            yield [code(drift.address or drift.resource_id), "", "", "", by, where]
        for i, c in enumerate(drift.changes):
            first = i == 0
            state, live = shorten_pair(value_text(c.state), value_text(c.live), VALUE_LIMIT)
            yield [
                code(drift.address or drift.resource_id) if first else "",
                code(c.path),
                code(state),
                code(live),
                by if first else "",
                where if first else "",
            ]
    elif drift.kind == "deleted":
        yield [code(drift.address or ""), code(drift.resource_id), by, where]
    elif drift.kind == "unmanaged":
        yield [code(drift.resource_id), code(drift.type), by]
    else:
        yield [code(drift.address or drift.resource_id), text(drift.reason or "no reason given"), where]


def source_link(source: Source | None, link_base: str | None) -> str:
    if source is None:
        return ""
    anchor = f"{source.file}#L{source.line}"
    if link_base is None:
        return code(anchor)
    return f"[{text(anchor)}]({link_base.rstrip('/')}/{quote(source.file)}#L{source.line})"


def code(value: str) -> str:
    """``value`` as an inline code span that survives a table cell: pipes escaped, fence longer than
    any backtick run inside it."""
    value = visible(value).replace("|", "\\|")
    if not value:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value[0] == "`" or value[-1] == "`" else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def text(value: str) -> str:
    """Plain text with Markdown and HTML punctuation escaped, on one line; an ``@`` that would mention
    someone (not an e-mail address's) is broken by a zero-width space."""
    return _MENTION.sub("@&#8203;", _SPECIAL.sub(r"\\\1", visible(value)))
