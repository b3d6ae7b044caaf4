"""`reconcile sandbox az`: out-of-band changes land in the sandbox; the Activity Log names who made them."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.monitor import MonitorManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from providers.azure import apps
from providers.azure.sdk import Endpoint
from providers.azure.sdk import client
from providers.azure.sdk import sandbox_credential
from reconciler.cli import main
from sandbox.server import Sandbox
from sandbox.server import ServerInfo
from sandbox.server import write_server_info


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Sandbox, Path]]:
    data_dir = tmp_path / "sb"
    with Sandbox(data_dir) as sandbox:
        write_server_info(data_dir, ServerInfo(sandbox.url, os.getpid()))
        yield sandbox, data_dir


def _stack(sandbox: Sandbox) -> Endpoint:
    """A resource group with an NSG, a disk and a VM, created as Terraform's service principal would."""
    endpoint = Endpoint(sandbox.url, sandbox.identity.subscription, sandbox_credential(appid="terraform-sp"))
    client(ResourceManagementClient, endpoint).resource_groups.create_or_update(
        "rg", {"location": "westeurope"}
    )
    network = client(NetworkManagementClient, endpoint)
    vnet = network.virtual_networks.begin_create_or_update(
        "rg",
        "vnet",
        {
            "location": "westeurope",
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "subnets": [{"name": "s", "properties": {"addressPrefix": "10.0.1.0/24"}}],
            },
        },
    ).result()
    network.network_security_groups.begin_create_or_update("rg", "nsg", {"location": "westeurope"}).result()
    nic = network.network_interfaces.begin_create_or_update(
        "rg",
        "nic",
        {
            "location": "westeurope",
            "properties": {
                "ipConfigurations": [
                    {"name": "ip", "properties": {"subnet": {"id": vnet.properties.subnets[0].id}}}
                ]
            },
        },
    ).result()
    compute = client(ComputeManagementClient, endpoint)
    compute.disks.begin_create_or_update(
        "rg",
        "data",
        {
            "location": "westeurope",
            "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 32},
        },
    ).result()
    vm: dict[str, Any] = {
        "location": "westeurope",
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_B1s"},
            "storageProfile": {
                "imageReference": {
                    "publisher": "Canonical",
                    "offer": "ubuntu",
                    "sku": "22_04-lts",
                    "version": "latest",
                }
            },
            "osProfile": {
                "adminUsername": "azureuser",
                "linuxConfiguration": {
                    "disablePasswordAuthentication": True,
                    "ssh": {
                        "publicKeys": [
                            {"path": "/home/azureuser/.ssh/authorized_keys", "keyData": "ssh-ed25519 AAAA k"}
                        ]
                    },
                },
            },
            "networkProfile": {"networkInterfaces": [{"id": nic.id}]},
            "diagnosticsProfile": {"bootDiagnostics": {"enabled": True}},
        },
    }
    compute.virtual_machines.begin_create_or_update("rg", "vm", vm).result()
    return endpoint


def _az(data_dir: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code = main(["sandbox", "az", *args, "--data-dir", str(data_dir), "--as", "bob@contoso.com"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out) if out.strip() else {}


def test_verbs_change_the_cloud_as_the_cli_user(
    running: tuple[Sandbox, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, data_dir = running
    endpoint = _stack(sandbox)
    started = datetime.now(UTC) - timedelta(seconds=1)
    sub = sandbox.identity.subscription
    vm_id = f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"

    resized = _az(data_dir, "vm", "resize", "-g", "rg", "-n", "vm", "--size", "Standard_B2s", capsys=capsys)
    assert resized["properties"]["hardwareProfile"]["vmSize"] == "Standard_B2s"
    off = _az(data_dir, "vm", "boot-diagnostics", "disable", "-g", "rg", "-n", "vm", capsys=capsys)
    assert off["properties"]["diagnosticsProfile"]["bootDiagnostics"]["enabled"] is False
    grown = _az(data_dir, "disk", "update", "-g", "rg", "-n", "data", "--size-gb", "64", capsys=capsys)
    assert grown["properties"]["diskSizeGB"] == 64
    tagged = _az(
        data_dir, "tag", "add", "--resource-id", vm_id, "--tags", "owner=bob", "cost=42", capsys=capsys
    )
    assert tagged["tags"] == {"owner": "bob", "cost": "42"}
    rule = _az(
        data_dir, "network", "nsg", "rule", "create", "-g", "rg", "--nsg-name", "nsg", "-n", "ssh",
        "--priority", "200", "--destination-port-ranges", "22", capsys=capsys,
    )  # fmt: skip
    assert rule["properties"]["destinationPortRange"] == "22"

    compute = client(ComputeManagementClient, endpoint)
    assert compute.virtual_machines.get("rg", "vm").properties.hardware_profile.vm_size == "Standard_B2s"

    monitor = client(MonitorManagementClient, endpoint)
    events = [
        e
        for e in monitor.activity_logs.list(filter=f"eventTimestamp ge '{started.isoformat()}'")
        if e.event_name
        and e.event_name.value == "EndRequest"
        and (e.claims or {}).get("appid") != "terraform-sp"
    ]
    assert len(events) == 5
    assert {e.caller for e in events} == {"bob@contoso.com"}
    assert {(e.claims or {})["appid"] for e in events} == {apps.AZURE_CLI}

    _az(data_dir, "resource", "delete", "--ids", vm_id, capsys=capsys)
    assert [v.name for v in compute.virtual_machines.list("rg")] == []


def test_portal_identity_and_arm_errors(
    running: tuple[Sandbox, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, data_dir = running
    endpoint = _stack(sandbox)
    started = datetime.now(UTC) - timedelta(seconds=1)
    group_id = f"/subscriptions/{sandbox.identity.subscription}/resourceGroups/rg"
    code = main(["sandbox", "az", "tag", "add", "--resource-id", group_id, "--tags", "x=1", "--via", "portal",
                 "--data-dir", str(data_dir), "--as", "alice@contoso.com"])  # fmt: skip
    assert code == 0
    capsys.readouterr()
    [event] = [
        e
        for e in client(MonitorManagementClient, endpoint).activity_logs.list(
            filter=f"eventTimestamp ge '{started.isoformat()}'"
        )
        if e.event_name
        and e.event_name.value == "EndRequest"
        and (e.claims or {}).get("appid") != "terraform-sp"
    ]
    assert (event.caller, (event.claims or {})["appid"]) == ("alice@contoso.com", apps.AZURE_PORTAL)

    # Shrinking a disk is refused by ARM: one line with ARM's code, exit 1.
    code = main(["sandbox", "az", "disk", "update", "-g", "rg", "-n", "data", "--size-gb", "8",
                 "--data-dir", str(data_dir)])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "OperationNotAllowed" in err[0]
