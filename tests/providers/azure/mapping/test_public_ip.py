"""azurerm_public_ip through real Terraform."""

from __future__ import annotations

import re
from typing import Any

from azure.mgmt.network import NetworkManagementClient
from sandbox_cloud import Cloud

from providers.azure.sdk import client

IPS = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-pip"
  location = "westeurope"
}

resource "azurerm_public_ip" "web" {
  name                    = "pip-web"
  location                = azurerm_resource_group.rg.location
  resource_group_name     = azurerm_resource_group.rg.name
  allocation_method       = "Static"
  domain_name_label       = "%(label)s"
  idle_timeout_in_minutes = %(timeout)s
  tags                    = { app = "web" }
}

resource "azurerm_public_ip" "zonal" {
  name                = "pip-zonal"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  allocation_method   = "Static"
  zones               = [%(zones)s]
}
"""

FIRST = {"label": "shop-demo", "timeout": 4, "zones": '"1"'}


def _actions(plan: dict[str, Any]) -> dict[str, list[str]]:
    return {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]}


def test_public_ip_lifecycle_drift_and_import(cloud: Cloud) -> None:
    ws = cloud.workspace(IPS % FIRST)
    cloud.tf.apply(ws)
    web = cloud.state(ws)["azurerm_public_ip.web"]
    assert web["id"] == (
        f"/subscriptions/{cloud.subscription}/resourceGroups/rg-pip/providers/"
        "Microsoft.Network/publicIPAddresses/pip-web"
    )
    # The azurerm defaults, and what ARM computes: the address and the FQDN of the label.
    assert (web["sku"], web["sku_tier"], web["ip_version"]) == ("Standard", "Regional", "IPv4")
    assert (web["idle_timeout_in_minutes"], web["ddos_protection_mode"]) == (4, "VirtualNetworkInherited")
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", web["ip_address"])
    assert web["fqdn"] == "shop-demo.westeurope.cloudapp.azure.com"
    assert web["zones"] == []
    network = client(NetworkManagementClient, cloud.endpoint(upn="ops@example.com"))
    assert network.public_ip_addresses.get("rg-pip", "pip-web").ip_address == web["ip_address"]
    assert cloud.tf.plan(ws).changed is False

    cloud.workspace(IPS % {"label": "shop", "timeout": 10, "zones": '"1", "2"'})
    plan = cloud.plan_json(ws)
    assert _actions(plan) == {
        "azurerm_resource_group.rg": ["no-op"],
        "azurerm_public_ip.web": ["update"],
        "azurerm_public_ip.zonal": ["delete", "create"],
    }
    [zonal] = [c for c in plan["resource_changes"] if c["address"] == "azurerm_public_ip.zonal"]
    assert zonal["change"]["replace_paths"] == [["zones"]]
    cloud.tf.apply(ws)
    web = cloud.state(ws)["azurerm_public_ip.web"]
    assert (web["fqdn"], web["idle_timeout_in_minutes"]) == ("shop.westeurope.cloudapp.azure.com", 10)
    assert network.public_ip_addresses.get("rg-pip", "pip-zonal").zones == ["1", "2"]

    # Out of band, the way the portal does it: read, change, write back.
    pip = network.public_ip_addresses.get("rg-pip", "pip-web")
    pip.idle_timeout_in_minutes = 30
    pip.dns_settings = None
    network.public_ip_addresses.begin_create_or_update("rg-pip", "pip-web", pip).result()
    drift = cloud.plan_json(ws, "-refresh-only").get("resource_drift", [])
    assert [d["address"] for d in drift] == ["azurerm_public_ip.web"]
    after = drift[0]["change"]["after"]
    assert (after["idle_timeout_in_minutes"], after["domain_name_label"], after["fqdn"]) == (30, None, None)

    imported = cloud.workspace(
        f"""
import {{
  to = azurerm_public_ip.web
  id = "{web["id"]}"
}}
""",
        name="imported",
    )
    result = cloud.tf.run(
        ["plan", "-input=false", "-no-color", "-generate-config-out=generated.tf"], imported
    )
    assert result.rc == 0, result.stdout + result.stderr
    assert re.search(r'allocation_method\s+= "Static"', (imported / "generated.tf").read_text())
    plan = cloud.plan_json(imported)
    assert _actions(plan) == {"azurerm_public_ip.web": ["no-op"]}
    assert plan["resource_changes"][0]["change"]["importing"]["id"] == web["id"]


def test_standard_sku_needs_static_allocation(cloud: Cloud) -> None:
    ws = cloud.workspace(
        """
resource "azurerm_public_ip" "bad" {
  name                    = "pip"
  location                = "westeurope"
  resource_group_name     = "rg"
  allocation_method       = "Dynamic"
  idle_timeout_in_minutes = 31
}
"""
    )
    text = "\n".join(d.detail or d.summary for d in cloud.tf.validate(ws) if d.is_error)
    assert "`allocation_method` must be set to `Static` when `sku` is set to `Standard`" in text
    assert "idle_timeout_in_minutes to be in the range (4 - 30), got 31" in text
