from __future__ import annotations

import re
from datetime import timedelta
from datetime import timezone

from markdown_it import MarkdownIt

from reconciler.report import markdown
from state.report import Change
from state.report import Drift
from state.report import ScanReport
from state.report import Summary

BLOB = "https://github.com/contoso/infra/blob/4f2c1d0/examples/azure-vm"


def _html(text: str) -> str:
    """What GitHub shows: CommonMark with GFM tables and raw HTML (<details>, <sub>) allowed."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def _cells(row: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]


def test_heading_summary_and_footer(report: ScanReport) -> None:
    lines = markdown.render(report).splitlines()
    assert lines[0] == "## Drift in `examples/azure-vm`"
    assert lines[2:5] == [
        "| managed | in sync | changed | deleted | unmanaged | unknown |",
        "|---:|---:|---:|---:|---:|---:|",
        "| 12 | 8 | 2 | 1 | 1 | 1 |",
    ]
    assert lines[-2:] == ["---", "<sub>reconcile 0.1.0 · scan `scan-7f3a9c` · 2026-11-29 18:05 UTC</sub>"]


def test_one_section_per_kind_with_its_own_columns(report: ScanReport) -> None:
    out = markdown.render(report)
    headings = [line for line in out.splitlines() if line.startswith("### ")]
    assert headings == [
        "### Changed outside Terraform (2)",
        "### Deleted outside Terraform (1)",
        "### Unmanaged: created outside Terraform (1)",
        "### Unknown: could not be read (1)",
    ]
    assert "| Address | Attribute | State | Live | Changed by | Source |" in out
    assert "| Address | Resource ID | Deleted by | Source |" in out
    assert "| Resource ID | Type | Created by |" in out
    assert "| Address | Reason | Source |" in out


def test_changed_rows_list_each_attribute_under_the_resource(report: ScanReport) -> None:
    lines = markdown.render(report).splitlines()
    first = lines.index(
        "| `azurerm_linux_virtual_machine.web[0]` | `size` | `Standard_B1s` | `Standard_B2s` "
        "| alice@contoso.com via portal, 2026-11-29 18:03 UTC | `main.tf#L12` |"
    )
    assert lines[first + 1] == "|  | `tags.env` | `dev` | `prod` |  |  |"
    assert lines[first + 2] == (
        "|  | `boot_diagnostics.0.storage_account_uri` | `https://stdiag.blob.core.windows.net/` "
        "| `null` |  |  |"
    )


def test_other_kinds_rows(report: ScanReport) -> None:
    out = markdown.render(report)
    disk, pip = report.drifts[2], report.drifts[3]
    assert (
        f"| `azurerm_managed_disk.data[0]` | `{disk.resource_id}` "
        "| carol@contoso.com via sdk, 2026-11-29 17:05 UTC | `main.tf#L40` |"
    ) in out
    assert (
        f"| `{pip.resource_id}` | `azurerm_public_ip` "
        "| mallory@contoso.com via portal, 2026-11-29 16:35 UTC |" in out
    )
    assert (
        "| `azurerm_storage_account.logs` | HTTP 429 Too Many Requests after 5 attempts | `storage.tf#L1` |"
        in out
    )


def test_sources_become_links_when_given_a_base(report: ScanReport) -> None:
    html = _html(markdown.render(report, link_base=BLOB + "/"))
    assert f'<a href="{BLOB}/main.tf#L12">main.tf#L12</a>' in html
    assert f'<a href="{BLOB}/modules/net%20work/nsg.tf#L3">modules/net work/nsg.tf#L3</a>' in html


def test_hostile_values_cannot_break_the_table_or_inject_markup(report: ScanReport) -> None:
    out = markdown.render(report)
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    header_width = {len(_cells(r)) for r in rows if r.startswith("| Address | Attribute")}
    changed_rows = [r for r in rows if "`tags.note`" in r]
    assert header_width == {6} and [len(_cells(r)) for r in changed_rows] == [6]
    assert "``a\\|b `c`\\nd <img src=x> [x](http://evil)``" in changed_rows[0]
    html = _html(out)
    # Rendered as GitHub does: the whole value is one code span, no image, no link, no line break.
    assert "<code>a|b `c`\\nd &lt;img src=x&gt; [x](http://evil)</code>" in html
    assert "<img" not in html and 'href="http://evil"' not in html


def test_plain_text_from_the_cloud_is_escaped(report: ScanReport) -> None:
    unknown = report.drifts[4]._replace(reason="denied for *everyone* <script>alert(1)</script> | [x](y)")
    bad_caller = report.drifts[0].attribution._replace(caller="<b>eve</b>_x_")  # type: ignore[union-attr]
    vm = report.drifts[0]._replace(attribution=bad_caller)
    out = markdown.render(report._replace(drifts=(vm, unknown)))
    html = _html(out)
    assert "<script>" not in html and "<em>" not in html and "<b>" not in html and "<a " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;eve&lt;/b&gt;_x_ via portal" in html


def test_long_values_are_shortened_where_they_differ(report: ScanReport) -> None:
    out = markdown.render(report)
    row = next(line for line in out.splitlines() if "`security_rule`" in line)
    _, _, state, live, *_ = _cells(row)
    assert state == '`…iority":100}]`'
    assert live.startswith('`…iority":100},{"access"') and live.endswith("…`")
    assert len(live) <= markdown.VALUE_LIMIT + 2


def test_masked_values_stay_masked(report: ScanReport) -> None:
    assert "|  | `custom_secret` | `(sensitive)` | `(sensitive)` |  |  |" in markdown.render(report)


def test_many_drifts_fold_into_details(report: ScanReport) -> None:
    assert "<details>" not in markdown.render(report)
    vm = report.drifts[0]
    many = tuple(vm._replace(address=f"azurerm_linux_virtual_machine.web[{i}]") for i in range(25))
    big = report._replace(drifts=(*many, report.drifts[3]))
    out = markdown.render(big)
    assert out.count("<details>") == 2 and out.count("</details>") == 2
    assert "<details><summary>Show 25 changed</summary>\n\n| Address |" in out
    html = _html(out)
    # Markdown inside <details> still renders as a table (GitHub needs the blank line after <summary>).
    assert html.count("<table>") == 3 and "azurerm_linux_virtual_machine.web[24]" in html


def test_no_drift(clean: ScanReport) -> None:
    out = markdown.render(clean)
    assert "**No drift: 12 managed resources match their configuration.**" in out
    assert "### " not in out and "[!WARNING]" not in out


def test_incomplete_scan_warns_and_lists_errors(incomplete: ScanReport) -> None:
    out = markdown.render(incomplete)
    assert (
        "> [!WARNING]\n"
        "> The scan is incomplete; resources it could not read are not reported as deleted.\n"
        "> - Resource Graph: HTTP 503 Service Unavailable after 5 attempts\n"
        "> - Activity Log: HTTP 403 AuthorizationFailed for rg-web\n"
    ) in out
    assert "No drift: 12" not in out
    assert "**No drift found, but the scan is incomplete" in out


def test_times_in_utc_and_drift_without_attribution(report: ScanReport) -> None:
    east = report._replace(scanned_at=report.scanned_at.astimezone(timezone(timedelta(hours=9))))
    assert "2026-11-29 18:05 UTC</sub>" in markdown.render(east)
    rg = Drift(
        "changed",
        "azurerm_resource_group.main",
        "azurerm_resource_group",
        "/subscriptions/x/resourceGroups/main",
        changes=(Change("tags", {"b": 2, "a": None}, ""),),
    )
    out = markdown.render(east._replace(drifts=(rg,), summary=Summary(1, 0, 1, 0, 0, 0)))
    assert '| `azurerm_resource_group.main` | `tags` | `{"a":null,"b":2}` | `""` |  |  |' in out


def test_text_from_the_cloud_mentions_nobody_while_e_mail_addresses_stay_as_they_are() -> None:
    assert markdown.text("ping @octo-org/admins") == "ping @&#8203;octo-org/admins"
    assert markdown.text("alice@contoso.com") == "alice@contoso.com"
