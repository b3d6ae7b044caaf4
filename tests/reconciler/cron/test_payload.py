"""Webhook payloads: the generic JSON, and a Slack message that hostile cloud values cannot take over."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from typing import Any

from reconciler.cron.payload import BLOCK_LIMIT
from reconciler.cron.payload import SECTION_LIMIT
from reconciler.cron.payload import json_payload
from reconciler.cron.payload import slack_payload
from reconciler.report.combined import CombinedReport
from reconciler.report.combined import WorkspaceRun
from reconciler.report.delta import delta
from state.report import Attribution
from state.report import Change
from state.report import Drift
from state.report import ScanReport
from state.report import Summary

AT = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
HOSTILE = "\u202e<!channel> @here *b* `x` <https://e.x|c> & y"


def _report(*drifts: Drift, workspace: str = "/repo/envs/prod") -> ScanReport:
    return ScanReport(workspace, "s-2", AT, Summary(3, 3 - len(drifts), len(drifts), 0, 0, 0), drifts)


def _combined(*reports: ScanReport) -> CombinedReport:
    runs = tuple(
        WorkspaceRun(r.workspace.rsplit("/", 1)[-1], r.workspace, "scanned", r, events=delta(None, r))
        for r in reports
    )
    return CombinedReport("/repo", AT, runs)


def _tagged(value: str, name: str = "pip") -> Drift:
    by = Attribution("mallory <@U123>", "portal", "Microsoft.Network/publicIPAddresses/write", AT, "c")
    return Drift(
        "changed",
        f"azurerm_public_ip.{name}",
        "azurerm_public_ip",
        f"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/{name}",
        changes=(Change("tags.note", None, value),),
        attribution=by,
    )


def test_json_carries_only_workspaces_with_news_and_values_exactly() -> None:
    quiet = ScanReport("/repo/envs/dev", "s-9", AT, Summary(1, 1, 0, 0, 0, 0), ())
    doc = json_payload(_combined(_report(_tagged(HOSTILE)), quiet))
    assert doc["summary"] == {"new": 1, "changed": 0, "resolved": 0}
    [ws] = doc["workspaces"]
    assert ws["name"] == "prod" and ws["scan_id"] == "s-2"
    [event] = ws["events"]
    assert (event["event"], event["address"], event["path"], event["live"]) == (
        "new",
        "azurerm_public_ip.pip",
        "tags.note",
        HOSTILE,
    )


def _texts(payload: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in payload["blocks"]]


def test_slack_text_escapes_every_control_sequence_of_a_hostile_value() -> None:
    payload = slack_payload(_combined(_report(_tagged(HOSTILE))))
    body = "\n".join(_texts(payload))
    assert "<" not in body and ">" not in body  # no <!channel>, <@U…> or <url|text> survives
    assert "&lt;!channel&gt;" in body and "&lt;@U123&gt;" in body and "&amp;" in body
    assert "@here" not in body and "@\u200bhere" in body
    assert "\u202e" not in body and "\\u202e" in body  # a bidi override shown, not obeyed
    value = body.split("→ ")[1].split(" by ")[0]
    assert value.startswith("`") and value.endswith("`") and value.count("`") == 2  # one code span
    assert all(b["text"]["verbatim"] is True for b in payload["blocks"])
    assert payload["unfurl_links"] is False
    assert payload["text"] == "reconcile: 1 new, 0 changed, 0 resolved drift"  # no cloud value at all


def test_slack_messages_stay_inside_slacks_limits() -> None:
    drifts = [_tagged("v" * 500, name=f"pip{i}") for i in range(1000)]
    payload = slack_payload(_combined(_report(*drifts)))
    assert len(payload["blocks"]) <= BLOCK_LIMIT + 2
    assert all(len(t) <= SECTION_LIMIT for t in _texts(payload))
    assert "more events: see the report" in _texts(payload)[-1]
    assert len(json.dumps(payload)) < 200_000
