"""Planted secrets never leave: not into the store's bytes, a report, an LLM request or a log line.

The workspace plants three: a VM password (from a variable its author forgot to mark sensitive; the
azurerm schema marks the attribute), a sensitive variable in a tag, and a client secret in the
environment. Scans, history in every format, proposals (the rules', and the LLM's: a hostile answer, one
that makes Terraform quote the password in an error, then a good one) run over it; then every byte that
was written or sent is searched.
"""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest
from openai_server import OpenAIServer
from sandbox_cloud import Cloud
from sandbox_cloud import cloud

from reconciler.cli import main
from reconciler.workspace import StateResource
from reconciler.workspace import load_config
from reconciler.workspace.secrets import is_credential_variable
from reconciler.workspace.secrets import known_secrets
from reconciler.workspace.state import StateSnapshot
from sandbox.az import Az
from sandbox.az import endpoint_for
from sandbox.environment import client_environment

__all__ = ["cloud"]

PASSWORD = "Vm-Pa55word-planted-7731"
TAG_TOKEN = "tag-token-planted-5521"
CLIENT_SECRET = "arm-client-secret-planted-9043"
LLM_KEY = "sk-llm-key-planted-1187"
PLANTED = (PASSWORD, TAG_TOKEN, CLIENT_SECRET, LLM_KEY)

CONFIG = """
variable "admin_password" {
  type = string
}

variable "cost_token" {
  type      = string
  sensitive = true
}

variable "vm_size" {
  type    = string
  default = "Standard_B1s"
}

resource "azurerm_resource_group" "rg" {
  name     = "sec-rg"
  location = "westeurope"
  tags = {
    env   = lower("DEV")
    token = var.cost_token
  }
}

resource "azurerm_virtual_network" "net" {
  name                = "sec-net"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.9.0.0/16"]
}

resource "azurerm_subnet" "web" {
  name                 = "web"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.net.name
  address_prefixes     = ["10.9.1.0/24"]
}

resource "azurerm_network_interface" "vm" {
  name                = "sec-nic"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name

  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.web.id
    private_ip_address_allocation = "Dynamic"
  }
}

resource "azurerm_linux_virtual_machine" "vm" {
  name                            = "sec-vm"
  resource_group_name             = azurerm_resource_group.rg.name
  location                        = azurerm_resource_group.rg.location
  size                            = var.vm_size
  admin_username                  = "azureuser"
  admin_password                  = var.admin_password
  disable_password_authentication = false
  network_interface_ids           = [azurerm_network_interface.vm.id]

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }

  source_image_reference {
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts"
    version   = "latest"
  }
}
"""
TFVARS = f'admin_password = "{PASSWORD}"\ncost_token     = "{TAG_TOKEN}"\nvm_size        = "Standard_B1s"\n'
ENV_LINE = 'env   = lower("DEV")'


def codify(find: str, replace: str) -> dict[str, object]:
    return {"strategy": "codify", "edits": [{"file": "main.tf", "find": find, "replace": replace}],
            "explanation": "env changed in the portal"}  # fmt: skip


