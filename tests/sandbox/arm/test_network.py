from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.network import models as nm

LOCATION = "westeurope"


def _lb_model(az, group: str, pip_id: str, with_pool: bool = True) -> nm.LoadBalancer:
    lb_id = az.arm.path(group, "Microsoft.Network/loadBalancers", "lb1")
    return nm.LoadBalancer(
        location=LOCATION,
        sku=nm.LoadBalancerSku(name="Standard"),
        frontend_ip_configurations=[
            nm.FrontendIPConfiguration(name="fe", public_ip_address=nm.PublicIPAddress(id=pip_id))
        ],
        backend_address_pools=[nm.BackendAddressPool(name="pool")] if with_pool else [],
        probes=[nm.Probe(name="http", protocol="Http", port=80, request_path="/healthz")],
        load_balancing_rules=[
            nm.LoadBalancingRule(
                name="http",
                protocol="Tcp",
                frontend_port=80,
                backend_port=80,
                frontend_ip_configuration=nm.SubResource(id=f"{lb_id}/frontendIPConfigurations/fe"),
                backend_address_pool=nm.SubResource(id=f"{lb_id}/backendAddressPools/pool")
                if with_pool
                else None,
                probe=nm.SubResource(id=f"{lb_id}/probes/http"),
            )
        ],
    )


def test_virtual_network_lifecycle(az, group):
    vnet = az.vnet(group, "vnet1", ("default", "10.0.1.0/24"), ("data", "10.0.2.0/24"))
    assert vnet.provisioning_state == "Succeeded"
    assert vnet.id == az.arm.path(group, "Microsoft.Network/virtualNetworks", "vnet1")
    assert [s.name for s in vnet.subnets] == ["default", "data"]
    assert vnet.resource_guid

    net = az.network.virtual_networks
    got = net.get("RG1", "VNET1")  # ARM is case-insensitive and answers with the canonical casing
    assert got.id == vnet.id and got.name == "vnet1"
    assert got.etag and got.subnets[1].address_prefix == "10.0.2.0/24"

    tagged = net.update_tags(group, "vnet1", nm.TagsObject(tags={"env": "dev"}))
    assert tagged.tags == {"env": "dev"}
    assert [s.name for s in tagged.subnets] == ["default", "data"]  # PATCH keeps what it does not name

    az.vnet(group, "vnet2", ("default", "10.0.1.0/24"))
    assert az.names(net.list(group)) == ["vnet1", "vnet2"]
    assert az.names(net.list_all()) == ["vnet1", "vnet2"]
    assert net.get(group, "vnet1").tags == {"env": "dev"}

    net.begin_delete(group, "vnet2").result()
    assert az.names(net.list_all()) == ["vnet1"]
    with pytest.raises(ResourceNotFoundError):
        net.get(group, "vnet2")


def test_subnet_as_child_resource(az, group):
    az.vnet(group)
    subnets = az.network.subnets
    created = subnets.begin_create_or_update(
        group, "vnet1", "apps", nm.Subnet(address_prefix="10.0.3.0/24")
    ).result()
    assert created.id == az.subnet_id(group, subnet="apps")
    assert created.provisioning_state == "Succeeded"
    assert az.names(subnets.list(group, "vnet1")) == ["apps", "default"]
    assert [s.name for s in az.network.virtual_networks.get(group, "vnet1").subnets] == ["default", "apps"]

    updated = subnets.begin_create_or_update(
        group, "vnet1", "apps", nm.Subnet(address_prefix="10.0.4.0/24")
    ).result()
    assert updated.address_prefix == "10.0.4.0/24"

    subnets.begin_delete(group, "vnet1", "apps").result()
    assert az.names(subnets.list(group, "vnet1")) == ["default"]
    with pytest.raises(ResourceNotFoundError):
        subnets.get(group, "vnet1", "apps")


def test_subnet_outside_the_address_space_is_refused(az, group):
    az.vnet(group)
    with pytest.raises(HttpResponseError) as e:
        az.network.subnets.begin_create_or_update(
            group, "vnet1", "far", nm.Subnet(address_prefix="192.168.0.0/24")
        ).result()
    assert e.value.error.code == "NetcfgSubnetRangeOutsideVnet"
    assert az.names(az.network.subnets.list(group, "vnet1")) == ["default"]


