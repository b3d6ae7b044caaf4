"""Inbound NAT rules of Microsoft.Network/loadBalancers, through the real azure-mgmt-network client."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.network import models as nm

LOCATION = "westeurope"


def _balancer(az: Any, group: str, *nat_rules: nm.InboundNatRule) -> nm.LoadBalancer:
    pip = az.public_ip(group, "pip1")
    model = nm.LoadBalancer(
        location=LOCATION,
        sku=nm.LoadBalancerSku(name="Standard"),
        frontend_ip_configurations=[
            nm.FrontendIPConfiguration(name="fe", public_ip_address=nm.PublicIPAddress(id=pip.id))
        ],
        backend_address_pools=[nm.BackendAddressPool(name="pool")],
        inbound_nat_rules=list(nat_rules),
    )
    return az.network.load_balancers.begin_create_or_update(group, "lb1", model).result()


def _rule(lb_id: str, name: str, **fields: Any) -> nm.InboundNatRule:
    frontend = nm.SubResource(id=f"{lb_id}/frontendIPConfigurations/fe")
    return nm.InboundNatRule(name=name, frontend_ip_configuration=frontend, **{"protocol": "Tcp", **fields})


def _code(call: Any) -> tuple[int, str]:
    with pytest.raises(HttpResponseError) as e:
        call()
    return e.value.status_code, e.value.error.code


def test_inbound_nat_rules_inline_alone_and_in_use(az: Any, group: str) -> None:
    lb_id = az.arm.path(group, "Microsoft.Network/loadBalancers", "lb1")
    lb = _balancer(az, group, _rule(lb_id, "ssh", frontend_port=50001, backend_port=22))
    ssh = lb.inbound_nat_rules[0]
    assert ssh.id == f"{lb_id}/inboundNatRules/ssh"
    assert (ssh.idle_timeout_in_minutes, ssh.enable_floating_ip, ssh.enable_tcp_reset) == (4, False, False)
    assert [r.id for r in lb.frontend_ip_configurations[0].inbound_nat_rules] == [ssh.id]

    rules = az.network.inbound_nat_rules
    pool = nm.SubResource(id=f"{lb_id}/backendAddressPools/pool")
    ranged = _rule(
        lb_id, "rdp", frontend_port_range_start=3390, frontend_port_range_end=3399, backend_port=3389
    )
    ranged.backend_address_pool = pool
    rules.begin_create_or_update(group, "lb1", "rdp", ranged).result()
    assert az.names(rules.list(group, "lb1")) == ["rdp", "ssh"]
    read = az.network.load_balancers.get(group, "lb1")
    assert [r.id for r in read.backend_address_pools[0].inbound_nat_rules] == [f"{lb_id}/inboundNatRules/rdp"]

    # A NIC that uses the rule is its backend, and holds it.
    az.vnet(group)
    config = nm.NetworkInterfaceIPConfiguration(
        name="ipconfig1",
        subnet=nm.Subnet(id=az.subnet_id(group)),
        load_balancer_inbound_nat_rules=[nm.InboundNatRule(id=ssh.id)],
    )
    nic = az.network.network_interfaces.begin_create_or_update(
        group, "nic1", nm.NetworkInterface(location=LOCATION, ip_configurations=[config])
    ).result()
    assert rules.get(group, "lb1", "ssh").backend_ip_configuration.id == nic.ip_configurations[0].id
    assert _code(lambda: rules.begin_delete(group, "lb1", "ssh").result())[0] == 400
    rules.begin_delete(group, "lb1", "rdp").result()
    assert az.names(rules.list(group, "lb1")) == ["ssh"]


def test_inbound_nat_rules_are_checked_as_arm_does(az: Any, group: str) -> None:
    lb_id = az.arm.path(group, "Microsoft.Network/loadBalancers", "lb1")
    _balancer(az, group)
    pool = nm.SubResource(id=f"{lb_id}/backendAddressPools/pool")

    def put(**fields: Any) -> Any:
        rule = _rule(lb_id, "r", **fields)
        return lambda: az.network.inbound_nat_rules.begin_create_or_update(group, "lb1", "r", rule).result()

    assert _code(put(backend_port=22)) == (400, "InvalidInboundNatRule")  # no frontend port at all
    assert _code(put(frontend_port=22, backend_port=22, backend_address_pool=pool)) == (
        400,
        "InvalidInboundNatRule",
    )
    assert _code(put(frontend_port=22, backend_port=70000)) == (400, "InvalidInboundNatRulePort")
    assert _code(
        put(
            frontend_port_range_start=500,
            frontend_port_range_end=400,
            backend_port=22,
            backend_address_pool=pool,
        )
    ) == (400, "InvalidInboundNatRulePort")
    assert _code(put(frontend_port=22, backend_port=22, protocol="Icmp")) == (400, "InvalidParameter")
    assert list(az.network.inbound_nat_rules.list(group, "lb1")) == []
