from __future__ import annotations

import json

from reconciler.report import json_format
from state.report import MASK
from state.report import ScanReport
from state.report import from_json
from state.report import to_json


def test_is_exactly_the_documented_document(report: ScanReport) -> None:
    out = json_format.render(report)
    assert out == json.dumps(to_json(report), indent=2) + "\n"
    assert out.endswith("}\n") and not out.endswith("\n\n")
    doc = json.loads(out)
    # The documented order, not alphabetical: people diff these files and read them top-down.
    assert list(doc) == [
        "version",
        "workspace",
        "scan_id",
        "scanned_at",
        "complete",
        "mode",
        "mode_note",
        "errors",
        "summary",
        "drifts",
    ]
    assert list(doc["drifts"][0]) == [
        "kind",
        "address",
        "type",
        "resource_id",
        "changes",
        "attribution",
        "source",
        "reason",
    ]
    assert doc["version"] == 1 and doc["scanned_at"] == "2026-11-29T18:05:41Z"


def test_values_and_attribution_as_a_machine_reads_them(report: ScanReport) -> None:
    doc = json.loads(json_format.render(report))
    vm, nsg, disk, pip, unknown = doc["drifts"]
    assert vm["changes"][0] == {"path": "size", "state": "Standard_B1s", "live": "Standard_B2s"}
    assert vm["changes"][2]["live"] is None
    assert vm["attribution"] == {
        "caller": "alice@contoso.com",
        "modality": "portal",
        "operation": "Microsoft.Compute/virtualMachines/write",
        "at": "2026-11-29T18:03:41Z",  # converted from the +01:00 the Activity Log gave
        "correlation_id": "corr-2",
    }
    assert vm["source"] == {"file": "main.tf", "line": 12}
    # Values are never shortened here, and masked ones stay masked.
    assert len(nsg["changes"][0]["live"]) == 2
    assert nsg["changes"][2] == {"path": "custom_secret", "state": MASK, "live": MASK}
    assert pip["address"] is None and pip["source"] is None
    assert unknown["reason"] == "HTTP 429 Too Many Requests after 5 attempts"
    assert disk["kind"] == "deleted" and disk["changes"] == []


def test_round_trips_through_from_json(report: ScanReport, clean: ScanReport, incomplete: ScanReport) -> None:
    for original in (report, clean, incomplete):
        back = from_json(json.loads(json_format.render(original)))
        assert back == original
        assert back.exit_code == original.exit_code


def test_output_is_stable_and_ascii(report: ScanReport) -> None:
    # ASCII escapes keep the file valid whatever encoding a pipe or a CI log uses.
    out = json_format.render(report)
    assert out == json_format.render(report)
    assert out.isascii()
    assert json.loads(out)["drifts"][1]["changes"][1]["live"] == "a|b `c`\nd <img src=x> [x](http://evil)"


def test_incomplete_scan_keeps_its_errors(incomplete: ScanReport) -> None:
    doc = json.loads(json_format.render(incomplete))
    assert doc["complete"] is False
    assert doc["errors"] == list(incomplete.errors)
    assert doc["drifts"] == []
