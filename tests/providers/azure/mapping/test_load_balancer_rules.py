"""azurerm_lb_nat_rule (one port, and a port range onto a backend pool) through real Terraform.

azurerm_lb_rule goes through the same module; test_load_balancer.py drives it with the whole load balancer.
"""

from __future__ import annotations

import re
from typing import Any

from azure.mgmt.network import NetworkManagementClient
from sandbox_cloud import Cloud

from providers.azure.sdk import client

NAT_RULES = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-nat-rules"
  location = "westeurope"
}

resource "azurerm_public_ip" "lb" {
  name                = "pip-lb"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  allocation_method   = "Static"
}

resource "azurerm_lb" "lb" {
  name                = "lb"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name

  frontend_ip_configuration {
    name                 = "public"
    public_ip_address_id = azurerm_public_ip.lb.id
  }
}

resource "azurerm_lb_backend_address_pool" "pool" {
  loadbalancer_id = azurerm_lb.lb.id
  name            = "pool"
}

resource "azurerm_lb_nat_rule" "ssh" {
  name                           = "%(name)s"
  resource_group_name            = azurerm_resource_group.rg.name
  loadbalancer_id                = azurerm_lb.lb.id
  protocol                       = "Tcp"
  frontend_port                  = 50022
  backend_port                   = %(backend_port)s
  frontend_ip_configuration_name = "public"
  idle_timeout_in_minutes        = %(idle)s
  tcp_reset_enabled              = true
}

