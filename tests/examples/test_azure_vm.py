"""examples/azure-vm with the embedded engine: init, apply, clean plan, out-of-band deletion, destroy."""

from __future__ import annotations

from pathlib import Path

from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from providers.azure.sdk import Endpoint
from providers.azure.sdk import client
from providers.azure.sdk import sandbox_credential
from reconciler import scenario


def test_example_lifecycle_leaves_the_sandbox_empty(tmp_path: Path) -> None:
    with scenario.estate(tmp_path) as e:
        ws = e.workspace
        e.tf.init(ws)
        applied = e.tf.apply(ws)
        assert applied.summary.add == 24
        assert e.tf.plan(ws).changed is False

        endpoint = Endpoint(e.sandbox.url, e.subscription, sandbox_credential(upn="ops@contoso.com"))
        compute = client(ComputeManagementClient, endpoint)
        disks = {d.name for d in compute.disks.list_by_resource_group("demo-rg")}
        assert len([d for d in disks if "_OsDisk_" in d]) == 3  # each VM's OS disk is its own resource
        resources = client(ResourceManagementClient, endpoint)
        storage = f"{e.group_id()}/providers/Microsoft.Storage/storageAccounts/demodiag"
        resources.resources.begin_delete_by_id(storage, api_version="2023-01-01").result()

        plan = e.tf.show_plan_json(e.tf.plan(ws, out=Path("plan.tfplan")).planfile or ws, ws)
        actions = {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]}
        assert actions["azurerm_storage_account.diagnostics"] == ["create"]

        e.tf.destroy(ws)
        assert list(resources.resources.list()) == []
        assert list(resources.resource_groups.list()) == []
