"""The machine form of a scan: exactly :func:`state.report.to_json` (a documented contract)."""

from __future__ import annotations

import json

from state.report import ScanReport
from state.report import to_json


def render(report: ScanReport) -> str:
    # Key order is the documented one from to_json (not sorted), so diffs of two reports line up; ASCII
    # escapes keep the file valid whatever encoding the terminal or the pipe uses.
    return json.dumps(to_json(report), indent=2) + "\n"
