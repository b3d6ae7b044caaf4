"""Asynchronous long-running operations, as ARM runs them: Azure-AsyncOperation, Retry-After, polling."""

from __future__ import annotations

import time

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.compute import models as cm
from azure.mgmt.network import models as nm

DELAY = 0.2
VNET_BODY = {
    "location": "westeurope",
    "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
}


@pytest.fixture
def async_mode(az):
    reply = az.admin("PUT", "settings", {"asyncOperations": True, "operationDelay": DELAY})
    assert reply.status_code == 200 and reply.json()["asyncOperations"] is True
    yield
    az.admin("PUT", "settings", {"asyncOperations": False})


def _poll(az, url: str) -> list[str]:
    seen = []
    for _ in range(50):
        status = az.arm.session.get(url, timeout=10).json()["status"]
        seen.append(status)
        if status != "InProgress":
            return seen
        time.sleep(DELAY / 4)
    raise AssertionError(f"operation never finished: {seen}")


def test_put_returns_201_and_an_operation_to_poll(az, group, async_mode):
    path = az.arm.path(group, "Microsoft.Network/virtualNetworks", "vnet1")
    created = az.arm.request("PUT", path, VNET_BODY)
    assert created.status_code == 201
    assert created.headers["Retry-After"] == "1"
    operation = created.headers["Azure-AsyncOperation"]
    assert operation.startswith(
        f"{az.sandbox.url}/subscriptions/{az.subscription}/providers/Microsoft.Network/"
    )
    assert created.json()["properties"]["provisioningState"] == "Creating"
    assert az.arm.request("GET", path).json()["properties"]["provisioningState"] == "Creating"

    seen = _poll(az, operation)
    assert seen[0] == "InProgress" and seen[-1] == "Succeeded"
    assert az.arm.request("GET", path).json()["properties"]["provisioningState"] == "Succeeded"

    updated = az.arm.request("PATCH", path, {"tags": {"a": "b"}})
    assert updated.status_code == 200 and updated.json()["properties"]["provisioningState"] == "Updating"
    assert _poll(az, updated.headers["Azure-AsyncOperation"])[-1] == "Succeeded"
    assert az.arm.request("GET", path).json()["properties"]["provisioningState"] == "Succeeded"


def test_sdk_pollers_complete(az, group, async_mode):
    started = time.monotonic()
    vnet = az.vnet(group)
    assert vnet.provisioning_state == "Succeeded"
    assert time.monotonic() - started >= DELAY  # the poller waited for the operation

    disk = az.compute.disks.begin_create_or_update(
        group,
        "data1",
        cm.Disk(location="westeurope", creation_data=cm.CreationData(create_option="Empty"), disk_size_gb=8),
    ).result()
    assert disk.provisioning_state == "Succeeded" and disk.disk_size_gb == 8

    tagged = az.network.virtual_networks.update_tags(group, "vnet1", nm.TagsObject(tags={"x": "y"}))
    assert tagged.tags == {"x": "y"}


def test_async_delete(az, group, async_mode):
    path = az.arm.path(group, "Microsoft.Network/virtualNetworks", "vnet1")
    assert (
        _poll(az, az.arm.request("PUT", path, VNET_BODY).headers["Azure-AsyncOperation"])[-1] == "Succeeded"
    )

    deleting = az.arm.request("DELETE", path)
    assert deleting.status_code == 202
    assert deleting.headers["Retry-After"] == "1" and "Location" in deleting.headers
    assert az.arm.request("GET", path).json()["properties"]["provisioningState"] == "Deleting"
    location = deleting.headers["Location"]
    assert az.arm.session.get(location, timeout=10).status_code == 202
    time.sleep(DELAY * 1.5)
    assert az.arm.session.get(location, timeout=10).status_code == 204
    assert az.arm.request("GET", path).status_code == 404

    az.public_ip(group)
    az.network.public_ip_addresses.begin_delete(group, "pip1").result()
    with pytest.raises(ResourceNotFoundError):
        az.network.public_ip_addresses.get(group, "pip1")


def test_an_async_delete_that_cannot_finish_fails_alone(az, group, async_mode):
    path = az.arm.path(group, "Microsoft.Network/virtualNetworks", "vnet1")
    body = {
        **VNET_BODY,
        "properties": {
            **VNET_BODY["properties"],
            "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.1.0/24"}}],
        },
    }
    assert _poll(az, az.arm.request("PUT", path, body).headers["Azure-AsyncOperation"])[-1] == "Succeeded"
    deleting = az.arm.request("DELETE", path)
    assert deleting.status_code == 202
    # While the delete runs, a NIC moves into the subnet: the delete must fail, and only the delete.
    nic = {
        "location": "westeurope",
        "properties": {
            "ipConfigurations": [{"name": "ip", "properties": {"subnet": {"id": f"{path}/subnets/default"}}}]
        },
    }
    nic_path = az.arm.path(group, "Microsoft.Network/networkInterfaces", "nic1")
    assert az.arm.request("PUT", nic_path, nic).status_code == 201
    time.sleep(DELAY * 1.5)

    assert az.arm.request("GET", nic_path).status_code == 200  # other requests are unaffected
    status = az.arm.session.get(deleting.headers["Azure-AsyncOperation"], timeout=10).json()
    assert status["status"] == "Failed"
    assert status["error"]["code"] == "InUseSubnetCannotBeDeleted"
    vnet = az.arm.request("GET", path)
    assert vnet.status_code == 200 and vnet.json()["properties"]["provisioningState"] == "Failed"
    assert az.arm.session.get(deleting.headers["Location"], timeout=10).status_code == 400


def test_pollers_are_told_when_to_come_back(az, group, async_mode):
    path = az.arm.path(group, "Microsoft.Network/virtualNetworks", "vnet1")
    operation = az.arm.request("PUT", path, VNET_BODY).headers["Azure-AsyncOperation"]
    in_progress = az.arm.session.get(operation, timeout=10)
    assert in_progress.json()["status"] == "InProgress" and in_progress.headers["Retry-After"] == "1"
    time.sleep(DELAY * 1.5)
    done = az.arm.session.get(operation, timeout=10)
    assert done.json()["status"] == "Succeeded" and "Retry-After" not in done.headers
