from __future__ import annotations

from typing import NamedTuple

from reconciler.report import table
from state.report import Change
from state.report import Drift
from state.report import ScanReport
from state.report import Summary

COLUMNS = ("Kind", "Resource", "Attribute", "State → Live")


class Row(NamedTuple):
    kind: str
    resource: list[str]  # the lines of the resource cell
    changes: list[tuple[str, str]]  # (attribute, "state → live"), folded lines joined


def _rows(out: str) -> list[Row]:
    """The table as a reader scans it: cells cut at the header's column positions."""
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Kind "))
    starts = [lines[header].index(c) for c in COLUMNS]
    rows: list[Row] = []
    for line in lines[header + 2 :]:
        kind, resource, attribute, values = (
            line[a:b].strip() for a, b in zip(starts, [*starts[1:], len(line)], strict=True)
        )
        if kind:
            rows.append(Row(kind, [], []))
        if not rows or not (resource or attribute or values):
            continue
        row = rows[-1]
        if resource:
            row.resource.append(resource)
        if (attribute and values) or (values and not row.changes):
            row.changes.append((attribute, values))
        elif attribute:  # a long path folded onto the next line
            row.changes[-1] = (row.changes[-1][0] + attribute, row.changes[-1][1])
        elif values:
            row.changes[-1] = (row.changes[-1][0], f"{row.changes[-1][1]} {values}")
    return rows


def _joined(lines: list[str]) -> str:
    return "".join(lines)


def test_summary_line_counts_every_kind_and_says_the_scan_is_complete(report: ScanReport) -> None:
    out = table.render(report, width=120)
    assert out.splitlines()[0] == (
        "12 managed · 8 in sync · 2 changed · 1 deleted · 1 unmanaged · 1 unknown · scan complete"
    )


def test_one_row_per_drift_in_report_order(report: ScanReport) -> None:
    rows = _rows(table.render(report, width=140))
    assert [r.kind for r in rows] == ["changed", "changed", "deleted", "unmanaged", "unknown"]
    assert [r.resource[0] for r in rows if r.kind != "unmanaged"] == [
        "azurerm_linux_virtual_machine.web[0]",
        'azurerm_network_security_group.web["frontend"]',
        "azurerm_managed_disk.data[0]",
        "azurerm_storage_account.logs",
    ]


def test_each_change_of_a_resource_is_listed_under_it(report: ScanReport) -> None:
    vm = _rows(table.render(report, width=160))[0]
    assert vm.changes == [
        ("size", "Standard_B1s → Standard_B2s"),
        ("tags.env", "dev → prod"),
        ("boot_diagnostics.0.storage_account_uri", "https://stdiag.blob.core.window… → null"),
    ]


def test_attribution_and_source_are_shown_with_the_resource(report: ScanReport) -> None:
    vm, nsg, disk, _, unknown = _rows(table.render(report, width=140))
    # Activity Log times come with any offset; the table shows them in UTC.
    assert vm.resource[1:] == ["main.tf:12", "by alice@contoso.com", "via portal, 2026-11-29 18:03 UTC"]
    assert nsg.resource[-3:] == [
        "modules/net work/nsg.tf:3",
        "by bob@contoso.com",
        "via cli, 2026-11-29 17:35 UTC",
    ]
    assert disk.resource[1:] == ["main.tf:40", "by carol@contoso.com", "via sdk, 2026-11-29 17:05 UTC"]
    assert unknown.resource == ["azurerm_storage_account.logs", "storage.tf:1"]  # nobody to name


def test_unmanaged_shows_resource_id_type_and_creator(report: ScanReport) -> None:
    pip = report.drifts[3]
    row = _rows(table.render(report, width=120))[3]
    # The id folds across lines in a narrow column, but all of it is there to copy.
    assert _joined(row.resource[:-3]) == pip.resource_id
    assert row.resource[-3:] == [
        "azurerm_public_ip",
        "by mallory@contoso.com",
        "via portal, 2026-11-29 16:35 UTC",
    ]
    assert row.changes == [("", "in the cloud, in no state")]


def test_deleted_and_unknown_say_what_happened(report: ScanReport) -> None:
    rows = _rows(table.render(report, width=120))
    assert rows[2].changes == [("", "in state, gone from the cloud")]
    assert rows[4].changes == [("", "could not be read: HTTP 429 Too Many Requests after 5 attempts")]


