"""Fault injection at runtime: throttling, latency and server errors, and the SDKs' own retries."""

from __future__ import annotations

import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as cm
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as nm
from azure.mgmt.resource.resources.models import ResourceGroupPatchable

from providers.azure.sdk import client


def _rules(az) -> list[dict]:
    return az.admin("GET", "faults").json()["rules"]


def test_throttling_is_retried_by_the_sdk(az, group):
    az.vnet(group)
    rule = az.admin("POST", "faults", {"status": 429, "rate": 1.0, "count": 2, "retry_after": 0})
    assert rule.status_code == 201

    raw = az.arm.request("GET", az.arm.path(group, "Microsoft.Network/virtualNetworks", "vnet1"))
    assert raw.status_code == 429 and raw.json()["error"]["code"] == "TooManyRequests"
    assert raw.headers["Retry-After"] == "0"

    network = client(NetworkManagementClient, az.endpoint, retry_backoff_factor=0.01)
    assert network.virtual_networks.get(group, "vnet1").name == "vnet1"  # one more 429, then through
    assert _rules(az)[0]["injected"] == 2
    assert az.arm.request("GET", az.arm.path(group, "Microsoft.Network/virtualNetworks", "vnet1")).ok


def test_retry_after_is_honoured(az, group):
    az.vnet(group)
    az.admin("POST", "faults", {"status": 503, "count": 1, "retry_after": 1, "methods": ["GET"]})
    started = time.monotonic()
    assert az.network.virtual_networks.get(group, "vnet1").name == "vnet1"
    assert time.monotonic() - started >= 1.0


