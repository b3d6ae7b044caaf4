"""azurerm_nat_gateway and azurerm_nat_gateway_public_ip_association through real Terraform."""

from __future__ import annotations

import re
from typing import Any

from azure.mgmt.network import NetworkManagementClient
from sandbox_cloud import Cloud

from providers.azure.sdk import client

NAT = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-nat"
  location = "westeurope"
}

resource "azurerm_public_ip" "nat" {
  name                = "pip-nat"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  allocation_method   = "Static"
  zones               = ["1"]
}

resource "azurerm_nat_gateway" "gw" {
  name                    = "nat-gw"
  location                = azurerm_resource_group.rg.location
  resource_group_name     = azurerm_resource_group.rg.name
  idle_timeout_in_minutes = %(idle)s
  zones                   = ["%(zone)s"]
  tags                    = { env = "%(env)s" }
}

resource "azurerm_nat_gateway_public_ip_association" "gw" {
  nat_gateway_id       = azurerm_nat_gateway.gw.id
  public_ip_address_id = azurerm_public_ip.nat.id
}
"""

FIRST = {"idle": 4, "zone": "1", "env": "dev"}
GROUP = "rg-nat"


def _actions(doc: dict[str, Any], key: str = "resource_changes") -> dict[str, list[str]]:
    return {c["address"]: c["change"]["actions"] for c in doc.get(key, [])}


def test_nat_gateway_and_its_public_ip(cloud: Cloud) -> None:
    ws = cloud.workspace(NAT % FIRST)
    cloud.tf.apply(ws)
    network = client(NetworkManagementClient, cloud.endpoint(upn="ops@example.com"))
    state = cloud.state(ws)
    gw, pip = state["azurerm_nat_gateway.gw"], state["azurerm_public_ip.nat"]
    assert gw["id"] == (
        f"/subscriptions/{cloud.subscription}/resourceGroups/{GROUP}/providers/Microsoft.Network/natGateways/nat-gw"
    )
    assert (gw["sku_name"], gw["idle_timeout_in_minutes"], gw["zones"]) == ("Standard", 4, ["1"])
    assert gw["resource_guid"]
    assert state["azurerm_nat_gateway_public_ip_association.gw"]["id"] == f"{gw['id']}|{pip['id']}"
    assert [p.id for p in network.nat_gateways.get(GROUP, "nat-gw").public_ip_addresses] == [pip["id"]]
    assert network.public_ip_addresses.get(GROUP, "pip-nat").nat_gateway.id == gw["id"]
    assert cloud.tf.plan(ws).changed is False

    # In place: the timeout and tags. The update keeps the public IP the association added.
    cloud.workspace(NAT % {**FIRST, "idle": 10, "env": "prod"})
    assert [a for a, acts in _actions(cloud.plan_json(ws)).items() if acts != ["no-op"]] == [
        "azurerm_nat_gateway.gw"
    ]
    cloud.tf.apply(ws)
    live = network.nat_gateways.get(GROUP, "nat-gw")
    assert (live.idle_timeout_in_minutes, live.tags) == (10, {"env": "prod"})
    assert [p.id for p in live.public_ip_addresses] == [pip["id"]]
    assert cloud.tf.plan(ws).changed is False

    # Zones force a new gateway, and so a new association with it.
    cloud.workspace(NAT % {**FIRST, "idle": 10, "env": "prod", "zone": "2"})
    changes = {c["address"]: c["change"] for c in cloud.plan_json(ws)["resource_changes"]}
    assert changes["azurerm_nat_gateway.gw"]["actions"] == ["delete", "create"]
    assert changes["azurerm_nat_gateway.gw"]["replace_paths"] == [["zones"]]
    assert changes["azurerm_nat_gateway_public_ip_association.gw"]["actions"] == ["delete", "create"]

    cloud.workspace(NAT % {**FIRST, "idle": 10, "env": "prod"})
    _import_plans_no_op(cloud, gw["id"], f"{gw['id']}|{pip['id']}")

    # Out of band: the timeout changed and the public IP taken off the gateway.
    live.idle_timeout_in_minutes = 15
    live.public_ip_addresses = []
    network.nat_gateways.begin_create_or_update(GROUP, "nat-gw", live).result()
    drift = cloud.plan_json(ws, "-refresh-only")
    assert _actions(drift, "resource_drift") == {
        "azurerm_nat_gateway.gw": ["update"],
        "azurerm_nat_gateway_public_ip_association.gw": ["delete"],
    }
    [changed] = [d["change"] for d in drift["resource_drift"] if d["address"] == "azurerm_nat_gateway.gw"]
    assert (changed["before"]["idle_timeout_in_minutes"], changed["after"]["idle_timeout_in_minutes"]) == (
        10,
        15,
    )

    cloud.tf.destroy(ws)
    assert list(network.nat_gateways.list_all()) == []
    assert list(network.public_ip_addresses.list_all()) == []


def _import_plans_no_op(cloud: Cloud, gateway_id: str, association_id: str) -> None:
    ws = cloud.workspace(
        f"""
import {{
  to = azurerm_nat_gateway.gw
  id = "{gateway_id}"
}}

import {{
  to = azurerm_nat_gateway_public_ip_association.gw
  id = "{association_id}"
}}
""",
        name="imported",
    )
    result = cloud.tf.run(["plan", "-input=false", "-no-color", "-generate-config-out=generated.tf"], ws)
    assert result.rc == 0, result.stdout + result.stderr
    generated = (ws / "generated.tf").read_text()
    assert re.search(r"idle_timeout_in_minutes\s+= 10", generated)
    assert re.search(r'public_ip_address_id\s+= ".*/publicIPAddresses/pip-nat"', generated)
    plan = cloud.plan_json(ws)
    assert _actions(plan) == {
        "azurerm_nat_gateway.gw": ["no-op"],
        "azurerm_nat_gateway_public_ip_association.gw": ["no-op"],
    }


def test_basic_public_ip_cannot_serve_a_nat_gateway(cloud: Cloud) -> None:
    ws = cloud.workspace(
        (NAT % FIRST).replace(
            'allocation_method   = "Static"', 'allocation_method   = "Static"\n  sku = "Basic"'
        )
    )
    result = cloud.tf.run(["apply", "-auto-approve", "-input=false", "-no-color"], ws)
    assert result.rc != 0
    assert "PublicIpWithBasicSkuNotAllowedOnNatGateway" in result.stdout + result.stderr
    # The gateway itself was made; the association was not.
    assert "azurerm_nat_gateway_public_ip_association.gw" not in cloud.state(ws)
