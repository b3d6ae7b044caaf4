"""How the values and records of a scan read as text, the same in every human-facing format.

Live values are untrusted (anyone with portal access can write a tag), so control and bidirectional
characters are shown as escapes instead of reaching a terminal or a PR page where they could rewrite
what the reader sees.
"""

from __future__ import annotations

import json
import re
from datetime import UTC
from importlib import metadata
from typing import Any

from state.report import Attribution
from state.report import Drift
from state.report import ScanReport
from state.report import Source

ELLIPSIS = "…"
_CONTEXT = 12  # characters of common prefix kept before the first difference of two long values

# Bidi embedding/override/isolate controls ("Trojan Source"), on top of the C0/C1 control characters.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    """``text`` with every control character written as an escape, on one line."""
    return _UNSAFE.sub(lambda m: _NAMED.get(m[0]) or f"\\u{ord(m[0]):04x}", text)


def value_text(value: Any) -> str:
    """A state or live value: ``null`` for None, strings as they are, other JSON values compactly.

    An empty string reads ``""`` so it stays distinguishable from a missing value; masked values arrive
    as :data:`state.report.MASK` and are shown as such.
    """
    if value is None:
        return "null"
    if isinstance(value, str):
        return visible(value) if value else '""'
    return visible(json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=str))


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def shorten_pair(state: str, live: str, limit: int) -> tuple[str, str]:
    """Both sides of a change, each at most ``limit`` long, keeping where they differ in view.

    Two long values that share a prefix (a list of rules with one rule added) would otherwise shorten to
    the same text; both are cut a little before their first difference instead.
    """
    if len(state) <= limit and len(live) <= limit:
        return state, live
    pairs = zip(state, live, strict=False)
    common = next((i for i, (a, b) in enumerate(pairs) if a != b), min(len(state), len(live)))
    start = max(common - _CONTEXT, 0)

    def cut(value: str) -> str:
        if len(value) <= limit:
            return value
        return shorten(ELLIPSIS + value[start:] if start else value, limit)

    return cut(state), cut(live)


def attribution_text(attribution: Attribution | None) -> str:
    """``alice@contoso.com via portal, 2026-11-29 18:03 UTC``; empty when nobody could be named."""
    if attribution is None:
        return ""
    who, how = attribution_parts(attribution)
    return f"{who} {how}"


def attribution_parts(attribution: Attribution) -> tuple[str, str]:
    """Who (``alice@contoso.com``) and how and when (``via portal, 2026-11-29 18:03 UTC``)."""
    when = attribution.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return visible(attribution.caller), f"via {attribution.modality}, {when}"


def source_text(source: Source | None) -> str:
    return "" if source is None else f"{source.file}:{source.line}"


def subject(drift: Drift) -> str:
    """What a drift is about: its address, or the resource id when no Terraform address owns it."""
    return visible(drift.address or drift.resource_id)


def summary_parts(report: ScanReport) -> list[tuple[str, int]]:
    s = report.summary
    return [
        ("managed", s.managed),
        ("in sync", s.in_sync),
        ("changed", s.changed),
        ("deleted", s.deleted),
        ("unmanaged", s.unmanaged),
        ("unknown", s.unknown),
    ]


def no_drift_text(report: ScanReport) -> str:
    n = report.summary.managed
    if not report.complete:
        return f"No drift found, but the scan is incomplete: not every one of {n} managed resources was read."
    if n == 1:
        return "No drift: 1 managed resource matches its configuration."
    return f"No drift: {n} managed resources match their configuration."


def tool_version() -> str:
    try:
        return metadata.version("reconcile")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