def test_a_failed_write_is_retried_once_and_lands_once(az, group):
    az.admin("POST", "faults", {"status": 500, "count": 1, "methods": ["PUT"], "type": "Microsoft.Network"})
    network = client(NetworkManagementClient, az.endpoint, retry_backoff_factor=0.01)
    since = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    vnet = network.virtual_networks.begin_create_or_update(
        group,
        "vnet1",
        {"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}},
    ).result()
    assert vnet.provisioning_state == "Succeeded"
    events = az.monitor.activity_logs.list(
        filter=f"eventTimestamp ge '{since}' and resourceUri eq '{vnet.id}'"
    )
    assert [e.status.value for e in events if e.event_name.value == "EndRequest"] == ["Succeeded"]


def test_latency_by_path(az, group):
    az.vnet(group)
    az.public_ip(group)
    az.admin("POST", "faults", {"path": "*/virtualnetworks/*", "latency_ms": 300})
    started = time.monotonic()
    az.network.virtual_networks.get(group, "vnet1")
    slow = time.monotonic() - started
    started = time.monotonic()
    az.network.public_ip_addresses.get(group, "pip1")
    fast = time.monotonic() - started
    assert slow >= 0.3 and slow - fast > 0.15  # only the matching path is slowed


def test_server_error_rate_and_clearing(az, group):
    az.public_ip(group)
    az.admin("POST", "faults", {"status": 500, "rate": 0.5, "type": "Microsoft.Network"})
    path = az.arm.path(group, "Microsoft.Network/publicIPAddresses", "pip1")
    statuses = [az.arm.request("GET", path).status_code for _ in range(40)]
    assert set(statuses) == {200, 500}
    assert 8 <= statuses.count(500) <= 32
    # Only the type the rule names is affected.
    assert all(
        az.arm.request("GET", az.arm.group_path(group), api_version="2024-03-01").ok for _ in range(10)
    )

    assert az.admin("DELETE", "faults").status_code == 204
    assert _rules(az) == []
    assert all(az.arm.request("GET", path).ok for _ in range(10))


def test_an_invalid_rule_is_refused(az):
    reply = az.admin("POST", "faults", {"status": 418})
    assert reply.status_code == 400
    assert az.admin("POST", "faults", {"rate": 2}).status_code == 400
    assert az.admin("POST", "faults", {"colour": "red"}).status_code == 400
    assert _rules(az) == []


def test_exhausted_retries_surface_the_error(az, group):
    az.admin("POST", "faults", {"status": 503, "retry_after": 0, "path": "*/resourcegroups/rg1"})
    resources = client(type(az.resources), az.endpoint, retry_total=1, retry_backoff_factor=0.01)
    with pytest.raises(HttpResponseError) as e:
        resources.resource_groups.get(group)
    assert e.value.status_code == 503 and e.value.error.code == "ServerBusy"


def _vms(az, group: str, subnet_id: str, *names: str) -> None:
    for name in names:
        az.vm(group, name, az.nic(group, f"{name}-nic", subnet_id).id)


def _resize(compute: ComputeManagementClient, group: str, name: str, size: str) -> cm.VirtualMachine:
    vm = compute.virtual_machines.get(group, name)
    vm.hardware_profile.vm_size = size
    return compute.virtual_machines.begin_create_or_update(group, name, vm).result()


def test_a_server_error_can_target_one_resources_writes(az, group, subnet_id):
    _vms(az, group, subnet_id, "vm-1", "vm-10")
    rule = {"path": "*/virtualmachines/vm-1", "methods": ["PUT"], "status": 500}
    assert az.admin("POST", "faults", rule).status_code == 201
    compute = client(ComputeManagementClient, az.endpoint, retry_total=0)

    with pytest.raises(HttpResponseError) as e:
        _resize(compute, group, "vm-1", "Standard_B2s")
    assert e.value.status_code == 500 and e.value.error.code == "InternalServerError"
    # Its reads, its other methods, its neighbours (even one whose name it prefixes) are untouched.
    assert compute.virtual_machines.get(group, "vm-1").hardware_profile.vm_size == "Standard_B1s"
    tagged = compute.virtual_machines.begin_update(group, "vm-1", cm.VirtualMachineUpdate(tags={"a": "b"}))
    assert tagged.result().tags == {"a": "b"}
    compute.virtual_machines.begin_power_off(group, "vm-1").result()
    assert _resize(compute, group, "vm-10", "Standard_B2s").hardware_profile.vm_size == "Standard_B2s"
    az.nic(group, "vm-1-nic", subnet_id)
    assert _rules(az)[0]["injected"] == 1


def test_an_ignored_property_is_written_in_the_answer_only(az, group, subnet_id):
    _vms(az, group, subnet_id, "vm-1", "vm-10")
    rule = {"path": "*/virtualmachines/vm-1", "ignore_properties": ["properties.hardwareProfile.vmSize"]}
    assert az.admin("POST", "faults", rule).json()["ignore_properties"] == [
        "properties.hardwareProfile.vmSize"
    ]
    vms = az.compute.virtual_machines

    vm = vms.get(group, "vm-1")
    vm.hardware_profile.vm_size = "Standard_B2s"
    vm.tags = {"resized": "yes"}
    answer = vms.begin_create_or_update(group, "vm-1", vm).result()
    assert answer.hardware_profile.vm_size == "Standard_B2s"  # the answer echoes the request
    later = vms.get(group, "vm-1")
    assert later.hardware_profile.vm_size == "Standard_B1s"  # the cloud kept the old size
    assert later.tags == {"resized": "yes"}  # and took the rest of the write

    patched = vms.begin_update(
        group, "vm-1", cm.VirtualMachineUpdate(hardware_profile=cm.HardwareProfile(vm_size="Standard_B4ms"))
    ).result()
    assert patched.hardware_profile.vm_size == "Standard_B4ms"
    assert vms.get(group, "vm-1").hardware_profile.vm_size == "Standard_B1s"
    assert _resize(az.compute, group, "vm-10", "Standard_B2s").hardware_profile.vm_size == "Standard_B2s"
    assert vms.get(group, "vm-10").hardware_profile.vm_size == "Standard_B2s"
    assert _rules(az)[0]["injected"] == 2

    # The Activity Log says the writes succeeded: only a read shows they did not take.
    since = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    events = az.monitor.activity_logs.list(filter=f"eventTimestamp ge '{since}' and resourceUri eq '{vm.id}'")
    assert {e.status.value for e in events if e.event_name.value == "EndRequest"} == {"Succeeded"}


def test_ignored_properties_of_groups_and_child_resources(az, group):
    az.admin("POST", "faults", {"path": "*/resourcegroups/rg1", "ignore_properties": ["tags.env"]})
    az.resources.resource_groups.update(group, ResourceGroupPatchable(tags={"env": "prod", "team": "a"}))
    assert az.resources.resource_groups.get(group).tags == {"team": "a"}  # env never existed: still absent

    az.vnet(group, "vnet1", ("default", "10.0.1.0/24"))
    az.admin(
        "POST", "faults", {"path": "*/subnets/default", "ignore_properties": ["properties.addressPrefix"]}
    )
    answer = az.network.subnets.begin_create_or_update(
        group, "vnet1", "default", nm.Subnet(address_prefix="10.0.2.0/24")
    ).result()
    assert answer.address_prefix == "10.0.2.0/24"
    assert az.network.subnets.get(group, "vnet1", "default").address_prefix == "10.0.1.0/24"


def test_an_ignore_rule_for_reads_only_is_refused(az):
    reply = az.admin("POST", "faults", {"ignore_properties": ["properties.x"], "methods": ["GET"]})
    assert reply.status_code == 400 and "PUT or PATCH" in reply.json()["error"]["message"]
    assert az.admin("POST", "faults", {"ignore_properties": ["properties..x"]}).status_code == 400
    assert _rules(az) == []