def test_network_security_group_and_rules(az, group):
    nsgs, rules = az.network.network_security_groups, az.network.security_rules
    nsg = nsgs.begin_create_or_update(
        group,
        "nsg1",
        nm.NetworkSecurityGroup(
            location=LOCATION,
            security_rules=[
                nm.SecurityRule(
                    name="ssh",
                    protocol="Tcp",
                    access="Allow",
                    direction="Inbound",
                    priority=100,
                    source_address_prefix="*",
                    source_port_range="*",
                    destination_address_prefix="*",
                    destination_port_range="22",
                )
            ],
        ),
    ).result()
    assert [r.name for r in nsg.security_rules] == ["ssh"]
    assert "DenyAllInBound" in [r.name for r in nsg.default_security_rules]

    https = rules.begin_create_or_update(
        group,
        "nsg1",
        "https",
        nm.SecurityRule(
            protocol="tcp",
            access="allow",
            direction="inbound",
            priority=110,
            source_address_prefix="Internet",
            source_port_range="*",
            destination_address_prefix="*",
            destination_port_range="443",
        ),
    ).result()
    assert https.protocol == "Tcp" and https.access == "Allow"  # enums answered in canonical spelling
    assert az.names(rules.list(group, "nsg1")) == ["https", "ssh"]
    assert rules.get(group, "nsg1", "https").destination_port_range == "443"

    with pytest.raises(HttpResponseError) as e:
        rules.begin_create_or_update(
            group,
            "nsg1",
            "clash",
            nm.SecurityRule(
                protocol="Tcp",
                access="Deny",
                direction="Inbound",
                priority=110,
                source_address_prefix="*",
                source_port_range="*",
                destination_address_prefix="*",
                destination_port_range="8080",
            ),
        ).result()
    assert e.value.error.code == "SecurityRuleConflict"

    rules.begin_delete(group, "nsg1", "ssh").result()
    assert az.names(rules.list(group, "nsg1")) == ["https"]

    tagged = nsgs.update_tags(group, "nsg1", nm.TagsObject(tags={"team": "net"}))
    assert tagged.tags == {"team": "net"} and [r.name for r in tagged.security_rules] == ["https"]
    assert az.names(nsgs.list(group)) == az.names(nsgs.list_all()) == ["nsg1"]


def test_nsg_on_a_subnet_cannot_be_deleted(az, group):
    nsg = az.network.network_security_groups.begin_create_or_update(
        group, "nsg1", nm.NetworkSecurityGroup(location=LOCATION)
    ).result()
    az.vnet(group)
    az.network.subnets.begin_create_or_update(
        group,
        "vnet1",
        "default",
        nm.Subnet(address_prefix="10.0.1.0/24", network_security_group=nm.NetworkSecurityGroup(id=nsg.id)),
    ).result()
    assert [s.id for s in az.network.network_security_groups.get(group, "nsg1").subnets] == [
        az.subnet_id(group)
    ]
    with pytest.raises(HttpResponseError) as e:
        az.network.network_security_groups.begin_delete(group, "nsg1").result()
    assert e.value.status_code == 400
    assert e.value.error.code == "InUseNetworkSecurityGroupCannotBeDeleted"
    assert az.network.network_security_groups.get(group, "nsg1").id == nsg.id


def test_public_ip_lifecycle(az, group):
    pips = az.network.public_ip_addresses
    pip = az.public_ip(group)
    assert pip.ip_address and pip.sku.name == "Standard"
    assert pip.public_ip_allocation_method == "Static"

    tagged = pips.update_tags(group, "pip1", nm.TagsObject(tags={"role": "frontend"}))
    assert tagged.tags == {"role": "frontend"} and tagged.ip_address == pip.ip_address
    assert az.names(pips.list(group)) == az.names(pips.list_all()) == ["pip1"]

    with pytest.raises(HttpResponseError) as e:
        pips.begin_create_or_update(
            group,
            "pip2",
            nm.PublicIPAddress(
                location=LOCATION,
                sku=nm.PublicIPAddressSku(name="Standard"),
                public_ip_allocation_method="Dynamic",
            ),
        ).result()
    assert e.value.error.code == "StandardSkuPublicIPAddressesMustBeStatic"

    pips.begin_delete(group, "pip1").result()
    assert list(pips.list(group)) == []


