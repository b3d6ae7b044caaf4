"""What a webhook receives after ``reconcile drift --all``: only the news, as generic JSON or for Slack.

Generic JSON (``--notify-format json``, version 1)::

    {"version": 1, "kind": "reconcile.drift.events", "directory": "/abs/dir",
     "summary": {"new": 1, "changed": 0, "resolved": 0},
     "workspaces": [{"name": "envs/prod", "path": "/abs/envs/prod", "scan_id": "...",
                     "scanned_at": "<RFC 3339>", "previous_scan_id": "..." | null,
                     "events": [<event, see reconciler.report.delta>]}]}

Slack (``--notify-format slack``): an incoming-webhook message of Block Kit sections. Cloud values are
untrusted (anyone with portal access writes a tag), so every value is escaped for mrkdwn (``&``, ``<``,
``>``: no links, no ``<!channel>``), shown in a code span (no formatting), with ``@`` mentions broken and
``verbatim`` text (Slack parses no mention or link in it); sizes stay inside Slack's limits.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.report.combined import CombinedReport
from reconciler.report.combined import WorkspaceRun
from reconciler.report.delta import Event
from reconciler.report.delta import event_to_json
from reconciler.report.text import shorten
from reconciler.report.text import value_text
from reconciler.report.text import visible
from state.report import rfc3339

SECTION_LIMIT = 2900  # Slack refuses section text over 3,000 characters
BLOCK_LIMIT = 45  # and messages over 50 blocks
VALUE_LIMIT = 60
_GRAVE = "\u02cb"
_MENTION = re.compile(r"@(?=(channel|here|everyone)\b)", re.IGNORECASE)


def has_news(report: CombinedReport) -> bool:
    return any(r.events for r in report.runs)


def json_payload(report: CombinedReport) -> dict[str, Any]:
    return {
        "version": 1,
        "kind": "reconcile.drift.events",
        "directory": report.directory,
        "summary": {k: report.events(k) for k in ("new", "changed", "resolved")},
        "workspaces": [_workspace(r) for r in report.runs if r.events],
    }


def _workspace(run: WorkspaceRun) -> dict[str, Any]:
    assert run.report is not None  # only scanned workspaces have events
    return {
        "name": run.name,
        "path": run.path,
        "scan_id": run.report.scan_id,
        "scanned_at": rfc3339(run.report.scanned_at),
        "previous_scan_id": run.previous_scan_id,
        "events": [event_to_json(e) for e in run.events],
    }


def slack_payload(report: CombinedReport) -> dict[str, Any]:
    counts = {k: report.events(k) for k in ("new", "changed", "resolved")}
    headline = "reconcile: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + " drift"
    lines: list[tuple[str, str]] = []  # (workspace heading, event line)
    for run in report.runs:
        lines += [(f"*{_escape(run.name)}*", _event_line(e)) for e in run.events]
    chunks: list[tuple[str, int]] = []  # section texts and how many events each holds
    text, count, heading = "", 0, ""
    for workspace, line in lines:
        add = (f"{workspace}\n" if workspace != heading else "") + line + "\n"
        if text and len(text) + len(add) > SECTION_LIMIT:
            chunks.append((text, count))
            text, count, add = "", 0, f"{workspace}\n{line}\n"
        text, count, heading = text + add, count + 1, workspace
    if text:
        chunks.append((text, count))
    blocks = [_section(f"*{_escape(headline)}*"), *(_section(t) for t, _ in chunks[:BLOCK_LIMIT])]
    dropped = sum(n for _, n in chunks[BLOCK_LIMIT:])
    if dropped:
        blocks.append(_section(f"… and {dropped} more events: see the report"))
    # The fallback text (notifications, screen readers) carries no cloud value at all.
    return {"text": headline, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text.rstrip("\n"), "verbatim": True}}


def _event_line(event: Event) -> str:
    drift, change = event.item.drift, event.item.change
    what = _code(drift.address or drift.resource_id)
    if change is not None:
        what += f" {_code(change.path)}: "
        if event.kind == "resolved":
            what += "back in line with the configuration"
        else:
            before = event.previous.change.live if event.previous and event.previous.change else change.state
            what += f"{_code(value_text(before))} → {_code(value_text(change.live))}"
    else:
        what += {
            "deleted": " deleted",
            "unmanaged": " created outside Terraform",
            "unknown": " unreadable",
        }.get(drift.kind, "")
    by = ""
    if drift.attribution and event.kind != "resolved":
        a = drift.attribution
        by = f" by {_code(a.caller)} via {_escape(a.modality)}"
    return f"• *{event.kind}* {what}{by}"


def _code(value: str) -> str:
    """An inline code span of an untrusted value: escaped, no backtick can close it early."""
    # A backtick would close the span: it becomes U+02CB, which looks alike and formats nothing.
    inner = _escape(shorten(value, VALUE_LIMIT)).replace("`", _GRAVE)
    return f"`{inner}`"


def _escape(value: str) -> str:
    """Slack's three control characters as entities, and broadcast mentions broken by a zero-width space."""
    text = visible(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub("@\u200b", text)
