"""Microsoft.Network/natGateways in the sandbox, through the real azure-mgmt-network client."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.network import models as nm

LOCATION = "westeurope"


def _gateway(az: Any, group: str, *public_ip_ids: str, **fields: Any) -> nm.NatGateway:
    model = nm.NatGateway(
        location=LOCATION,
        public_ip_addresses=[nm.SubResource(id=i) for i in public_ip_ids],
        **fields,
    )
    return az.network.nat_gateways.begin_create_or_update(group, "nat1", model).result()


def _code(call: Any) -> tuple[int, str]:
    with pytest.raises(HttpResponseError) as e:
        call()
    return e.value.status_code, e.value.error.code


def test_nat_gateway_holds_public_ips_and_serves_subnets(az: Any, group: str) -> None:
    pip = az.public_ip(group, "pip1")
    gateway = _gateway(az, group, pip.id, zones=["1"])
    assert gateway.id == az.arm.path(group, "Microsoft.Network/natGateways", "nat1")
    assert (gateway.sku.name, gateway.idle_timeout_in_minutes) == ("Standard", 4)  # ARM's defaults
    assert [p.id for p in gateway.public_ip_addresses] == [pip.id]
    assert gateway.resource_guid and gateway.zones == ["1"]
    # The public IP reports who holds it, and cannot go while held.
    assert az.network.public_ip_addresses.get(group, "pip1").nat_gateway.id == gateway.id
    assert _code(lambda: az.network.public_ip_addresses.begin_delete(group, "pip1").result()) == (
        400,
        "PublicIPAddressCannotBeDeleted",
    )

    az.vnet(group)
    subnet = az.network.subnets.get(group, "vnet1", "default")
    subnet.nat_gateway = nm.SubResource(id=gateway.id)
    az.network.subnets.begin_create_or_update(group, "vnet1", "default", subnet).result()
    read = az.network.nat_gateways.get(group, "nat1")
    assert [s.id for s in read.subnets] == [az.subnet_id(group)]
    assert _code(lambda: az.network.nat_gateways.begin_delete(group, "nat1").result()) == (
        400,
        "InUseNatGatewayCannotBeDeleted",
    )
    # PUTting back the JSON as read (its read-only subnets included, as azurerm does) changes the
    # timeout and nothing else; the zones cannot change in place.
    raw = az.arm.request("GET", gateway.id).json()
    raw["properties"]["idleTimeoutInMinutes"] = 10
    assert az.arm.request("PUT", gateway.id, raw).status_code == 200
    updated = az.network.nat_gateways.get(group, "nat1")
    assert (updated.idle_timeout_in_minutes, updated.resource_guid) == (10, gateway.resource_guid)
    raw["zones"] = ["2"]
    assert az.arm.request("PUT", gateway.id, raw).json()["error"]["code"] == "PropertyChangeNotAllowed"

    subnet = az.network.subnets.get(group, "vnet1", "default")
    subnet.nat_gateway = None
    az.network.subnets.begin_create_or_update(group, "vnet1", "default", subnet).result()
    assert az.network.nat_gateways.get(group, "nat1").subnets is None
    az.network.nat_gateways.begin_delete(group, "nat1").result()
    assert az.network.public_ip_addresses.get(group, "pip1").nat_gateway is None
    az.network.public_ip_addresses.begin_delete(group, "pip1").result()


def test_public_ips_a_nat_gateway_cannot_use(az: Any, group: str) -> None:
    basic = nm.PublicIPAddress(
        location=LOCATION, sku=nm.PublicIPAddressSku(name="Basic"), public_ip_allocation_method="Static"
    )
    basic_id = az.network.public_ip_addresses.begin_create_or_update(group, "basic", basic).result().id
    assert _code(lambda: _gateway(az, group, basic_id)) == (400, "PublicIpWithBasicSkuNotAllowedOnNatGateway")

    taken = az.public_ip(group, "taken")
    az.vnet(group)
    az.nic(group, "nic1", az.subnet_id(group), public_ip_id=taken.id)
    assert _code(lambda: _gateway(az, group, taken.id)) == (400, "PublicIPAddressInUse")

    missing = az.arm.path(group, "Microsoft.Network/publicIPAddresses", "nope")
    assert _code(lambda: _gateway(az, group, missing)) == (400, "InvalidResourceReference")
    assert _code(lambda: _gateway(az, group, idle_timeout_in_minutes=121)) == (400, "InvalidParameter")
    assert list(az.network.nat_gateways.list(group)) == []

    first = _gateway(az, group, az.public_ip(group, "pip1").id)
    second = nm.NatGateway(
        location=LOCATION, public_ip_addresses=[nm.SubResource(id=first.public_ip_addresses[0].id)]
    )
    assert _code(lambda: az.network.nat_gateways.begin_create_or_update(group, "nat2", second).result()) == (
        400,
        "PublicIPAddressInUse",
    )
