from __future__ import annotations

import json
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from urllib.parse import urlparse

from reconciler.report import sarif
from state.report import Change
from state.report import Drift
from state.report import ScanReport
from state.report import Source

LEVELS = {"none", "note", "warning", "error"}


def assert_sarif_2_1_0(log: dict[str, Any]) -> None:
    """The essentials of the SARIF 2.1.0 schema, plus what GitHub code scanning requires to ingest a file."""
    assert log["$schema"].endswith("sarif-schema-2.1.0.json") and log["version"] == "2.1.0"
    assert isinstance(log["runs"], list) and log["runs"]
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        assert isinstance(driver["name"], str) and driver["name"]
        rules = driver.get("rules", [])
        ids = [r["id"] for r in rules]
        assert len(ids) == len(set(ids))
        for rule in rules:
            for key in ("shortDescription", "fullDescription", "help"):
                assert isinstance(rule[key]["text"], str) and rule[key]["text"]
            assert rule["defaultConfiguration"]["level"] in LEVELS
        for base in run.get("originalUriBaseIds", {}).values():
            assert urlparse(base["uri"]).scheme and base["uri"].endswith("/")
        for invocation in run.get("invocations", []):
            assert isinstance(invocation["executionSuccessful"], bool)
        for result in run["results"]:
            assert isinstance(result["message"]["text"], str) and result["message"]["text"]
            assert result["level"] in LEVELS
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            assert all(isinstance(v, str) for v in result["partialFingerprints"].values())
            for location in result["locations"]:
                physical = location.get("physicalLocation")
                if physical is not None:
                    uri = physical["artifactLocation"]["uri"]
                    assert uri and not urlparse(uri).scheme and " " not in uri  # a relative URI reference
                    assert (
                        isinstance(physical["region"]["startLine"], int)
                        and physical["region"]["startLine"] >= 1
                    )
                for logical in location.get("logicalLocations", []):
                    assert logical["fullyQualifiedName"]


def _log(report: ScanReport, **kwargs: Any) -> dict[str, Any]:
    out = sarif.render(report, **kwargs)
    assert out.endswith("\n") and out.isascii()
    log: dict[str, Any] = json.loads(out)
    assert_sarif_2_1_0(log)
    return log


def _results(report: ScanReport, **kwargs: Any) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = _log(report, **kwargs)["runs"][0]["results"]
    return results


def test_tool_and_rules(report: ScanReport) -> None:
    driver = _log(report)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "reconcile"
    assert driver["version"] == metadata.version("reconcile")
    declared = [
        u.partition(",")[2].strip() for u in metadata.metadata("reconcile").get_all("Project-URL") or ()
    ]
    assert driver.get("informationUri") == (declared[0] if declared else None)
    assert [(r["id"], r["defaultConfiguration"]["level"]) for r in driver["rules"]] == [
        ("drift/changed", "warning"),
        ("drift/deleted", "error"),
        ("drift/unmanaged", "note"),
        ("drift/unknown", "warning"),
    ]
    assert "import block" in driver["rules"][2]["help"]["text"]


def test_one_result_per_drift_with_rule_and_level(report: ScanReport) -> None:
    results = _results(report)
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("drift/changed", "warning"),
        ("drift/changed", "warning"),
        ("drift/deleted", "error"),
        ("drift/unmanaged", "note"),
        ("drift/unknown", "warning"),
    ]


def test_results_point_at_the_hcl_block(make_report: Callable[..., ScanReport], tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        "\n" * 11
        + 'resource "azurerm_linux_virtual_machine" "web" {\n  count = 1\n}\n'
        + "\n" * 25
        + 'resource "azurerm_managed_disk" "data" {\n  count = 1\n}\n'
    )
    (tmp_path / "modules" / "net work").mkdir(parents=True)
    (tmp_path / "modules" / "net work" / "nsg.tf").write_text(
        '\n\nresource "azurerm_network_security_group" "web" {\n}\n'
    )
    (tmp_path / "storage.tf").write_text('resource "azurerm_storage_account" "logs" {\n}\n')
    run = _log(make_report(str(tmp_path)))["runs"][0]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == tmp_path.as_uri() + "/"
    opened = []
    for result in run["results"]:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        # Resolve as a SARIF viewer does: base URI + relative URI, then the region's line.
        path = Path(unquote(urlparse(base + physical["artifactLocation"]["uri"]).path))
        line = path.read_text().splitlines()[physical["region"]["startLine"] - 1]
        opened.append((path.relative_to(tmp_path).as_posix(), line))
    assert opened == [
        ("main.tf", 'resource "azurerm_linux_virtual_machine" "web" {'),
        ("modules/net work/nsg.tf", 'resource "azurerm_network_security_group" "web" {'),
        ("main.tf", 'resource "azurerm_managed_disk" "data" {'),
        ("main.tf", ""),  # unmanaged: anchored at line 1 of the file most drifts point at
        ("storage.tf", 'resource "azurerm_storage_account" "logs" {'),
    ]


