from __future__ import annotations

import json

import pytest

from reconciler.report import FORMATS
from reconciler.report import render
from state.report import ScanReport
from state.report import to_json


def test_formats_are_the_command_choices() -> None:
    assert FORMATS == ("table", "json", "markdown", "sarif")


def test_every_format_renders_every_report(
    report: ScanReport, clean: ScanReport, incomplete: ScanReport
) -> None:
    for fmt in FORMATS:
        for r in (report, clean, incomplete):
            out = render(r, fmt)
            # Ready for print(..., end="") or a file: one trailing newline, no ANSI unless asked.
            assert out.endswith("\n") and not out.endswith("\n\n"), fmt
            assert "\x1b" not in out, fmt


def test_options_reach_their_format(report: ScanReport) -> None:
    assert json.loads(render(report, "json")) == json.loads(json.dumps(to_json(report)))
    assert "\x1b[" in render(report, "table", color=True)
    assert max(len(line) for line in render(report, "table", width=70).splitlines()) <= 70
    assert "(https://example.test/ws/main.tf#L12)" in render(
        report, "markdown", link_base="https://example.test/ws"
    )
    sarif = json.loads(render(report, "sarif", anchor="imports.tf"))
    assert sarif["runs"][0]["results"][3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "imports.tf"
    )


def test_unknown_format_names_the_choices(report: ScanReport) -> None:
    with pytest.raises(
        ValueError, match="unknown report format 'xml'; choose one of: table, json, markdown, sarif"
    ):
        render(report, "xml")
