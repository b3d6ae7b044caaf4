"""Resource Graph through the real SDK: queries over what ARM wrote, paging by skip token."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.network import models as nm
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest
from azure.mgmt.resourcegraph.models import QueryRequestOptions

from providers.azure.sdk import client


def _query(az, query: str, **options) -> tuple[list[dict], object]:
    response = az.graph.resources(
        QueryRequest(subscriptions=[az.subscription], query=query, options=QueryRequestOptions(**options))
    )
    return response.data, response


def test_resources_written_through_arm_show_up(az, group, subnet_id):
    nic = az.nic(group, "nic1", subnet_id)
    az.vm(group, "vm1", nic.id)
    other = az.group("Other-RG")
    az.vnet(other, "vnet9")
    az.network.virtual_networks.update_tags(other, "vnet9", nm.TagsObject(tags={"env": "prod"}))

    rows, response = _query(az, "Resources | where type =~ 'Microsoft.Network/virtualNetworks'")
    assert response.total_records == 2 and response.count == 2
    assert sorted(r["name"] for r in rows) == ["vnet1", "vnet9"]
    vnet9 = next(r for r in rows if r["name"] == "vnet9")
    assert vnet9["resourceGroup"] == "other-rg"  # Resource Graph lowercases groups and types
    assert vnet9["type"] == "microsoft.network/virtualnetworks"
    assert vnet9["subscriptionId"] == az.subscription
    assert vnet9["tags"] == {"env": "prod"}
    assert vnet9["properties"]["addressSpace"]["addressPrefixes"] == ["10.0.0.0/16"]

    rows, _ = _query(
        az, f"Resources | where resourceGroup =~ '{group}' | project name, type | order by name asc"
    )
    names = [r["name"] for r in rows]
    assert names[:2] == ["nic1", "vm1"] and names[2].startswith("vm1_OsDisk_") and names[3:] == ["vnet1"]
    assert set(rows[0]) == {"name", "type"}

    rows, _ = _query(
        az, f"Resources | where subscriptionId == '{az.subscription}' and type =~ 'microsoft.compute/disks'"
    )
    assert len(rows) == 1 and rows[0]["managedBy"].endswith("/virtualMachines/vm1")

    az.network.virtual_networks.begin_delete(other, "vnet9").result()
    rows, _ = _query(az, "Resources | where type =~ 'microsoft.network/virtualnetworks'")
    assert [r["name"] for r in rows] == ["vnet1"]


def test_paging_with_skip_token(az, group):
    for i in range(7):
        az.public_ip(group, f"pip{i}")
    query = "Resources | where type =~ 'microsoft.network/publicipaddresses' | order by name asc"
    rows, response = _query(az, query, top=3)
    pages = [[r["name"] for r in rows]]
    while response.skip_token:
        rows, response = _query(az, query, top=3, skip_token=response.skip_token)
        pages.append([r["name"] for r in rows])
    assert pages == [["pip0", "pip1", "pip2"], ["pip3", "pip4", "pip5"], ["pip6"]]
    assert response.total_records == 7


def test_a_bad_query_is_a_bad_request(az):
    with pytest.raises(HttpResponseError) as e:
        _query(az, "Resources | where")
    assert e.value.status_code == 400


def test_paging_from_many_threads_while_the_cloud_changes(az, group):
    for i in range(12):
        az.public_ip(group, f"pip{i:02}")
    queries = [
        "Resources | where type =~ 'microsoft.network/publicipaddresses' | order by name asc",
        "Resources | where name startswith 'pip0' | order by name asc | project name",
        "Resources | order by name asc | project name, type",
    ]
    stop = threading.Event()

    def writer() -> None:
        # New resources land between pages; each paging must still read the result it started.
        n = 0
        while not stop.is_set():
            az.public_ip(group, f"late{n:03}")
            n += 1

    def pager(k: int) -> list[str]:
        graph = client(ResourceGraphClient, az.endpoint)
        problems = []
        for round_ in range(4):
            query = queries[(k + round_) % len(queries)]
            request = QueryRequest(subscriptions=[az.subscription], query=query)
            request.options = QueryRequestOptions(top=2)
            response = graph.resources(request)
            names = [r["name"] for r in response.data]
            total = response.total_records
            while response.skip_token:
                request.options = QueryRequestOptions(top=2, skip_token=response.skip_token)
                response = graph.resources(request)
                names += [r["name"] for r in response.data]
                if response.total_records != total:
                    problems.append(f"{query}: total changed from {total} to {response.total_records}")
            if names != sorted(set(names)) or len(names) != total:
                problems.append(f"{query}: {len(names)} rows of {total}, in order: {names == sorted(names)}")
        return problems

    background = threading.Thread(target=writer)
    background.start()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            problems = [p for result in pool.map(pager, range(8)) for p in result]
    finally:
        stop.set()
        background.join()
    assert problems == []
    cursors = az.sandbox.app.cloud.graph.cursors
    assert 0 < len(cursors) <= cursors.capacity


def test_an_expired_or_forged_skip_token_is_a_bad_request(az, group):
    for i in range(3):
        az.public_ip(group, f"pip{i}")
    for token in ("nope", "0123456789abcdef:2", "a:b:c"):
        with pytest.raises(HttpResponseError) as e:
            _query(az, "Resources", top=1, skip_token=token)
        assert e.value.status_code == 400 and "$skipToken" in e.value.error.message
