"""azurerm_route_table (inline routes) and azurerm_route through real Terraform."""

from __future__ import annotations

import re
from typing import Any

from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as nm
from sandbox_cloud import Cloud

from providers.azure.sdk import client

ROUTES = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-routes"
  location = "westeurope"
}

resource "azurerm_route_table" "inline" {
  name                          = "rt-inline"
  location                      = azurerm_resource_group.rg.location
  resource_group_name           = azurerm_resource_group.rg.name
  bgp_route_propagation_enabled = %(bgp)s

  route {
    name                   = "to-firewall"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = "10.0.2.4"
  }

  route {
    name           = "local"
    address_prefix = "10.0.0.0/16"
    next_hop_type  = "VnetLocal"
  }

  tags = { env = "%(env)s" }
}

# Routes of this table are separate resources: the table's computed route set must not fight them.
resource "azurerm_route_table" "standalone" {
  name                = "%(table)s"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  tags                = { env = "%(env)s" }
}

resource "azurerm_route" "onprem" {
  name                = "onprem"
  resource_group_name = azurerm_resource_group.rg.name
  route_table_name    = azurerm_route_table.standalone.name
  address_prefix      = "192.168.0.0/16"
  next_hop_type       = "%(hop)s"
}
"""

FIRST = {"bgp": "true", "env": "dev", "table": "rt-standalone", "hop": "VirtualNetworkGateway"}
GROUP = "rg-routes"


def _actions(doc: dict[str, Any], key: str = "resource_changes") -> dict[str, list[str]]:
    return {c["address"]: c["change"]["actions"] for c in doc.get(key, [])}


def _routes(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in table["route"]}


def test_route_tables_inline_and_standalone_routes(cloud: Cloud) -> None:
    ws = cloud.workspace(ROUTES % FIRST)
    cloud.tf.apply(ws)
    network = client(NetworkManagementClient, cloud.endpoint(upn="ops@example.com"))
    state = cloud.state(ws)
    inline = state["azurerm_route_table.inline"]
    assert inline["id"] == (
        f"/subscriptions/{cloud.subscription}/resourceGroups/{GROUP}/providers/"
        "Microsoft.Network/routeTables/rt-inline"
    )
    assert _routes(inline)["to-firewall"]["next_hop_in_ip_address"] == "10.0.2.4"
    assert _routes(inline)["local"]["next_hop_in_ip_address"] is None
    assert (inline["bgp_route_propagation_enabled"], inline["subnets"]) == (True, [])
    assert state["azurerm_route.onprem"]["id"].endswith("/routeTables/rt-standalone/routes/onprem")
    # Set order, and the standalone route now read into the other table's route set: neither is a diff.
    assert cloud.tf.plan(ws).changed is False

    # In place: BGP propagation and tags on the tables, the next hop of the standalone route.
    cloud.workspace(ROUTES % {**FIRST, "bgp": "false", "env": "prod", "hop": "Internet"})
    plan = cloud.plan_json(ws)
    assert _actions(plan) == {
        "azurerm_resource_group.rg": ["no-op"],
        "azurerm_route_table.inline": ["update"],
        "azurerm_route_table.standalone": ["update"],
        "azurerm_route.onprem": ["update"],
    }
    cloud.tf.apply(ws)
    table = network.route_tables.get(GROUP, "rt-inline")
    assert (table.disable_bgp_route_propagation, table.tags) == (True, {"env": "prod"})
    # Updating the standalone table did not drop the route Terraform manages as its own resource.
    [onprem] = network.routes.list(GROUP, "rt-standalone")
    assert (onprem.name, onprem.next_hop_type) == ("onprem", "Internet")
    assert cloud.tf.plan(ws).changed is False

    # A table's name forces a new table, and a new route in it.
    cloud.workspace(ROUTES % {**FIRST, "bgp": "false", "env": "prod", "hop": "Internet", "table": "rt-2"})
    changes = {c["address"]: c["change"] for c in cloud.plan_json(ws)["resource_changes"]}
    assert changes["azurerm_route_table.standalone"]["actions"] == ["delete", "create"]
    assert changes["azurerm_route_table.standalone"]["replace_paths"] == [["name"]]
    assert changes["azurerm_route.onprem"]["actions"] == ["delete", "create"]
    assert changes["azurerm_route.onprem"]["replace_paths"] == [["route_table_name"]]

    # Out of band: the appliance moved, the standalone route's prefix changed, a route added by hand.
    cloud.workspace(ROUTES % {**FIRST, "bgp": "false", "env": "prod", "hop": "Internet"})
    firewall = network.routes.get(GROUP, "rt-inline", "to-firewall")
    firewall.next_hop_ip_address = "10.0.2.5"
    network.routes.begin_create_or_update(GROUP, "rt-inline", "to-firewall", firewall).result()
    onprem.address_prefix = "172.16.0.0/12"
    network.routes.begin_create_or_update(GROUP, "rt-standalone", "onprem", onprem).result()
    network.routes.begin_create_or_update(
        GROUP, "rt-standalone", "debug", nm.Route(address_prefix="8.8.8.8/32", next_hop_type="None")
    ).result()
    drift = {d["address"]: d["change"] for d in cloud.plan_json(ws, "-refresh-only")["resource_drift"]}
    assert set(drift) == {
        "azurerm_route_table.inline",
        "azurerm_route_table.standalone",
        "azurerm_route.onprem",
    }
    assert _routes(drift["azurerm_route_table.inline"]["after"])["to-firewall"]["next_hop_in_ip_address"] == (
        "10.0.2.5"
    )
    assert sorted(_routes(drift["azurerm_route_table.standalone"]["after"])) == ["debug", "onprem"]
    assert drift["azurerm_route.onprem"]["after"]["address_prefix"] == "172.16.0.0/12"

    _import_plans_no_op(cloud, network)

    cloud.tf.destroy(ws)
    assert list(network.route_tables.list_all()) == []


def _import_plans_no_op(cloud: Cloud, network: NetworkManagementClient) -> None:
    table = network.route_tables.get(GROUP, "rt-inline")
    route = network.routes.get(GROUP, "rt-standalone", "onprem")
    ws = cloud.workspace(
        f"""
