"""Request bodies ARM refuses are refused with ARM's error, as JSON, and leave nothing behind."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.resource.resources.models import GenericResource

from sandbox.arm.endpoints.wire import MAX_BODY_BYTES
from sandbox.arm.endpoints.wire import MAX_DEPTH

GROUP_API = "2024-03-01"


def _error(response) -> tuple[int, str]:
    assert response.headers["Content-Type"].startswith("application/json")
    return response.status_code, response.json()["error"]["code"]


def _padded(size: int) -> bytes:
    """A resource group body of exactly ``size`` bytes (the padding is a property groups ignore)."""
    body = {"location": "westeurope", "properties": {"padding": ""}}
    filler = size - len(json.dumps(body).encode())
    body["properties"]["padding"] = "x" * filler
    data = json.dumps(body).encode()
    assert len(data) == size
    return data


def _nested(depth: int) -> bytes:
    """A resource group body whose JSON nests ``depth`` levels deep, the outer object included."""
    inner = "[" * (depth - 2) + "]" * (depth - 2)
    return ('{"location": "westeurope", "properties": {"x": ' + inner + "}}").encode()


def test_a_body_over_four_megabytes_is_refused_with_413(az):
    path = az.arm.group_path("big")
    json_type = {"Content-Type": "application/json"}
    refused = az.arm.request(
        "PUT", path, data=_padded(MAX_BODY_BYTES + 1), api_version=GROUP_API, headers=json_type
    )
    assert _error(refused) == (413, "RequestContentTooLarge")
    assert "4 MB" in refused.json()["error"]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the size shows only while reading
        data = _padded(MAX_BODY_BYTES + 1024)
        for start in range(0, len(data), 256 * 1024):
            yield data[start : start + 256 * 1024]

    streamed = az.arm.request("PUT", path, data=chunks(), api_version=GROUP_API, headers=json_type)
    assert _error(streamed) == (413, "RequestContentTooLarge")
    assert list(az.resources.resource_groups.list()) == []

    fits = az.arm.request("PUT", path, data=_padded(MAX_BODY_BYTES), api_version=GROUP_API, headers=json_type)
    assert fits.status_code == 201


def test_the_sdk_sees_413_for_a_body_over_the_limit(az, group):
    vnet_id = az.arm.path(group, "Microsoft.Network/virtualNetworks", "vnet1")
    huge = GenericResource(
        location="westeurope",
        properties={"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "note": "x" * MAX_BODY_BYTES},
    )
    with pytest.raises(HttpResponseError) as e:
        az.resources.resources.begin_create_or_update_by_id(vnet_id, huge, api_version="2024-05-01").result()
    assert e.value.status_code == 413 and e.value.error.code == "RequestContentTooLarge"
    assert list(az.network.virtual_networks.list(group)) == []


def test_deeply_nested_json_is_invalid_request_content(az):
    path = az.arm.group_path("deep")
    json_type = {"Content-Type": "application/json"}
    for depth in (10_000, MAX_DEPTH + 1):
        refused = az.arm.request("PUT", path, data=_nested(depth), api_version=GROUP_API, headers=json_type)
        assert _error(refused) == (400, "InvalidRequestContent")
        assert f"MaxDepth of {MAX_DEPTH}" in refused.json()["error"]["message"]
    assert list(az.resources.resource_groups.list()) == []

    fits = az.arm.request("PUT", path, data=_nested(MAX_DEPTH), api_version=GROUP_API, headers=json_type)
    assert fits.status_code == 201


def test_refusals_reach_every_endpoint_that_reads_a_body(az):
    url = f"{az.sandbox.url}/providers/Microsoft.ResourceGraph/resources"
    deep = az.arm.session.post(
        url, params={"api-version": "2022-10-01"}, data=b'{"query": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    )
    assert _error(deep) == (400, "InvalidRequestContent")
    admin = az.arm.session.post(f"{az.sandbox.url}/_sandbox/faults", data=_padded(MAX_BODY_BYTES + 1))
    assert _error(admin) == (413, "RequestContentTooLarge")
    assert az.admin("GET", "faults").json()["rules"] == []
