"""azurerm_availability_set through real Terraform: defaults, tags in place, the rest forces replacement."""

from __future__ import annotations

from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as cm
from sandbox_cloud import Cloud

from providers.azure.sdk import client

ADDRESS = "azurerm_availability_set.web"

CONFIG = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-as"
  location = "westeurope"
}

resource "azurerm_availability_set" "web" {
  name                = "web-as"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  tags                = { tier = "%s" }
  %s
}
"""

IMPORT = """
import {
  to = azurerm_availability_set.web
  id = "%s"
}
"""


def _changes(plan: dict) -> dict[str, dict]:
    return {c["address"]: c["change"] for c in plan["resource_changes"]}


def test_availability_set_lifecycle(cloud: Cloud) -> None:
    ws = cloud.workspace(CONFIG % ("web", ""))
    cloud.tf.apply(ws)
    state = cloud.state(ws)[ADDRESS]
    rid = (
        f"/subscriptions/{cloud.subscription}/resourceGroups/rg-as/providers/Microsoft.Compute/"
        "availabilitySets/web-as"
    )
    assert state["id"] == rid
    # azurerm's defaults: a managed set (sku Aligned) with 3 fault and 5 update domains
    assert (
        state["managed"],
        state["platform_fault_domain_count"],
        state["platform_update_domain_count"],
    ) == (
        True,
        3,
        5,
    )
    compute = client(ComputeManagementClient, cloud.endpoint(upn="ops@example.com"))
    live = compute.availability_sets.get("rg-as", "web-as")
    assert live.sku.name == "Aligned" and live.platform_fault_domain_count == 3
    assert cloud.tf.plan(ws).changed is False

    cloud.workspace(CONFIG % ("frontend", ""))
    assert _changes(cloud.plan_json(ws))[ADDRESS]["actions"] == ["update"]
    cloud.tf.apply(ws)
    assert compute.availability_sets.get("rg-as", "web-as").tags == {"tier": "frontend"}

    for extra, path in (
        ("platform_fault_domain_count = 2", "platform_fault_domain_count"),
        ("managed = false", "managed"),
    ):
        cloud.workspace(CONFIG % ("frontend", extra))
        change = _changes(cloud.plan_json(ws))[ADDRESS]
        assert change["actions"] == ["delete", "create"] and change["replace_paths"] == [[path]]
    cloud.workspace(CONFIG % ("frontend", ""))

    # Out of band: a tag added with the SDK is drift a refresh-only plan reports.
    compute.availability_sets.update("rg-as", "web-as", cm.AvailabilitySetUpdate(tags={"tier": "api"}))
    [drift] = cloud.plan_json(ws, "-refresh-only")["resource_drift"]
    assert drift["address"] == ADDRESS
    assert (drift["change"]["before"]["tags"], drift["change"]["after"]["tags"]) == (
        {"tier": "frontend"},
        {"tier": "api"},
    )

    imported = cloud.workspace(IMPORT % rid, name="imported")
    cloud.tf.run(["plan", "-generate-config-out=generated.tf", "-no-color"], imported)
    assert "platform_fault_domain_count" in (imported / "generated.tf").read_text()
    [change] = cloud.plan_json(imported)["resource_changes"]
    assert change["change"]["actions"] == ["no-op"] and change["change"]["importing"]["id"] == rid

    cloud.tf.destroy(ws)
    assert list(compute.availability_sets.list_by_subscription()) == []


def test_domain_counts_are_checked_at_plan_time(cloud: Cloud) -> None:
    ws = cloud.workspace(CONFIG % ("web", "platform_fault_domain_count = 4"))
    messages = [d.detail or d.summary for d in cloud.tf.validate(ws) if d.is_error]
    assert messages == ["expected platform_fault_domain_count to be in the range (1 - 3), got 4"]
