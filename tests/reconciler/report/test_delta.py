"""New, changed and resolved drift between two scans, by stable fingerprints."""

from __future__ import annotations

from reconciler.report.delta import delta
from state.report import Change
from state.report import Drift
from state.report import ScanReport

VM = "azurerm_linux_virtual_machine.web[0]"


def _events(previous: ScanReport | None, current: ScanReport) -> list[tuple[str, str, str | None]]:
    return sorted(
        (e.kind, e.item.drift.address or e.item.drift.resource_id, e.item.change and e.item.change.path)
        for e in delta(previous, current)
    )


def _with(report: ScanReport, *drifts: Drift) -> ScanReport:
    return report._replace(drifts=drifts, scan_id=report.scan_id + "-next")


def test_a_first_scan_makes_every_item_new(report: ScanReport) -> None:
    events = _events(None, report)
    assert ("new", VM, "size") in events and ("new", VM, "tags.env") in events
    assert len(events) == 3 + 3 + 1 + 1 + 1  # one per drifted attribute, one per other drift


def test_the_same_drift_again_is_no_news_even_from_another_scan(report: ScanReport) -> None:
    again = report._replace(scan_id="scan-later")
    assert _events(report, again) == []


def test_a_value_that_moved_on_is_changed_and_a_fixed_one_resolved(report: ScanReport) -> None:
    vm = report.drifts[0]
    resized_again = vm._replace(changes=(Change("size", "Standard_B1s", "Standard_D4s"), *vm.changes[1:2]))
    events = _events(report, _with(report, resized_again, *report.drifts[1:]))
    assert events == [("changed", VM, "size"), ("resolved", VM, "boot_diagnostics.0.storage_account_uri")]


def test_no_resolution_is_claimed_for_what_the_scan_could_not_see(report: ScanReport) -> None:
    vm, nsg, disk, unmanaged, unknown = report.drifts
    unreadable_vm = Drift("unknown", vm.address, vm.type, vm.resource_id, reason="HTTP 500")
    # The VM could not be read and discovery failed: its changes and the unmanaged IP may still be there.
    current = _with(report, unreadable_vm, nsg, disk, unknown)._replace(complete=False)
    assert _events(report, current) == [("new", VM, None)]
    # Once a complete scan no longer sees the unmanaged IP, it is resolved.
    assert ("resolved", unmanaged.resource_id, None) in _events(report, _with(report, vm, nsg, disk, unknown))


def test_arm_ids_match_whatever_their_casing(report: ScanReport) -> None:
    unmanaged = report.drifts[3]
    recased = unmanaged._replace(resource_id=unmanaged.resource_id.upper())
    assert _events(report, _with(report, *report.drifts[:3], recased, report.drifts[4])) == []
