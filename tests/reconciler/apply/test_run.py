"""`reconcile apply` end to end: real git, real Terraform, the sandbox, and the store's audit trail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.mgmt.network import NetworkManagementClient
from git_workspace import Workspace
from git_workspace import cloud
from git_workspace import ws

from providers.azure import apps
from providers.azure.sdk import client
from reconciler.cli import main
from sandbox.arm.faults import FaultRule

__all__ = ["cloud", "ws"]  # the fixtures, for the tests below


def _network(ws: Workspace) -> Any:
    return client(
        NetworkManagementClient, ws.cloud.endpoint(upn="alice@contoso.com", appid=apps.AZURE_PORTAL)
    ).public_ip_addresses


def _out(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return dict(json.loads(capsys.readouterr().out))


def _drift(ws: Workspace) -> tuple[int, dict[str, Any]]:
    return ws.json("drift", str(ws.root))


def _audit(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert main(["audit", "--format", "json"]) == 0
    return list(_out(capsys)["rows"])


def test_a_codified_drift_is_committed_applied_verified_and_audited(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    pips = _network(ws)
    pip = pips.get("rg-apply", "pip-a")
    pip.idle_timeout_in_minutes = 10
    pips.begin_create_or_update("rg-apply", "pip-a", pip).result()
    code, scan = _drift(ws)
    assert code == 2
    code, proposals = ws.json("propose", str(ws.root), "--no-llm")
    [proposal] = [p for p in proposals["proposals"] if p["address"] == "azurerm_public_ip.a"]
    assert proposal["valid"]
    before = ws.git("rev-parse", "HEAD")
    capsys.readouterr()

    assert main(["apply", "--proposal", proposal["proposal_id"][:8], "--yes", "--format", "json"]) == 0
    report = _out(capsys)
    assert report["result"] == "applied" and report["exit_code"] == 0
    assert [s["name"] for s in report["steps"]] == [
        "edit", "backup", "plan", "intent", "policy", "confirm", "commit", "apply", "verify",
    ]  # fmt: skip
    # One new commit, with the trailers, holding exactly the codified line.
    [sha] = report["commits"]
    assert ws.git("rev-parse", "HEAD") == sha and ws.git("rev-parse", "HEAD~1") == before
    message = ws.git("log", "-1", "--format=%B")
    assert f"Reconcile-Proposal: {proposal['proposal_id']}" in message
    assert f"Reconcile-Scan: {scan['scan_id']}" in message
    assert ws.git("log", "-1", "--format=%an <%ae>") == "Pat Operator <pat@example.com>"
    assert ws.git("show", "--format=", "--name-only", "HEAD") == "main.tf"
    assert "idle_timeout_in_minutes = 10" in (ws.root / "main.tf").read_text()
    assert ws.git("status", "--porcelain") == ""
    # The cloud and the code agree: a plan is a no-op and a rescan finds nothing.
    assert ws.cloud.tf.plan(ws.root).changed is False
    assert _drift(ws)[0] == 0
    [row] = _audit(capsys)
    assert (row["action"], row["result"], row["commits"]) == ("apply", "applied", [sha])
    assert row["proposals"] == [proposal["proposal_id"]] and row["os_user"] and row["plan_hash"]
    assert main(["lock", "status"]) == 0 and capsys.readouterr().out.strip() == "unlocked"


def test_all_valid_proposals_of_a_scan_are_one_commit_with_one_scan_trailer(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    pips = _network(ws)
    for name, timeout in (("pip-a", 9), ("pip-b", 11)):
        pip = pips.get("rg-apply", name)
        pip.idle_timeout_in_minutes = timeout
        pips.begin_create_or_update("rg-apply", name, pip).result()
    code, scan = _drift(ws)
    assert code == 2
    _, proposals = ws.json("propose", str(ws.root), "--no-llm")
    ids = sorted(p["proposal_id"] for p in proposals["proposals"] if p["valid"])
    assert len(ids) == 2
    capsys.readouterr()

    assert main(["apply", "--all", "--yes", "--format", "json"]) == 0
    report = _out(capsys)
    assert sorted(report["proposals"]) == ids and len(report["commits"]) == 1
    message = ws.git("log", "-1", "--format=%B")
    assert (
        sorted(line.split(": ")[1] for line in message.splitlines() if line.startswith("Reconcile-Proposal"))
        == ids
    )
    assert message.count("Reconcile-Scan:") == 1 and f"Reconcile-Scan: {scan['scan_id']}" in message
    text = (ws.root / "main.tf").read_text()
    assert "idle_timeout_in_minutes = 9" in text and "idle_timeout_in_minutes = 11" in text
    assert ws.cloud.tf.plan(ws.root).changed is False
    assert _drift(ws)[0] == 0


def test_a_revert_puts_the_cloud_back_and_changes_no_file(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    pips = _network(ws)
    pip = pips.get("rg-apply", "pip-b")
    pip.tags = {"env": "prod"}
    pips.begin_create_or_update("rg-apply", "pip-b", pip).result()
    assert _drift(ws)[0] == 2
    before = ws.git("rev-parse", "HEAD")
    capsys.readouterr()

    assert main(["apply", "--revert", "--yes", "--format", "json"]) == 0
    report = _out(capsys)
    assert report["plan"] == {"azurerm_public_ip.b": ["update"]} and report["commits"] == []
    assert ws.git("rev-parse", "HEAD") == before and ws.git("status", "--porcelain") == ""
    assert pips.get("rg-apply", "pip-b").tags == {"env": "dev"}
    assert _drift(ws)[0] == 0
    assert [(r["action"], r["result"]) for r in _audit(capsys)] == [("revert", "applied")]


def test_a_failed_apply_is_rolled_back_from_git_history(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--yes"]) == 0  # the committed configuration, recorded as applied
    main_tf = ws.root / "main.tf"
    main_tf.write_text(main_tf.read_text().replace('{ env = "dev" }', '{ env = "dev", team = "core" }'))
    change = ws.commit_all("tag everything with the team")
    ws.cloud.sandbox.app.faults.add(FaultRule(path="*/publicipaddresses/pip-b", methods=("PUT",), status=500))
    capsys.readouterr()

    code = main(["apply", "--yes", "--format", "json"])
    report = _out(capsys)
    assert code == 3 and report["exit_code"] == 3
    assert [s["name"] for s in report["steps"] if not s["ok"]] == ["apply"]
    assert report["rollback"]["result"] == "rolled_back"
    [revert] = report["rollback"]["commits"]
    # History is only added to: the change and its revert.
    assert ws.log()[:2] == ['Revert "tag everything with the team"', "tag everything with the team"]
    assert ws.git("rev-parse", "HEAD") == revert and ws.git("rev-parse", "HEAD~1") == change
    ws.cloud.sandbox.app.faults.clear()
    # The cloud is at the configuration applied before: nothing drifted, nothing to plan.
    pips = _network(ws)
    assert [pips.get("rg-apply", n).tags for n in ("pip-a", "pip-b")] == [{"env": "dev"}] * 2
    assert _drift(ws)[0] == 0 and ws.cloud.tf.plan(ws.root).changed is False
    rows = _audit(capsys)
    assert [(r["action"], r["result"]) for r in rows] == [
        ("apply", "applied"),
        ("apply", "failed"),
        ("rollback", "rolled_back"),
    ]
    assert "pip-b" in rows[1]["error"] and rows[2]["commits"] == [revert]


def test_a_change_the_cloud_silently_ignores_fails_verification_and_rolls_back(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--yes"]) == 0
    main_tf = ws.root / "main.tf"
    main_tf.write_text(
        main_tf.read_text().replace("idle_timeout_in_minutes = 4", "idle_timeout_in_minutes = 15")
    )
    ws.commit_all("longer idle timeout")
    # The cloud answers 200 and echoes the request, but keeps the old value.
    ws.cloud.sandbox.app.faults.add(
        FaultRule(
            path="*/publicipaddresses/pip-a",
            methods=("PUT",),
            ignore_properties=("properties.idleTimeoutInMinutes",),
        )
    )
    capsys.readouterr()

    assert main(["apply", "--yes", "--format", "json"]) == 3
    report = _out(capsys)
    [failed] = [s for s in report["steps"] if not s["ok"]]
    assert failed["name"] == "verify"
    # The provider read back the old value into state: the plan, not the rescan, sees the difference.
    assert failed["detail"] == "terraform plan still changes azurerm_public_ip.a: update"
    assert report["rollback"]["result"] == "rolled_back"
    assert ws.log()[0] == 'Revert "longer idle timeout"'
    assert "idle_timeout_in_minutes = 4" in main_tf.read_text()
    ws.cloud.sandbox.app.faults.clear()
    assert _drift(ws)[0] == 0 and ws.cloud.tf.plan(ws.root).changed is False
