from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.network import models as nm

from providers.azure.apps import AZURE_CLI as AZURE_CLI_APP_ID
from providers.azure.apps import AZURE_PORTAL as AZURE_PORTAL_APP_ID


def _since() -> str:
    return (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _events(az, clause: str) -> list:
    return list(az.monitor.activity_logs.list(filter=f"eventTimestamp ge '{_since()}' and {clause}"))


def test_writes_are_logged_with_the_callers_claims(az, group):
    vnet = az.vnet(group)
    az.network.virtual_networks.update_tags(group, "vnet1", nm.TagsObject(tags={"a": "b"}))
    az.network.virtual_networks.get(group, "vnet1")  # reads are not logged

    events = _events(az, f"resourceUri eq '{vnet.id}'")
    end = [e for e in events if e.event_name.value == "EndRequest"]
    assert len(end) == 2 and len(events) == 4
    for event in events:
        assert event.caller == "alice@example.com"
        assert event.claims["upn"] == "alice@example.com"
        assert event.claims["appid"] == AZURE_CLI_APP_ID
        assert event.operation_name.value == "Microsoft.Network/virtualNetworks/write"
        assert event.resource_id == vnet.id
        assert event.resource_group_name == group
        assert event.subscription_id == az.subscription
        assert event.category.value == "Administrative"
        assert event.http_request.client_request_id  # the SDK's x-ms-client-request-id
        assert event.correlation_id
    assert [e.status.value for e in end] == ["Succeeded", "Succeeded"]
    assert end[0].event_timestamp >= end[1].event_timestamp  # newest first
    assert {e.http_request.method for e in end} == {"PUT", "PATCH"}


def test_failed_writes_are_logged_as_failed(az, group):
    az.vnet(group)
    with pytest.raises(HttpResponseError):
        az.network.subnets.begin_create_or_update(
            group, "vnet1", "far", nm.Subnet(address_prefix="192.168.0.0/24")
        ).result()
    subnet = az.subnet_id(group, subnet="far")
    end = [e for e in _events(az, f"resourceUri eq '{subnet}'") if e.event_name.value == "EndRequest"]
    assert len(end) == 1
    assert end[0].status.value == "Failed" and end[0].level == "Error"
    assert end[0].properties["statusCode"] == "400"
    assert "NetcfgSubnetRangeOutsideVnet" in end[0].properties["statusMessage"]


def test_deletes_actions_and_group_filters(az, group, subnet_id):
    nic = az.nic(group, "nic1", subnet_id)
    vm = az.vm(group, "vm1", nic.id)
    az.compute.virtual_machines.begin_power_off(group, "vm1").result()
    az.compute.virtual_machines.begin_delete(group, "vm1").result()
    other = az.group("other")
    az.vnet(other)

    ops = [
        e.operation_name.value
        for e in _events(az, f"resourceUri eq '{vm.id}'")
        if e.event_name.value == "EndRequest"
    ]
    assert ops == [
        "Microsoft.Compute/virtualMachines/delete",
        "Microsoft.Compute/virtualMachines/powerOff/action",
        "Microsoft.Compute/virtualMachines/write",
    ]
    in_group = _events(az, f"resourceGroupName eq '{group}'")
    assert {e.resource_group_name for e in in_group} == {group}
    assert any(e.resource_id == nic.id for e in in_group)
    assert not any("/resourceGroups/other" in e.resource_id for e in in_group)


def test_the_portal_and_the_cli_are_told_apart(az, as_caller, group):
    portal = as_caller(upn="bob@example.com", appid=AZURE_PORTAL_APP_ID, oid="b0b")
    vnet = portal.vnet(group, "portal-vnet")
    az.network.virtual_networks.update_tags(group, "portal-vnet", nm.TagsObject(tags={"fixed": "cli"}))
    end = [e for e in _events(az, f"resourceUri eq '{vnet.id}'") if e.event_name.value == "EndRequest"]
    assert [(e.caller, e.claims["appid"]) for e in end] == [
        ("alice@example.com", AZURE_CLI_APP_ID),
        ("bob@example.com", AZURE_PORTAL_APP_ID),
    ]


def test_a_filter_without_a_start_time_is_refused(az):
    with pytest.raises(HttpResponseError) as e:
        list(az.monitor.activity_logs.list(filter="resourceGroupName eq 'x'"))
    assert e.value.status_code == 400