resource "azurerm_lb_nat_rule" "rdp" {
  name                           = "rdp"
  resource_group_name            = azurerm_resource_group.rg.name
  loadbalancer_id                = azurerm_lb.lb.id
  protocol                       = "Tcp"
  frontend_port_start            = 3390
  frontend_port_end              = 3399
  backend_port                   = 3389
  backend_address_pool_id        = azurerm_lb_backend_address_pool.pool.id
  frontend_ip_configuration_name = "public"
}
"""

FIRST = {"name": "ssh", "backend_port": 22, "idle": 4}
RULES = ("azurerm_lb_nat_rule.ssh", "azurerm_lb_nat_rule.rdp")


def _actions(doc: dict[str, Any], key: str = "resource_changes") -> dict[str, list[str]]:
    return {c["address"]: c["change"]["actions"] for c in doc.get(key, [])}


def test_nat_rule_lifecycle_drift_import_and_destroy(cloud: Cloud) -> None:
    ws = cloud.workspace(NAT_RULES % FIRST)
    cloud.tf.apply(ws)
    network = client(NetworkManagementClient, cloud.endpoint(upn="ops@example.com"))
    lb = network.load_balancers.get("rg-nat-rules", "lb")
    state = cloud.state(ws)
    ssh, rdp = state["azurerm_lb_nat_rule.ssh"], state["azurerm_lb_nat_rule.rdp"]
    assert ssh["id"] == f"{lb.id}/inboundNatRules/ssh"
    assert ssh["frontend_ip_configuration_id"] == f"{lb.id}/frontendIPConfigurations/public"
    # As azurerm reads them: the unset port range is 0, the unused backend is "", ARM's defaults fill in.
    assert (ssh["frontend_port_start"], ssh["frontend_port_end"], ssh["backend_ip_configuration_id"]) == (
        0,
        0,
        "",
    )
    assert (ssh["tcp_reset_enabled"], ssh["floating_ip_enabled"], ssh["backend_address_pool_id"]) == (
        True,
        False,
        None,
    )
    assert (rdp["frontend_port"], rdp["backend_address_pool_id"]) == (0, f"{lb.id}/backendAddressPools/pool")
    assert sorted(r.name for r in lb.inbound_nat_rules) == ["rdp", "ssh"]
    assert sorted(r.id for r in lb.frontend_ip_configurations[0].inbound_nat_rules) == sorted(
        (ssh["id"], rdp["id"])
    )
    # The rules live in the load balancer's body: azurerm_lb must not plan to drop them.
    assert cloud.tf.plan(ws).changed is False

    # In place: the backend port and the idle timeout.
    cloud.workspace(NAT_RULES % {**FIRST, "backend_port": 2222, "idle": 10})
    changes = _actions(cloud.plan_json(ws))
    assert [a for a, acts in changes.items() if acts != ["no-op"]] == ["azurerm_lb_nat_rule.ssh"]
    assert changes["azurerm_lb_nat_rule.ssh"] == ["update"]
    cloud.tf.apply(ws)
    live = network.inbound_nat_rules.get("rg-nat-rules", "lb", "ssh")
    assert (live.backend_port, live.idle_timeout_in_minutes, live.frontend_port) == (2222, 10, 50022)
    assert sorted(r.name for r in network.load_balancers.get("rg-nat-rules", "lb").inbound_nat_rules) == [
        "rdp",
        "ssh",
    ]

    # The name forces a new rule.
    cloud.workspace(NAT_RULES % {**FIRST, "backend_port": 2222, "idle": 10, "name": "ssh-admin"})
    doc = cloud.plan_json(ws)
    [replaced] = [c for c in doc["resource_changes"] if c["change"]["actions"] != ["no-op"]]
    assert (replaced["address"], replaced["change"]["actions"]) == (
        "azurerm_lb_nat_rule.ssh",
        ["delete", "create"],
    )
    assert replaced["change"]["replace_paths"] == [["name"]]

    # Out of band, through the SDK: the frontend port moved.
    cloud.workspace(NAT_RULES % {**FIRST, "backend_port": 2222, "idle": 10})
    live.frontend_port = 50023
    network.inbound_nat_rules.begin_create_or_update("rg-nat-rules", "lb", "ssh", live).result()
    drift = cloud.plan_json(ws, "-refresh-only")
    assert _actions(drift, "resource_drift") == {"azurerm_lb_nat_rule.ssh": ["update"]}
    [moved] = drift["resource_drift"]
    assert (moved["change"]["before"]["frontend_port"], moved["change"]["after"]["frontend_port"]) == (
        50022,
        50023,
    )

    _import_plans_no_op(cloud, ssh["id"], rdp["id"])

    cloud.tf.destroy(ws)
    assert list(network.load_balancers.list_all()) == []
    assert list(network.public_ip_addresses.list_all()) == []


def _import_plans_no_op(cloud: Cloud, *rule_ids: str) -> None:
    imports = "".join(
        f'import {{\n  to = {address}\n  id = "{rule_id}"\n}}\n'
        for address, rule_id in zip(RULES, rule_ids, strict=True)
    )
    ws = cloud.workspace(imports, name="imported")
    result = cloud.tf.run(["plan", "-input=false", "-no-color", "-generate-config-out=generated.tf"], ws)
    assert result.rc == 0, result.stdout + result.stderr
    generated = (ws / "generated.tf").read_text()
    assert re.search(r"frontend_port\s+= 50023", generated)  # the live value, drift included
    assert re.search(r"frontend_port_start\s+= 3390", generated)
    plan = cloud.plan_json(ws)
    assert _actions(plan) == {address: ["no-op"] for address in RULES}
    assert all(c["change"].get("importing") for c in plan["resource_changes"])


def test_nat_rule_validation_follows_azurerm(cloud: Cloud) -> None:
    lb_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/" + (
        "Microsoft.Network/loadBalancers/lb"
    )
    ws = cloud.workspace(
        f"""
resource "azurerm_lb_nat_rule" "bad" {{
  name                           = "bad"
  resource_group_name            = "rg"
  loadbalancer_id                = "{lb_id}"
  protocol                       = "TCP"
  frontend_port                  = 50022
  frontend_port_start            = 3390
  backend_port                   = 22
  frontend_ip_configuration_name = "public"
  idle_timeout_in_minutes        = 60
}}
"""
    )
    text = "\n".join(d.detail or d.summary for d in cloud.tf.validate(ws) if d.is_error)
    assert "expected protocol to be one of ['All', 'Tcp', 'Udp'], got TCP" in text
    assert "expected idle_timeout_in_minutes to be in the range (4 - 30), got 60" in text
    assert '"frontend_port": conflicts with frontend_port_start' in text
    assert "all of `backend_address_pool_id,frontend_port_end,frontend_port_start` must be specified" in text
