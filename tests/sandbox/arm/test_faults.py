"""Fault injection at runtime: throttling, latency and server errors, and the SDKs' own retries."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.network import NetworkManagementClient

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
