"""What goes into an LLM task: the source a module's value really comes from, settings from config."""

from __future__ import annotations

import json
import re
from pathlib import Path

from reconciler.config import OPTIONS as BASE_OPTIONS
from reconciler.config import Option
from reconciler.config import load_config
from reconciler.propose.llm import LlmAnswer
from reconciler.propose.llm import LlmSettings
from reconciler.propose.llm import redact
from reconciler.propose.llm import task_for
from reconciler.propose.llm_prompt import prompt
from reconciler.workspace import load_config as load_workspace
from state.report import Change
from state.report import Drift

ROOT_TF = """\
variable "prefix" {
  type    = string
  default = "demo"
}

module "net" {
  source = "./modules/net"
  name   = "${var.prefix}-vnet"
}
"""
MODULE_TF = """\
variable "name" {
  type = string
}

resource "azurerm_virtual_network" "this" {
  name          = var.name
  address_space = ["10.0.0.0/16"]
}
"""
# The settings the lead adds to reconciler.config.OPTIONS (here so this test owns no shared file).
LLM_OPTIONS = (
    Option("llm.base_url", str, "", "RECONCILE_LLM_BASE_URL", "OpenAI-compatible endpoint; empty: LLM off"),
    Option("llm.model", str, "", "RECONCILE_LLM_MODEL", "model name; empty: LLM off"),
    Option("llm.api_key_env", str, "RECONCILE_LLM_API_KEY", None, "the variable holding the API key"),
    Option("llm.max_attempts", int, 3, None, "answers tried per drift item"),
    Option("llm.timeout_s", int, 60, None, "seconds to wait for one answer"),
)


def test_a_module_value_is_traced_to_the_call_and_the_root_variable(tmp_path: Path) -> None:
    (tmp_path / "modules" / "net").mkdir(parents=True)
    (tmp_path / "main.tf").write_text(ROOT_TF)
    (tmp_path / "modules" / "net" / "main.tf").write_text(MODULE_TF)
    drift = Drift(
        "changed",
        "module.net.azurerm_virtual_network.this",
        "azurerm_virtual_network",
        "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/demo-vnet",
        (Change("name", "demo-vnet", "prod-vnet"),),
    )
    task = task_for(tmp_path, load_workspace(tmp_path), drift, None, "the value is an expression")

    assert [(s.file, s.about) for s in task.snippets] == [
        ("modules/net/main.tf", "managed module.net.azurerm_virtual_network.this"),
        ("modules/net/main.tf", "variable name"),
        ("main.tf", "module module.net"),
        ("main.tf", "variable prefix"),
    ]
    assert sorted(task.files) == ["main.tf", "modules/net/main.tf"]
    _, user = prompt(task)
    data = json.loads(re.search(r"<(data-\w+)>\n(.*)\n</\1>", user, re.DOTALL).group(2))  # type: ignore[union-attr]
    assert data["rules_declined"] == "the value is an expression"
    assert (
        data["source"][2]["text"]
        == 'module "net" {\n  source = "./modules/net"\n  name   = "${var.prefix}-vnet"\n}\n'
    )


def test_feedback_does_not_repeat_the_same_problem(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "prefix" {}\n')
    drift = Drift("changed", None, "azurerm_virtual_network", "/x")
    task = task_for(tmp_path, load_workspace(tmp_path), drift, None)
    bad = LlmAnswer(None, (), "", "{}", "strategy must be one of codify, revert, decline")
    assert task.with_feedback(bad, bad.rejection or "").diagnostics == (bad.rejection,)


def test_redact_catches_escaped_spellings() -> None:
    secret = 'pa"ss\\word'
    text = f"raw {secret} json {json.dumps(secret)} nested {json.dumps(json.dumps(secret))}"
    assert redact(text, [secret]) == 'raw (sensitive) json "(sensitive)" nested "\\"(sensitive)\\""'
    assert redact("a short ab secret", ["ab"]) == "a short ab secret"  # too short to scrub


def test_settings_come_from_the_config_file_and_the_environment(tmp_path: Path) -> None:
    options = BASE_OPTIONS + LLM_OPTIONS
    assert LlmSettings.from_config(load_config(tmp_path, env={}, options=options)) is None
    assert LlmSettings.from_config(load_config(tmp_path, env={}, options=BASE_OPTIONS)) is None

    (tmp_path / "reconcile.toml").write_text('[llm]\nmodel = "gpt-4o"\nmax_attempts = 5\n')
    assert LlmSettings.from_config(load_config(tmp_path, env={}, options=options)) is None  # no endpoint
    env = {"RECONCILE_LLM_BASE_URL": "http://127.0.0.1:8000/v1"}
    settings = LlmSettings.from_config(load_config(tmp_path, env=env, options=options))
    assert settings == LlmSettings("http://127.0.0.1:8000/v1", "gpt-4o", max_attempts=5, timeout_s=60)
