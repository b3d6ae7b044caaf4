"""azurerm_storage_account through real Terraform: 4.x defaults, listKeys, updates, drift, import."""

from __future__ import annotations

import re

from azure.core.rest import HttpRequest
from azure.mgmt.resource.resources import ResourceManagementClient
from sandbox_cloud import Cloud

from providers.azure.sdk import client

ACCOUNT = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-sa"
  location = "westeurope"
}

resource "azurerm_storage_account" "sa" {
  name                     = "bootdiagsa01"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  account_tier             = "%s"
  account_replication_type = "%s"
  tags                     = { purpose = "boot-diagnostics" }
}
"""
API_VERSION = "2023-05-01"


def _changes(plan: dict) -> dict[str, dict]:
    return {c["address"]: c["change"] for c in plan["resource_changes"]}


def test_account_defaults_keys_updates_and_replacement(cloud: Cloud) -> None:
    ws = cloud.workspace(ACCOUNT % ("Standard", "LRS"))
    cloud.tf.apply(ws)
    sa = cloud.state(ws)["azurerm_storage_account.sa"]
    rid = (
        f"/subscriptions/{cloud.subscription}/resourceGroups/rg-sa/providers/Microsoft.Storage/"
        "storageAccounts/bootdiagsa01"
    )
    assert sa["id"] == rid
    # azurerm 4.x defaults
    assert (sa["account_kind"], sa["access_tier"], sa["min_tls_version"]) == ("StorageV2", "Hot", "TLS1_2")
    assert sa["https_traffic_only_enabled"] is True and sa["allow_nested_items_to_be_public"] is True
    assert sa["primary_blob_endpoint"] == "https://bootdiagsa01.blob.core.windows.net/"
    assert sa["primary_blob_host"] == "bootdiagsa01.blob.core.windows.net"
    assert sa["primary_location"] == "westeurope"
    # The keys are those ARM lists (POST listKeys), and the connection strings are built from them.
    resources = client(ResourceManagementClient, cloud.endpoint(upn="ops@example.com"))
    listed = resources.send_request(
        HttpRequest("POST", f"{rid}/listKeys", params={"api-version": API_VERSION}, json={})
    ).json()["keys"]
    assert [sa["primary_access_key"], sa["secondary_access_key"]] == [k["value"] for k in listed]
    assert sa["primary_connection_string"] == (
        f"DefaultEndpointsProtocol=https;AccountName=bootdiagsa01;AccountKey={listed[0]['value']};"
        "EndpointSuffix=core.windows.net"
    )
    assert cloud.tf.plan(ws).changed is False

    cloud.workspace(ACCOUNT % ("Standard", "GRS"))
    assert _changes(cloud.plan_json(ws))["azurerm_storage_account.sa"]["actions"] == ["update"]
    cloud.tf.apply(ws)
    assert resources.resources.get_by_id(rid, api_version=API_VERSION).sku.name == "Standard_GRS"
    assert cloud.state(ws)["azurerm_storage_account.sa"]["secondary_location"] == "northeurope"  # the pair
    assert cloud.tf.plan(ws).changed is False

    cloud.workspace(ACCOUNT % ("Premium", "GRS"))
    change = _changes(cloud.plan_json(ws))["azurerm_storage_account.sa"]
    assert change["actions"] == ["delete", "create"] and change["replace_paths"] == [["account_tier"]]


def test_out_of_band_tls_change_is_drift_and_import_round_trips(cloud: Cloud) -> None:
    ws = cloud.workspace(ACCOUNT % ("Standard", "LRS"))
    cloud.tf.apply(ws)
    sa = cloud.state(ws)["azurerm_storage_account.sa"]
    resources = client(ResourceManagementClient, cloud.endpoint(upn="ops@example.com")).resources
    resources.begin_update_by_id(
        sa["id"], api_version=API_VERSION, parameters={"properties": {"minimumTlsVersion": "TLS1_0"}}
    ).result()

    [drift] = cloud.plan_json(ws, "-refresh-only")["resource_drift"]
    assert drift["address"] == "azurerm_storage_account.sa"
    assert (drift["change"]["before"]["min_tls_version"], drift["change"]["after"]["min_tls_version"]) == (
        "TLS1_2",
        "TLS1_0",
    )
    [change] = [c for c in cloud.plan_json(ws)["resource_changes"] if c["address"].endswith(".sa")]
    assert change["change"]["actions"] == ["update"]  # the next apply would put TLS1_2 back

    imported = cloud.workspace(
        f'import {{\n  to = azurerm_storage_account.sa\n  id = "{sa["id"]}"\n}}\n', name="imported"
    )
    cloud.tf.run(["plan", "-generate-config-out=generated.tf", "-no-color"], imported)
    generated = (imported / "generated.tf").read_text()
    assert re.search(r'min_tls_version\s+= "TLS1_0"', generated)
    [change] = cloud.plan_json(imported)["resource_changes"]
    assert change["change"]["actions"] == ["no-op"]