def test_relative_workspace_leaves_srcroot_to_the_consumer(report: ScanReport) -> None:
    run = _log(report)["runs"][0]
    assert "originalUriBaseIds" not in run
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    assert uris == ["main.tf", "modules/net%20work/nsg.tf", "main.tf", "main.tf", "storage.tf"]


def test_unmanaged_resource_has_a_logical_location_and_an_anchor(report: ScanReport) -> None:
    pip = report.drifts[3]
    result = _results(report)[3]
    assert result["locations"][0]["logicalLocations"] == [
        {"name": "pip-rogue", "fullyQualifiedName": pip.resource_id, "kind": "resource"}
    ]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    chosen = _results(report, anchor="imports.tf")[3]["locations"][0]["physicalLocation"]
    assert chosen["artifactLocation"]["uri"] == "imports.tf"
    # Only unmanaged drifts and nothing to anchor at: the resource id alone, as SARIF allows.
    alone = _results(report._replace(drifts=(pip,)))[0]
    assert alone["locations"] == [{"logicalLocations": result["locations"][0]["logicalLocations"]}]


def test_messages_name_changes_and_who_made_them(report: ScanReport) -> None:
    vm, nsg, disk, pip, unknown = (r["message"]["text"] for r in _results(report))
    assert vm == (
        "azurerm_linux_virtual_machine.web[0] was changed outside Terraform: "
        "size: Standard_B1s → Standard_B2s; tags.env: dev → prod; "
        "boot_diagnostics.0.storage_account_uri: https://stdiag.blob.core.windows.net/ → null. "
        "Changed by alice@contoso.com via portal, 2026-11-29 18:03 UTC "
        "(Microsoft.Compute/virtualMachines/write)."
    )
    assert "custom_secret: (sensitive) → (sensitive)" in nsg and 'tags.note: "" → a|b `c`\\nd' in nsg
    assert "security_rule: " in nsg and "…" in nsg
    assert disk.startswith("azurerm_managed_disk.data[0] was deleted outside Terraform (/subscriptions/")
    assert "Deleted by carol@contoso.com via sdk" in disk
    assert pip.startswith("azurerm_public_ip /subscriptions/") and "Created by mallory@contoso.com" in pip
    assert (
        unknown
        == "azurerm_storage_account.logs could not be read: HTTP 429 Too Many Requests after 5 attempts."
    )


def test_fingerprints_dedupe_the_same_drift_across_scans(report: ScanReport) -> None:
    first = [r["partialFingerprints"]["reconcileDrift/v1"] for r in _results(report)]
    assert len(set(first)) == len(first)
    # A later scan of the same drift: new scan id and time, the block moved, someone touched it again,
    # the changes listed in another order, the ARM id cased differently by the API.
    vm, nsg, disk, pip, unknown = report.drifts
    later = report._replace(
        scan_id="scan-next",
        scanned_at=report.scanned_at.replace(day=30),
        drifts=(
            vm._replace(source=Source("main.tf", 20), attribution=None, changes=vm.changes[::-1]),
            nsg,
            disk,
            pip._replace(resource_id=pip.resource_id.upper()),
            unknown._replace(reason="HTTP 503"),
        ),
    )
    assert [r["partialFingerprints"]["reconcileDrift/v1"] for r in _results(later)] == first
    # A different set of attributes is a different finding.
    more = vm._replace(changes=(*vm.changes, Change("priority", "Regular", "Spot")))
    assert sarif.fingerprint(more) != first[0]
    assert sarif.fingerprint(vm._replace(kind="deleted", changes=())) != sarif.fingerprint(
        vm._replace(changes=())
    )


def test_incomplete_scan_reports_execution_failure(incomplete: ScanReport) -> None:
    run = _log(incomplete)["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert [n["message"]["text"] for n in invocation["toolExecutionNotifications"]] == list(incomplete.errors)
    assert {n["level"] for n in invocation["toolExecutionNotifications"]} == {"error"}
    assert run["results"] == []


def test_no_drift_is_an_empty_successful_run(clean: ScanReport) -> None:
    run = _log(clean)["runs"][0]
    assert run["results"] == [] and run["invocations"][0]["executionSuccessful"] is True
    assert run["properties"] == {"scanId": "scan-0001", "summary": clean.summary._asdict()}


def test_source_lines_below_one_are_clamped(report: ScanReport) -> None:
    odd = Drift("changed", "a.b", "a", "/x", changes=(Change("p", 1, 2),), source=Source("gen.tf.json", 0))
    result = _results(report._replace(drifts=(odd,)))[0]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
