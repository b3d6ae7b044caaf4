"""azurerm_resource_group through real Terraform: create, no-op plan, in-place update, replace, destroy."""

from __future__ import annotations

from azure.mgmt.resource.resources import ResourceManagementClient
from sandbox_cloud import Cloud

from providers.azure.sdk import client

GROUP = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-one"
  location = "%s"
  tags     = { env = "%s" }
}
"""


def test_apply_plans_no_op_then_updates_in_place_and_replaces(cloud: Cloud) -> None:
    ws = cloud.workspace(GROUP % ("West Europe", "dev"))
    cloud.tf.apply(ws)
    state = cloud.state(ws)["azurerm_resource_group.rg"]
    assert state["id"] == f"/subscriptions/{cloud.subscription}/resourceGroups/rg-one"
    assert state["tags"] == {"env": "dev"}
    # "West Europe" and "westeurope" are the same place: no perpetual diff.
    assert cloud.tf.plan(ws).changed is False

    cloud.workspace(GROUP % ("West Europe", "prod"))
    plan = cloud.plan_json(ws)
    [change] = plan["resource_changes"]
    assert change["change"]["actions"] == ["update"]

    cloud.workspace(GROUP % ("North Europe", "prod"))
    [change] = cloud.plan_json(ws)["resource_changes"]
    assert change["change"]["actions"] == ["delete", "create"]
    assert change["change"]["replace_paths"] == [["location"]]

    cloud.tf.destroy(ws)
    groups = client(ResourceManagementClient, cloud.endpoint(upn="t@example.com")).resource_groups.list()
    assert [g.name for g in groups] == []
