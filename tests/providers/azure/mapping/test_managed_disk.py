"""azurerm_managed_disk through real Terraform: grow in place, shrink refused, replace, drift, import."""

from __future__ import annotations

from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as cm
from sandbox_cloud import Cloud

from providers.azure.sdk import client

DISK = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-disk"
  location = "westeurope"
}

resource "azurerm_managed_disk" "data" {
  name                 = "data1"
  location             = azurerm_resource_group.rg.location
  resource_group_name  = azurerm_resource_group.rg.name
  storage_account_type = "%s"
  create_option        = "%s"
  disk_size_gb         = %d
  tags                 = { role = "data" }
}
"""


def _changes(plan: dict) -> dict[str, dict]:
    return {c["address"]: c["change"] for c in plan["resource_changes"]}


def test_disk_grows_in_place_refuses_to_shrink_and_replaces_on_create_option(cloud: Cloud) -> None:
    ws = cloud.workspace(DISK % ("Premium_LRS", "Empty", 32))
    cloud.tf.apply(ws)
    state = cloud.state(ws)["azurerm_managed_disk.data"]
    rid = (
        f"/subscriptions/{cloud.subscription}/resourceGroups/rg-disk/providers/Microsoft.Compute/disks/data1"
    )
    assert state["id"] == rid
    assert state["disk_size_gb"] == 32 and state["storage_account_type"] == "Premium_LRS"
    # computed by ARM from the tier and the size
    assert state["disk_iops_read_write"] > 0 and state["disk_mbps_read_write"] > 0
    assert cloud.tf.plan(ws).changed is False

    cloud.workspace(DISK % ("Premium_LRS", "Empty", 64))
    change = _changes(cloud.plan_json(ws))["azurerm_managed_disk.data"]
    assert change["actions"] == ["update"]
    cloud.tf.apply(ws)
    compute = client(ComputeManagementClient, cloud.endpoint(upn="t@example.com"))
    assert compute.disks.get("rg-disk", "data1").disk_size_gb == 64

    # Shrinking plans as an update (as in azurerm) and ARM refuses it.
    cloud.workspace(DISK % ("Premium_LRS", "Empty", 16))
    outcome = cloud.tf.run(["apply", "-auto-approve", "-no-color"], ws)
    assert outcome.rc != 0
    assert "OperationNotAllowed" in outcome.stderr + outcome.stdout
    assert compute.disks.get("rg-disk", "data1").disk_size_gb == 64

    cloud.workspace(DISK % ("Standard_LRS", "Copy", 64))
    change = _changes(cloud.plan_json(ws))["azurerm_managed_disk.data"]
    assert change["actions"] == ["delete", "create"]
    assert change["replace_paths"] == [["create_option"]]


def test_out_of_band_resize_is_drift_and_import_round_trips(cloud: Cloud) -> None:
    ws = cloud.workspace(DISK % ("StandardSSD_LRS", "Empty", 8))
    cloud.tf.apply(ws)
    compute = client(ComputeManagementClient, cloud.endpoint(upn="ops@example.com"))
    compute.disks.begin_update("rg-disk", "data1", cm.DiskUpdate(disk_size_gb=16)).result()

    plan = cloud.plan_json(ws, "-refresh-only")
    [drift] = plan["resource_drift"]
    assert drift["address"] == "azurerm_managed_disk.data"
    assert drift["change"]["before"]["disk_size_gb"] == 8
    assert drift["change"]["after"]["disk_size_gb"] == 16

    rid = compute.disks.get("rg-disk", "data1").id
    imported = cloud.workspace(
        f"""
import {{
  to = azurerm_managed_disk.data
  id = "{rid}"
}}
""",
        name="imported",
    )
    cloud.tf.run(["plan", "-generate-config-out=generated.tf", "-no-color"], imported)
    generated = (imported / "generated.tf").read_text()
    assert "storage_account_type" in generated and "disk_size_gb" in generated
    [change] = cloud.plan_json(imported)["resource_changes"]
    assert change["change"]["actions"] == ["no-op"]
    assert change["change"]["importing"]["id"] == rid
