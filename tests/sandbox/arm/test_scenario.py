"""The VM scenario end to end: three VMs behind a load balancer, built and listed with the SDKs."""

from __future__ import annotations

from collections import Counter

from azure.mgmt.compute import models as cm
from azure.mgmt.network import models as nm
from azure.mgmt.resource.resources import models as rm

LOCATION = "westeurope"


def test_three_vms_behind_a_load_balancer(az, group, subnet_id):
    storage_id = az.arm.path(group, "Microsoft.Storage/storageAccounts", "bootdiagsandbox")
    az.resources.resources.begin_create_or_update_by_id(
        storage_id,
        rm.GenericResource(location=LOCATION, sku=rm.Sku(name="Standard_LRS"), kind="StorageV2"),
        api_version="2023-05-01",
    ).result()
    pip = az.public_ip(group, "lb-pip")
    lb_id = az.arm.path(group, "Microsoft.Network/loadBalancers", "web-lb")
    lb = az.network.load_balancers.begin_create_or_update(
        group,
        "web-lb",
        nm.LoadBalancer(
            location=LOCATION,
            sku=nm.LoadBalancerSku(name="Standard"),
            frontend_ip_configurations=[
                nm.FrontendIPConfiguration(name="public", public_ip_address=nm.PublicIPAddress(id=pip.id))
            ],
            backend_address_pools=[nm.BackendAddressPool(name="web")],
            probes=[nm.Probe(name="tcp80", protocol="Tcp", port=80)],
            load_balancing_rules=[
                nm.LoadBalancingRule(
                    name="http",
                    protocol="Tcp",
                    frontend_port=80,
                    backend_port=80,
                    frontend_ip_configuration=nm.SubResource(id=f"{lb_id}/frontendIPConfigurations/public"),
                    backend_address_pool=nm.SubResource(id=f"{lb_id}/backendAddressPools/web"),
                    probe=nm.SubResource(id=f"{lb_id}/probes/tcp80"),
                )
            ],
        ),
    ).result()
    pool_id = lb.backend_address_pools[0].id

    vms = []
    for i in range(3):
        nic = az.nic(group, f"web-{i}-nic", subnet_id, pool_ids=(pool_id,))
        vms.append(
            az.vm(
                group,
                f"web-{i}",
                nic.id,
                diagnostics_profile=cm.DiagnosticsProfile(
                    boot_diagnostics=cm.BootDiagnostics(
                        enabled=True, storage_uri="https://bootdiagsandbox.blob.core.windows.net/"
                    )
                ),
            )
        )
        az.compute.virtual_machines.begin_update(
            group,
            f"web-{i}",
            cm.VirtualMachineUpdate(
                storage_profile=cm.StorageProfile(
                    data_disks=[
                        cm.DataDisk(lun=0, create_option="Empty", disk_size_gb=32, name=f"web-{i}-data")
                    ]
                )
            ),
        ).result()

    # List everything, the way a user inventories a subscription.
    by_type = Counter(r.type for r in az.resources.resources.list_by_resource_group(group))
    assert by_type == {
        "Microsoft.Network/virtualNetworks": 1,
        "Microsoft.Network/publicIPAddresses": 1,
        "Microsoft.Network/loadBalancers": 1,
        "Microsoft.Network/networkInterfaces": 3,
        "Microsoft.Compute/virtualMachines": 3,
        "Microsoft.Compute/disks": 6,
        "Microsoft.Storage/storageAccounts": 1,
    }
    listed_vms = list(az.compute.virtual_machines.list(group))
    assert [v.name for v in listed_vms] == ["web-0", "web-1", "web-2"]
    for vm in listed_vms:
        assert vm.diagnostics_profile.boot_diagnostics.enabled is True
        assert [d.name for d in vm.storage_profile.data_disks] == [f"{vm.name}-data"]
    disks = {d.name: d for d in az.compute.disks.list_by_resource_group(group)}
    assert {d.managed_by for d in disks.values()} == {vm.id for vm in vms}
    assert all(d.disk_state == "Attached" for d in disks.values())

    pool = az.network.load_balancer_backend_address_pools.get(group, "web-lb", "web")
    nics = list(az.network.network_interfaces.list(group))
    assert sorted(c.id for c in pool.backend_ip_configurations) == sorted(
        n.ip_configurations[0].id for n in nics
    )
    assert sorted(n.ip_configurations[0].private_ip_address for n in nics) == [
        "10.0.1.4",
        "10.0.1.5",
        "10.0.1.6",
    ]
    assert {n.virtual_machine.id for n in nics} == {vm.id for vm in vms}
    assert az.network.public_ip_addresses.get(group, "lb-pip").ip_configuration.id.endswith(
        "/frontendIPConfigurations/public"
    )
    for vm in vms:
        statuses = az.compute.virtual_machines.instance_view(group, vm.name).statuses
        assert "PowerState/running" in [s.code for s in statuses]