def test_planted_secrets_reach_no_byte_written_or_sent(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = cloud.workspace(CONFIG)
    (ws / "terraform.tfvars").write_text(TFVARS)
    cloud.tf.apply(ws)
    group = f"/subscriptions/{cloud.subscription}/resourceGroups/sec-rg"
    bob = Az(endpoint_for(cloud.sandbox.url, cloud.subscription, "bob@contoso.com", "cli"))
    bob.tag_add(group, {"env": "prod"})
    bob.vm_resize("sec-rg", "sec-vm", "Standard_B2s")

    for name, value in client_environment(cloud.sandbox.url, cloud.sandbox.data_dir).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ARM_CLIENT_SECRET", CLIENT_SECRET)
    outputs: list[str] = []

    def run(*argv: str, code: int | None = None) -> None:
        out = cloud.root / "out.txt"
        rc = main([*argv, "--output", str(out)] if argv[0] in ("drift", "propose") else list(argv))
        if code is not None:
            assert rc == code, argv
        if out.exists():
            outputs.append(out.read_text())
            out.unlink()

    replies = [
        codify(ENV_LINE, 'env   = file("/proc/self/environ")'),  # refused by the guardrails
        codify(ENV_LINE, "env   = tonumber(var.admin_password)"),  # Terraform quotes the password
        codify(ENV_LINE, 'env   = lower("PROD")'),
    ]
    with OpenAIServer(replies, api_key=LLM_KEY) as llm:
        monkeypatch.setenv("RECONCILE_LLM_BASE_URL", llm.base_url)
        monkeypatch.setenv("RECONCILE_LLM_MODEL", "scripted")
        monkeypatch.setenv("RECONCILE_LLM_API_KEY", LLM_KEY)
        for fmt in ("table", "json", "markdown", "sarif"):
            run("drift", str(ws), "--format", fmt, code=2)
        patch = cloud.root / "fix.patch"
        run("propose", str(ws), "--format", "json", "--patch", str(patch), code=0)
        for fmt in ("table", "markdown"):
            run("propose", str(ws), "--format", fmt, "--no-llm")
        bodies = llm.bodies()
    run("history", "-C", str(ws))
    run("history", "-C", str(ws), "--format", "json")
    scan_id = json.loads(outputs[1])["scan_id"]
    for fmt in ("table", "json", "markdown", "sarif"):
        run("history", scan_id, "-C", str(ws), "--format", fmt)
    # An apply (the revert of both changes) and its audit trail.
    for args in (("init", "-q"), ("add", "-A"), ("-c", "user.name=Pat", "-c", "user.email=pat@example.com",
                 "commit", "-qm", "the workspace")):  # fmt: skip
        subprocess.run(["git", *args], cwd=ws, check=True)
    run("drift", str(ws), "--format", "json", code=2)
    run("apply", str(ws), "--revert", "--yes", "--format", "json", code=0)
    run("audit", str(ws), "--format", "json", code=0)
    logs = capsys.readouterr()

    # The run did what it should: a proposal came from the LLM after a refusal and a Terraform error.
    proposals = {p["address"]: p for p in json.loads(outputs[4])["proposals"]}
    rg = proposals["azurerm_resource_group.rg"]
    assert rg["valid"] and rg["origin"] == "llm"
    failed = [next(s for s in a["steps"] if not s["ok"]) for a in rg["attempts"][1:-1]]
    assert [s["name"] for s in failed] == ["guardrails", "plan"]
    assert "(sensitive)" in failed[1]["detail"]  # where Terraform quoted the password
    assert "(sensitive)" in bodies[2]  # and that is what the model was told
    assert len(bodies) == 3
    # The patch quotes the files as they are (git apply needs it): it is readable by its owner only.
    assert stat.S_IMODE(patch.stat().st_mode) == 0o600

    store = ws / ".reconcile" / "state.db"
    stored = b"".join(p.read_bytes() for p in store.parent.glob("state.db*") if not p.name.endswith(".key"))
    assert b"(sensitive)" in stored
    texts = [*outputs, *bodies, logs.out, logs.err]  # history prints to stdout: it is in logs.out
    assert len(outputs) == 4 + 3 + 1
    assert '"action": "revert"' in logs.out and '"result": "applied"' in logs.out
    assert logs.out.count(scan_id) >= 5
    for secret in PLANTED:
        assert secret.encode() not in stored, secret
        for text in texts:
            assert secret not in text, (secret, text[:200])


def _vm(values: dict[str, object], sensitive: tuple[str, ...] = ()) -> StateResource:
    return StateResource(
        "azurerm_linux_virtual_machine.vm", "managed", "azurerm_linux_virtual_machine", "vm", "", None,
        "registry.terraform.io/hashicorp/azurerm", values, sensitive, 0,
    )  # fmt: skip


def test_known_secrets_come_from_the_environment_state_and_variables(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    (tmp_path / "terraform.tfvars").write_text(TFVARS)
    environ = {
        "ARM_CLIENT_SECRET": CLIENT_SECRET,
        "MY_LLM": LLM_KEY,
        "GITHUB_TOKEN": "ghp-forge-token",
        "TF_VAR_vm_size": "Standard_B2s",  # not sensitive: a variable's name is not a secret
        "HOME": "/home/operator",
        "ARM_CLIENT_ID": "11111111-2222",
    }
    state = StateSnapshot(
        1, "l", "1.15.5", (_vm({"admin_password": PASSWORD, "custom_data": "Y2xvdWQtaW5pdA=="}),)
    )
    redactor = known_secrets(
        environ, resources=state.resources, configuration=load_config(tmp_path), key_variables=("MY_LLM",)
    )
    assert redactor.secrets == {
        CLIENT_SECRET, LLM_KEY, "ghp-forge-token", PASSWORD, "Y2xvdWQtaW5pdA==", TAG_TOKEN
    }  # fmt: skip


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("ARM_CLIENT_SECRET", True),
        ("ARM_ACCESS_KEY", True),
        ("RECONCILE_LLM_API_KEY", True),
        ("TF_TOKEN_app_terraform_io", True),
        ("DB_PASSWORD", True),
        ("ARM_CLIENT_ID", False),
        ("PWD", False),
        ("KEYBOARD_LAYOUT", False),
        ("TF_VAR_key_vault_name", False),
    ],
)
def test_credential_variables_by_name(name: str, secret: bool) -> None:
    assert is_credential_variable(name) is secret