def test_long_values_are_shortened_where_they_differ(report: ScanReport) -> None:
    nsg = _rows(table.render(report, width=200))[1]
    attribute, values = nsg.changes[0]
    state, live = values.split(" → ")
    assert attribute == "security_rule"
    assert len(state) <= table.VALUE_LIMIT and len(live) <= table.VALUE_LIMIT
    # Both sides start just before the point where the two lists part ways, instead of showing the same
    # shortened prefix twice.
    assert state == '…iority":100}]'
    assert live.startswith('…iority":100},{"access"') and live.endswith("…")


def test_masked_values_stay_masked(report: ScanReport) -> None:
    nsg = _rows(table.render(report, width=140))[1]
    assert ("custom_secret", "(sensitive) → (sensitive)") in nsg.changes


def test_hostile_live_values_are_shown_not_interpreted(report: ScanReport) -> None:
    attacks = (
        Change("tags.a", "ops", "[bold red]pwned[/]"),
        Change("tags.b", "ops", "\x1b[2J\u202eevil\r"),
    )
    vm = report.drifts[0]._replace(changes=attacks)
    colored = table.render(report._replace(drifts=(vm,)), width=160, color=True)
    # Escape sequences, carriage returns and bidi overrides never reach the terminal...
    assert "\x1b[2J" not in colored and "\u202e" not in colored and "\r" not in colored
    plain = table.render(report._replace(drifts=(vm,)), width=160)
    # ...they are shown as escapes, and rich markup in a value stays literal text.
    assert _rows(plain)[0].changes == [
        ("tags.a", "ops → [bold red]pwned[/]"),
        ("tags.b", "ops → \\u001b[2J\\u202eevil\\r"),
    ]
    nsg = _rows(table.render(report, width=160))[1]
    assert ("tags.note", '"" → a|b `c`\\nd <img src=x> [x](http…') in nsg.changes


def test_color_only_when_asked(report: ScanReport) -> None:
    plain = table.render(report, width=120)
    assert "\x1b" not in plain
    colored = table.render(report, width=120, color=True)
    assert "\x1b[33mchanged" in colored and "\x1b[31mdeleted" in colored


def test_narrow_terminals_fold_cells_and_keep_every_column(report: ScanReport) -> None:
    for width in (60, 80, 120):
        out = table.render(report, width=width)
        assert max(len(line) for line in out.splitlines()) <= width, width
        rows = _rows(out)
        vm = rows[0]
        vm_address = "azurerm_linux_virtual_machine.web[0]"
        assert _joined(vm.resource[: vm.resource.index("main.tf:12")]) == vm_address, width
        assert "".join(vm.changes[0][1].split()) == "Standard_B1s→Standard_B2s", width
        assert rows[3].kind == "unmanaged" and report.drifts[3].resource_id in _joined(rows[3].resource)


def test_no_drift_is_one_clear_line(clean: ScanReport) -> None:
    out = table.render(clean)
    assert out.splitlines() == [
        "12 managed · 12 in sync · 0 changed · 0 deleted · 0 unmanaged · 0 unknown · scan complete",
        "No drift: 12 managed resources match their configuration.",
    ]
    one = clean._replace(summary=Summary(1, 1, 0, 0, 0, 0))
    assert "No drift: 1 managed resource matches its configuration." in table.render(one)


def test_incomplete_scan_lists_errors_and_never_claims_no_drift(incomplete: ScanReport) -> None:
    lines = table.render(incomplete).splitlines()
    assert lines[0].endswith("· scan incomplete (2 errors)")
    assert lines[1:3] == [
        "  ✗ Resource Graph: HTTP 503 Service Unavailable after 5 attempts",
        "  ✗ Activity Log: HTTP 403 AuthorizationFailed for rg-web",
    ]
    assert not any(line.startswith("No drift:") for line in lines)
    assert lines[3].startswith("No drift found, but the scan is incomplete")


def test_non_string_values_render_as_compact_json(report: ScanReport) -> None:
    rg = Drift(
        "changed",
        "azurerm_resource_group.main",
        "azurerm_resource_group",
        "/subscriptions/x/resourceGroups/main",
        changes=(Change("tags", {"b": [True, None], "a": 1}, None), Change("count", 1, 2.5)),
    )
    row = _rows(table.render(report._replace(drifts=(rg,)), width=120))[0]
    assert row.changes == [("tags", '{"a":1,"b":[true,null]} → null'), ("count", "1 → 2.5")]
