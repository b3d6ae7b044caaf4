"""azurerm_network_security_group (inline rules) and azurerm_network_security_rule through real Terraform."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as nm
from sandbox_cloud import Cloud

from providers.azure.sdk import client

NETWORK = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-nsg"
  location = "westeurope"
}

resource "azurerm_network_security_group" "web" {
  name                = "nsg-web"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name

  security_rule {
    name                       = "ssh"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "%(ssh_port)s"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }

  security_rule {
    name                       = "web"
    description                = "http and https from private ranges"
    priority                   = 110
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_ranges    = ["443", "80"]
    source_address_prefixes    = ["192.168.0.0/16", "10.0.0.0/8"]
    destination_address_prefix = "VirtualNetwork"
  }

  tags = { tier = "web" }
}

# Rules of this group are separate resources: the group's computed security_rule must not fight them.
resource "azurerm_network_security_group" "app" {
  name                = "nsg-app"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  tags                = { tier = "%(app_tier)s" }
}

resource "azurerm_network_security_rule" "deny_internet" {
  name                        = "%(rule)s"
  priority                    = 200
  direction                   = "Inbound"
  access                      = "Deny"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_range      = "*"
  source_address_prefix       = "Internet"
  destination_address_prefix  = "*"
  resource_group_name         = azurerm_resource_group.rg.name
  network_security_group_name = azurerm_network_security_group.app.name
}
"""

FIRST = {"ssh_port": "22", "app_tier": "app", "rule": "deny-internet"}


def _actions(plan: dict[str, Any]) -> dict[str, list[str]]:
    return {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]}


def _changes(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["address"]: c["change"] for c in plan["resource_changes"]}


def test_rules_inline_and_standalone(cloud: Cloud) -> None:
    ws = cloud.workspace(NETWORK % FIRST)
    cloud.tf.apply(ws)
    state = cloud.state(ws)
    web = state["azurerm_network_security_group.web"]
    assert web["id"] == (
        f"/subscriptions/{cloud.subscription}/resourceGroups/rg-nsg/providers/"
        "Microsoft.Network/networkSecurityGroups/nsg-web"
    )
    rules = {r["name"]: r for r in web["security_rule"]}
    assert rules["ssh"]["destination_port_range"] == "22"
    assert rules["ssh"]["destination_port_ranges"] == []
    assert sorted(rules["web"]["destination_port_ranges"]) == ["443", "80"]
    assert rules["web"]["description"] == "http and https from private ranges"
    rule = state["azurerm_network_security_rule.deny_internet"]
    assert rule["id"].endswith("/networkSecurityGroups/nsg-app/securityRules/deny-internet")
    # Set order and the standalone rule now read into nsg-app's security_rule: neither is a diff.
    assert cloud.tf.plan(ws).changed is False

    cloud.workspace(NETWORK % {"ssh_port": "2222", "app_tier": "backend", "rule": "deny-all-internet"})
    plan = cloud.plan_json(ws)
    changes = _changes(plan)
    assert _actions(plan) == {
        "azurerm_resource_group.rg": ["no-op"],
        "azurerm_network_security_group.web": ["update"],
        "azurerm_network_security_group.app": ["update"],
        "azurerm_network_security_rule.deny_internet": ["delete", "create"],
    }
    assert changes["azurerm_network_security_rule.deny_internet"]["replace_paths"] == [["name"]]
    cloud.tf.apply(ws)
    network = client(NetworkManagementClient, cloud.endpoint(upn="ops@example.com"))
    assert network.security_rules.get("rg-nsg", "nsg-web", "ssh").destination_port_range == "2222"
    # Updating nsg-app did not drop the rule Terraform manages as its own resource.
    assert [r.name for r in network.security_rules.list("rg-nsg", "nsg-app")] == ["deny-all-internet"]

    # Out of band: a port opened in an inline rule, a priority moved, a rule added by hand.
    ssh = network.security_rules.get("rg-nsg", "nsg-web", "ssh")
    ssh.destination_port_range = "3389"
    network.security_rules.begin_create_or_update("rg-nsg", "nsg-web", "ssh", ssh).result()
    deny = network.security_rules.get("rg-nsg", "nsg-app", "deny-all-internet")
    deny.priority = 300
    network.security_rules.begin_create_or_update("rg-nsg", "nsg-app", "deny-all-internet", deny).result()
    network.security_rules.begin_create_or_update(
        "rg-nsg",
        "nsg-app",
        "debug",
        nm.SecurityRule(
            protocol="Tcp",
            access="Allow",
            direction="Inbound",
            priority=150,
            source_address_prefix="*",
            source_port_range="*",
            destination_address_prefix="*",
            destination_port_range="8080",
        ),
    ).result()
    drift = {
        d["address"]: d["change"] for d in cloud.plan_json(ws, "-refresh-only").get("resource_drift", [])
    }
    assert set(drift) == {
        "azurerm_network_security_group.web",
        "azurerm_network_security_group.app",
        "azurerm_network_security_rule.deny_internet",
    }
    after = {r["name"]: r for r in drift["azurerm_network_security_group.web"]["after"]["security_rule"]}
    assert after["ssh"]["destination_port_range"] == "3389"
    assert drift["azurerm_network_security_rule.deny_internet"]["after"]["priority"] == 300
    assert sorted(
        r["name"] for r in drift["azurerm_network_security_group.app"]["after"]["security_rule"]
    ) == [
        "debug",
        "deny-all-internet",
    ]

    _import_plans_no_op(cloud, network)


def _import_plans_no_op(cloud: Cloud, network: NetworkManagementClient) -> None:
    web = network.network_security_groups.get("rg-nsg", "nsg-web")
    rule = network.security_rules.get("rg-nsg", "nsg-app", "deny-all-internet")
    ws = cloud.workspace(
        f"""
import {{
  to = azurerm_network_security_group.web
  id = "{web.id}"
}}

import {{
  to = azurerm_network_security_rule.deny
  id = "{rule.id}"
}}
""",
        name="imported",
    )
    _generate(cloud, ws)
    generated = (ws / "generated.tf").read_text()
    assert re.search(r'\bname\s+= "deny-all-internet"', generated)
    assert re.search(r'destination_port_range\s+= "3389"', generated)  # the live value, drift included
    plan = cloud.plan_json(ws)
    assert _actions(plan) == {
        "azurerm_network_security_group.web": ["no-op"],
        "azurerm_network_security_rule.deny": ["no-op"],
    }
    assert all(c["change"].get("importing") for c in plan["resource_changes"])


def _generate(cloud: Cloud, ws: Path) -> None:
    result = cloud.tf.run(["plan", "-input=false", "-no-color", "-generate-config-out=generated.tf"], ws)
    assert result.rc == 0, result.stdout + result.stderr


def test_rule_validation_follows_azurerm(cloud: Cloud) -> None:
    ws = cloud.workspace(
        """
resource "azurerm_network_security_rule" "bad" {
  name                        = "bad"
  priority                    = 50
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "TCP"
  source_port_range           = "*"
  destination_port_range      = "22"
  destination_port_ranges     = ["23"]
  destination_address_prefix  = "*"
  resource_group_name         = "rg"
  network_security_group_name = "nsg"
}
"""
    )
    messages = [d.detail or d.summary for d in cloud.tf.validate(ws) if d.is_error]
    text = "\n".join(messages)
    assert "expected protocol to be one of" in text
    assert "priority to be in the range (100 - 4096), got 50" in text
    assert 'only one of "destination_port_range" and "destination_port_ranges"' in text
    assert "one of `source_address_prefix,source_address_prefixes" in text