def test_network_interface_lifecycle(az, group, subnet_id):
    nics = az.network.network_interfaces
    first = az.nic(group, "nic1", subnet_id)
    second = az.nic(group, "nic2", subnet_id)
    config = first.ip_configurations[0]
    assert config.private_ip_address == "10.0.1.4"  # the first four addresses are Azure's
    assert config.primary is True and config.private_ip_allocation_method == "Dynamic"
    assert second.ip_configurations[0].private_ip_address == "10.0.1.5"

    subnet = az.network.subnets.get(group, "vnet1", "default")
    assert sorted(c.id for c in subnet.ip_configurations) == sorted(
        [first.ip_configurations[0].id, second.ip_configurations[0].id]
    )

    tagged = nics.update_tags(group, "nic1", nm.TagsObject(tags={"tier": "web"}))
    assert tagged.tags == {"tier": "web"}
    assert tagged.ip_configurations[0].private_ip_address == "10.0.1.4"  # keeps its address
    assert az.names(nics.list(group)) == az.names(nics.list_all()) == ["nic1", "nic2"]
    assert nics.get(group, "nic1").ip_configurations[0].name == "ipconfig1"

    nics.begin_delete(group, "nic2").result()
    assert az.names(nics.list(group)) == ["nic1"]


def test_load_balancer_with_frontend_pool_probe_and_rule(az, group):
    pip = az.public_ip(group)
    lbs = az.network.load_balancers
    lb = lbs.begin_create_or_update(group, "lb1", _lb_model(az, group, pip.id)).result()
    assert lb.sku.name == "Standard"
    assert [f.name for f in lb.frontend_ip_configurations] == ["fe"]
    rule = lb.load_balancing_rules[0]
    assert rule.probe.id == lb.probes[0].id
    assert rule.backend_address_pool.id == lb.backend_address_pools[0].id
    assert az.network.public_ip_addresses.get(group, "pip1").ip_configuration.id == (
        lb.frontend_ip_configurations[0].id
    )

    assert [f.name for f in az.network.load_balancer_frontend_ip_configurations.list(group, "lb1")] == ["fe"]
    assert az.network.load_balancer_probes.get(group, "lb1", "http").request_path == "/healthz"
    assert az.network.load_balancer_load_balancing_rules.get(group, "lb1", "http").frontend_port == 80
    assert [p.name for p in az.network.load_balancer_backend_address_pools.list(group, "lb1")] == ["pool"]

    tagged = lbs.update_tags(group, "lb1", nm.TagsObject(tags={"app": "web"}))
    assert tagged.tags == {"app": "web"} and len(tagged.load_balancing_rules) == 1
    assert az.names(lbs.list(group)) == az.names(lbs.list_all()) == ["lb1"]

    with pytest.raises(HttpResponseError) as e:
        az.network.public_ip_addresses.begin_delete(group, "pip1").result()
    assert e.value.error.code == "PublicIPAddressCannotBeDeleted"

    lbs.begin_delete(group, "lb1").result()
    assert list(lbs.list(group)) == []
    az.network.public_ip_addresses.begin_delete(group, "pip1").result()


def test_backend_pool_via_its_own_endpoint_and_nic_association(az, group, subnet_id):
    pip = az.public_ip(group)
    az.network.load_balancers.begin_create_or_update(
        group, "lb1", _lb_model(az, group, pip.id, with_pool=False)
    ).result()
    pools = az.network.load_balancer_backend_address_pools
    pool = pools.begin_create_or_update(group, "lb1", "pool", nm.BackendAddressPool()).result()
    assert pool.id.endswith("/loadBalancers/lb1/backendAddressPools/pool")
    assert [p.name for p in az.network.load_balancers.get(group, "lb1").backend_address_pools] == ["pool"]

    nic = az.nic(group, "nic1", subnet_id, pool_ids=(pool.id,))
    assert nic.ip_configurations[0].load_balancer_backend_address_pools[0].id == pool.id
    assert [c.id for c in pools.get(group, "lb1", "pool").backend_ip_configurations] == [
        nic.ip_configurations[0].id
    ]

    with pytest.raises(HttpResponseError) as e:
        pools.begin_delete(group, "lb1", "pool").result()
    assert e.value.error.code == "InUseBackendAddressPoolCannotBeDeleted"

    az.nic(group, "nic1", subnet_id)  # dissociate
    assert pools.get(group, "lb1", "pool").backend_ip_configurations is None
    pools.begin_delete(group, "lb1", "pool").result()
    assert list(pools.list(group, "lb1")) == []


def test_load_balancer_sku_must_match_its_public_ip(az, group):
    basic = az.network.public_ip_addresses.begin_create_or_update(
        group,
        "basic",
        nm.PublicIPAddress(
            location=LOCATION, sku=nm.PublicIPAddressSku(name="Basic"), public_ip_allocation_method="Static"
        ),
    ).result()
    with pytest.raises(HttpResponseError) as e:
        az.network.load_balancers.begin_create_or_update(
            group, "lb1", _lb_model(az, group, basic.id)
        ).result()
    assert e.value.error.code == "LoadBalancerReferencesPublicIPAddressWithDifferentSku"
    assert list(az.network.load_balancers.list(group)) == []
