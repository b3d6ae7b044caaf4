"""A restart on the same data dir keeps every resource, the Activity Log and the subscription."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from azure.mgmt.network import models as nm

from sandbox.server import Sandbox


def test_restart_keeps_everything(data_dir, connect):
    since = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with Sandbox(data_dir) as first:
        az = connect(first)
        group = az.group("rg1")
        vnet = az.vnet(group)
        nic = az.nic(group, "nic1", vnet.subnets[0].id)
        vm = az.vm(group, "vm1", nic.id)
        az.compute.virtual_machines.begin_power_off(group, "vm1").result()
        az.network.virtual_networks.update_tags(group, "vnet1", nm.TagsObject(tags={"kept": "yes"}))
        before = {r.id: r.as_dict() for r in az.resources.resources.list()}
        events_before = [
            e.event_data_id for e in az.monitor.activity_logs.list(filter=f"eventTimestamp ge '{since}'")
        ]
        subscription = first.identity.subscription

    with Sandbox(data_dir) as second:
        assert second.identity.subscription == subscription
        az = connect(second)
        assert {r.id: r.as_dict() for r in az.resources.resources.list()} == before
        assert az.names(az.resources.resource_groups.list()) == ["rg1"]
        assert az.network.virtual_networks.get(group, "vnet1").tags == {"kept": "yes"}
        restored = az.compute.virtual_machines.get(group, "vm1")
        assert (
            restored.vm_id == vm.vm_id
            and restored.storage_profile.os_disk.name == vm.storage_profile.os_disk.name
        )
        assert az.compute.disks.get(group, vm.storage_profile.os_disk.name).managed_by == vm.id
        statuses = [s.code for s in az.compute.virtual_machines.instance_view(group, "vm1").statuses]
        assert "PowerState/stopped" in statuses
        events_after = [
            e.event_data_id for e in az.monitor.activity_logs.list(filter=f"eventTimestamp ge '{since}'")
        ]
        assert events_after == events_before

        # Referential integrity survives too: the restored NIC still pins its subnet and IP.
        second_nic = az.nic(group, "nic2", vnet.subnets[0].id)
        assert second_nic.ip_configurations[0].private_ip_address == "10.0.1.5"
        assert az.arm.request("DELETE", az.subnet_id(group)).status_code == 400
