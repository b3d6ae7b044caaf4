"""``builtin.no_inline_managed_children``: a subnet is never written inline next to its own azurerm_subnet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from openai_server import OpenAIServer

from reconciler.cli import main
from reconciler.policy import BUILTIN_RULES
from reconciler.policy import PolicySettings
from reconciler.policy import evaluate
from sandbox.az import Az
from sandbox.az import endpoint_for
from sandbox.environment import client_environment

if TYPE_CHECKING:
    from conftest import Propose
    from sandbox_cloud import Cloud

NETWORK = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-net"
  location = "westeurope"
}

resource "azurerm_virtual_network" "main" {
  name                = "vnet"
  address_space       = ["10.0.0.0/16"]
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
%s}

resource "azurerm_subnet" "web" {
  name                 = "web"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.0.1.0/24"]
}
"""
INLINE_WEB = """
  subnet {
    name             = "web"
    address_prefixes = ["10.0.1.0/24"]
  }
"""
INLINE_OTHER = """
  subnet {
    name             = "other"
    address_prefixes = ["10.0.2.0/24"]
  }
"""


def test_an_inline_subnet_next_to_its_own_resource_is_refused(cloud: Cloud, propose: Propose) -> None:
    root = cloud.workspace(NETWORK % "")
    cloud.tf.apply(root)
    assert "builtin.no_inline_managed_children" in BUILTIN_RULES

    # What a naive codify of the network's `subnet` block would write: the plan is a no-op (the live
    # network has exactly that subnet), so only the rule stands between it and the code.
    conflicting = propose(root, {"main.tf": NETWORK % INLINE_WEB}, cloud.tf)
    actions = {rc["address"]: rc["change"]["actions"] for rc in conflicting.plan["resource_changes"]}
    assert actions["azurerm_virtual_network.main"] == ["no-op"]
    [violation] = evaluate(conflicting.plan, conflicting.edits, PolicySettings(), root)
    assert (violation.rule, violation.address) == (
        "builtin.no_inline_managed_children",
        "azurerm_virtual_network.main",
    )
    assert violation.message.startswith('main.tf:7: writes subnet {} "web" inline')
    assert "azurerm_subnet.web manages as its own resource" in violation.message

    # An inline subnet that no resource manages is the configuration's own business.
    own = propose(root, {"main.tf": NETWORK % INLINE_OTHER}, cloud.tf)
    assert [v.rule for v in evaluate(own.plan, own.edits, PolicySettings(), root)] == []


def test_an_llm_answer_inlining_a_managed_subnet_is_refused_by_name(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The tag is an expression, so the rules leave its drift to the LLM.
    source = NETWORK % '  tags = {\n    env = lower("DEV")\n  }\n'

    ws = cloud.workspace(source)
    cloud.tf.apply(ws)
    group = f"/subscriptions/{cloud.subscription}/resourceGroups/rg-net"
    bob = Az(endpoint_for(cloud.sandbox.url, cloud.subscription, "bob@contoso.com", "portal"))
    bob.tag_add(f"{group}/providers/Microsoft.Network/virtualNetworks/vnet", {"env": "prod"})
    tags = '  tags = {\n    env = lower("DEV")\n  }'
    codified = tags.replace("DEV", "PROD")
    answers = [
        # The tag, and the network's subnet written inline beside its own azurerm_subnet: the plan is clean.
        {"strategy": "codify", "explanation": "codify the tag",
         "edits": [{"file": "main.tf", "find": tags, "replace": codified + "\n" + INLINE_WEB.rstrip("\n")}]},
        {"strategy": "codify", "explanation": "codify the tag",
         "edits": [{"file": "main.tf", "find": tags, "replace": codified}]},
    ]  # fmt: skip
    for name, value in client_environment(cloud.sandbox.url, cloud.sandbox.data_dir).items():
        monkeypatch.setenv(name, value)
    with OpenAIServer(answers, api_key="sk-children") as llm:
        monkeypatch.setenv("RECONCILE_LLM_BASE_URL", llm.base_url)
        monkeypatch.setenv("RECONCILE_LLM_MODEL", "scripted")
        monkeypatch.setenv("RECONCILE_LLM_API_KEY", "sk-children")
        assert main(["drift", str(ws), "--format", "json", "--output", str(tmp_path / "d.json")]) == 2
        out = tmp_path / "p.json"
        assert main(["propose", str(ws), "--format", "json", "--output", str(out)]) == 0
        bodies = llm.bodies()
    [proposal] = json.loads(out.read_text())["proposals"]
    assert proposal["valid"] and proposal["origin"] == "llm"
    inlined, good = proposal["attempts"][1:]
    [refused] = [s for s in inlined["steps"] if not s["ok"]]
    assert refused["name"] == "policy" and "builtin.no_inline_managed_children" in refused["detail"]
    assert "builtin.no_inline_managed_children" in bodies[1]  # and the model was told why
    assert good["ok"] and "subnet" not in proposal["diff"]
