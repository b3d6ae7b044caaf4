"""Microsoft.Network/routeTables and routes in the sandbox, through the real azure-mgmt-network client."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.network import models as nm

LOCATION = "westeurope"


def _table(az: Any, group: str, name: str = "rt1", *routes: nm.Route) -> nm.RouteTable:
    model = nm.RouteTable(location=LOCATION, routes=list(routes))
    return az.network.route_tables.begin_create_or_update(group, name, model).result()


def _route(name: str, prefix: str, hop: str, address: str | None = None) -> nm.Route:
    return nm.Route(name=name, address_prefix=prefix, next_hop_type=hop, next_hop_ip_address=address)


def _code(call: Any) -> tuple[int, str]:
    with pytest.raises(HttpResponseError) as e:
        call()
    return e.value.status_code, e.value.error.code


def test_route_table_with_routes_inline_and_alone(az: Any, group: str) -> None:
    table = _table(
        az,
        group,
        "rt1",
        _route("to-firewall", "0.0.0.0/0", "VirtualAppliance", "10.0.2.4"),
        _route("storage", "Storage", "Internet"),  # a service tag, not a CIDR
    )
    assert table.id == az.arm.path(group, "Microsoft.Network/routeTables", "rt1")
    assert table.disable_bgp_route_propagation is False  # ARM's default
    assert table.resource_guid and table.etag
    assert [(r.name, r.next_hop_ip_address) for r in table.routes] == [
        ("to-firewall", "10.0.2.4"),
        ("storage", None),
    ]
    assert table.routes[0].id == f"{table.id}/routes/to-firewall"

    routes = az.network.routes
    added = routes.begin_create_or_update(
        group, "rt1", "onprem", _route("onprem", "192.168.0.0/16", "VirtualNetworkGateway")
    ).result()
    assert added.id == f"{table.id}/routes/onprem" and added.provisioning_state == "Succeeded"
    assert az.names(routes.list(group, "rt1")) == ["onprem", "storage", "to-firewall"]
    # Changing the hop type replaces the route's properties: the appliance address goes with it.
    moved = routes.begin_create_or_update(
        group, "rt1", "to-firewall", _route("to-firewall", "0.0.0.0/0", "Internet")
    ).result()
    assert (moved.next_hop_type, moved.next_hop_ip_address) == ("Internet", None)
    routes.begin_delete(group, "rt1", "onprem").result()
    assert az.names(routes.list(group, "rt1")) == ["storage", "to-firewall"]

    updated = az.network.route_tables.begin_create_or_update(
        group, "rt1", nm.RouteTable(location=LOCATION, disable_bgp_route_propagation=True, routes=[])
    ).result()
    assert updated.disable_bgp_route_propagation is True and updated.routes == []
    assert updated.resource_guid == table.resource_guid


def test_routes_are_checked_as_arm_does(az: Any, group: str) -> None:
    _table(az, group)
    put = az.network.routes.begin_create_or_update

    def route(*args: Any) -> Any:
        return lambda: put(group, "rt1", "r", _route("r", *args)).result()

    assert _code(route("0.0.0.0/0", "VirtualAppliance")) == (400, "NextHopIpAddressRequired")
    assert _code(route("0.0.0.0/0", "VirtualAppliance", "10.0.0.999")) == (400, "InvalidNextHopIpAddress")
    assert _code(route("0.0.0.0/0", "Internet", "10.0.2.4")) == (400, "NextHopIpAddressNotAllowed")
    assert _code(route("10.0.0.1/16", "VnetLocal")) == (400, "InvalidCIDRNotation")
    assert _code(route("10.0.0.0/16", "Firewall")) == (400, "InvalidParameter")
    assert list(az.network.routes.list(group, "rt1")) == []


def test_subnet_association_back_reference_and_in_use(az: Any, group: str) -> None:
    table = _table(az, group, "rt1", _route("default", "0.0.0.0/0", "Internet"))
    az.vnet(group)
    subnets = az.network.subnets
    subnet = subnets.get(group, "vnet1", "default")
    subnet.route_table = nm.RouteTable(id=table.id)
    subnets.begin_create_or_update(group, "vnet1", "default", subnet).result()

    assert subnets.get(group, "vnet1", "default").route_table.id == table.id
    assert [s.id for s in az.network.route_tables.get(group, "rt1").subnets] == [az.subnet_id(group)]
    assert _code(lambda: az.network.route_tables.begin_delete(group, "rt1").result()) == (
        400,
        "InUseRouteTableCannotBeDeleted",
    )
    missing = nm.Subnet(
        address_prefix="10.0.9.0/24",
        route_table=nm.RouteTable(id=az.arm.path(group, "Microsoft.Network/routeTables", "nope")),
    )
    assert _code(lambda: subnets.begin_create_or_update(group, "vnet1", "other", missing).result()) == (
        400,
        "InvalidResourceReference",
    )

    # The JSON as read, back-references included, PUT back whole (as azurerm's update does).
    raw = az.arm.request("GET", table.id).json()
    assert raw["properties"]["subnets"] == [{"id": az.subnet_id(group)}]
    assert az.arm.request("PUT", table.id, raw).status_code == 200

    subnet = subnets.get(group, "vnet1", "default")
    subnet.route_table = None
    subnets.begin_create_or_update(group, "vnet1", "default", subnet).result()
    assert az.network.route_tables.get(group, "rt1").subnets is None  # not frozen by the PUT above
    az.network.route_tables.begin_delete(group, "rt1").result()
    assert list(az.network.route_tables.list(group)) == []