import {{
  to = azurerm_route_table.inline
  id = "{table.id}"
}}

import {{
  to = azurerm_route.onprem
  id = "{route.id}"
}}
""",
        name="imported",
    )
    result = cloud.tf.run(["plan", "-input=false", "-no-color", "-generate-config-out=generated.tf"], ws)
    assert result.rc == 0, result.stdout + result.stderr
    generated = (ws / "generated.tf").read_text()
    assert re.search(r'next_hop_in_ip_address\s+= "10.0.2.5"', generated)  # the live value, drift included
    assert re.search(r"bgp_route_propagation_enabled\s+= false", generated)
    plan = cloud.plan_json(ws)
    assert _actions(plan) == {"azurerm_route_table.inline": ["no-op"], "azurerm_route.onprem": ["no-op"]}
    assert all(c["change"].get("importing") for c in plan["resource_changes"])


def test_route_validation_follows_azurerm(cloud: Cloud) -> None:
    ws = cloud.workspace(
        """
resource "azurerm_route_table" "bad" {
  name                = "bad"
  location            = "westeurope"
  resource_group_name = "rg"

  route {
    name           = "r"
    address_prefix = "0.0.0.0/0"
    next_hop_type  = "Firewall"
  }
}

resource "azurerm_route" "bad" {
  name                   = "r"
  resource_group_name    = "rg"
  route_table_name       = "bad"
  address_prefix         = "0.0.0.0/0"
  next_hop_type          = "virtualappliance"
  next_hop_in_ip_address = ""
}
"""
    )
    text = "\n".join(d.detail or d.summary for d in cloud.tf.validate(ws) if d.is_error)
    assert text.count("expected next_hop_type to be one of") == 2  # azurerm's enums are case-sensitive
    assert 'expected "next_hop_in_ip_address" to not be an empty string' in text
