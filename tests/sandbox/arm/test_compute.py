from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.compute import models as cm

LOCATION = "westeurope"


def _power(az, group: str, name: str) -> str:
    statuses = az.compute.virtual_machines.instance_view(group, name).statuses
    return next(s.code for s in statuses if s.code.startswith("PowerState/"))


def _empty_disk(az, group: str, name: str, size: int = 32) -> cm.Disk:
    model = cm.Disk(
        location=LOCATION,
        sku=cm.DiskSku(name="Premium_LRS"),
        creation_data=cm.CreationData(create_option="Empty"),
        disk_size_gb=size,
    )
    return az.compute.disks.begin_create_or_update(group, name, model).result()


def test_managed_disk_lifecycle(az, group):
    disks = az.compute.disks
    disk = _empty_disk(az, group, "data1")
    assert disk.disk_size_gb == 32 and disk.disk_size_bytes == 32 * 1024**3
    assert disk.sku.name == "Premium_LRS" and disk.disk_state == "Unattached"
    assert disk.provisioning_state == "Succeeded" and disk.unique_id

    grown = disks.begin_update(group, "data1", cm.DiskUpdate(disk_size_gb=64)).result()
    assert grown.disk_size_gb == 64
    assert grown.disk_iops_read_write > disk.disk_iops_read_write  # premium performance scales with size
    tagged = disks.begin_update(group, "data1", cm.DiskUpdate(tags={"backup": "daily"})).result()
    assert tagged.tags == {"backup": "daily"} and tagged.disk_size_gb == 64

    with pytest.raises(HttpResponseError) as e:
        disks.begin_update(group, "data1", cm.DiskUpdate(disk_size_gb=16)).result()
    assert e.value.status_code == 409 and e.value.error.code == "OperationNotAllowed"
    assert disks.get(group, "data1").disk_size_gb == 64

    _empty_disk(az, group, "data2", 8)
    assert az.names(disks.list_by_resource_group(group)) == ["data1", "data2"]
    assert az.names(disks.list()) == ["data1", "data2"]

    disks.begin_delete(group, "data2").result()
    assert az.names(disks.list()) == ["data1"]
    with pytest.raises(ResourceNotFoundError):
        disks.get(group, "data2")


def test_linux_vm_lifecycle(az, group, subnet_id):
    nic = az.nic(group, "nic1", subnet_id)
    vm = az.vm(group, "vm1", nic.id)
    vms = az.compute.virtual_machines
    assert vm.provisioning_state == "Succeeded" and vm.vm_id
    assert vm.hardware_profile.vm_size == "Standard_B1s"
    linux = vm.os_profile.linux_configuration
    assert linux.disable_password_authentication is True
    assert linux.ssh.public_keys[0].key_data.startswith("ssh-rsa ")
    assert vm.os_profile.admin_password is None  # write-only

    # The OS disk is a resource of its own, managed by the VM.
    os_disk = vm.storage_profile.os_disk
    disk = az.compute.disks.get(group, os_disk.name)
    assert disk.id == os_disk.managed_disk.id
    assert disk.managed_by == vm.id and disk.disk_state == "Attached"
    assert disk.os_type == "Linux"
    # and the NIC knows its VM
    assert az.network.network_interfaces.get(group, "nic1").virtual_machine.id == vm.id

    assert _power(az, group, "vm1") == "PowerState/running"
    vms.begin_power_off(group, "vm1").result()
    assert _power(az, group, "vm1") == "PowerState/stopped"
    vms.begin_start(group, "vm1").result()
    assert _power(az, group, "vm1") == "PowerState/running"
    vms.begin_deallocate(group, "vm1").result()
    assert _power(az, group, "vm1") == "PowerState/deallocated"

    resized = vms.begin_update(
        group, "vm1", cm.VirtualMachineUpdate(hardware_profile=cm.HardwareProfile(vm_size="Standard_B2s"))
    ).result()
    assert resized.hardware_profile.vm_size == "Standard_B2s"
    assert resized.storage_profile.os_disk.name == os_disk.name  # PATCH keeps the rest
    tagged = vms.begin_update(group, "vm1", cm.VirtualMachineUpdate(tags={"env": "test"})).result()
    assert tagged.tags == {"env": "test"} and tagged.hardware_profile.vm_size == "Standard_B2s"
    assert _power(az, group, "vm1") == "PowerState/deallocated"  # an update does not start it

    assert az.names(vms.list(group)) == az.names(vms.list_all()) == ["vm1"]

    vms.begin_delete(group, "vm1").result()
    with pytest.raises(ResourceNotFoundError):
        vms.get(group, "vm1")
    kept = az.compute.disks.get(group, os_disk.name)  # deleteOption defaults to Detach
    assert kept.managed_by is None and kept.disk_state == "Unattached"
    assert az.network.network_interfaces.get(group, "nic1").virtual_machine is None


def test_os_disk_with_delete_option_goes_with_the_vm(az, group, subnet_id):
    nic = az.nic(group, "nic1", subnet_id)
    vm = az.vm(
        group,
        "vm1",
        nic.id,
        storage_profile=cm.StorageProfile(
            image_reference=cm.ImageReference(
                publisher="Canonical", offer="0001-com-ubuntu-server-jammy", sku="22_04-lts", version="latest"
            ),
            os_disk=cm.OSDisk(create_option="FromImage", delete_option="Delete", disk_size_gb=64),
        ),
    )
    assert vm.storage_profile.os_disk.delete_option == "Delete"
    assert az.compute.disks.get(group, vm.storage_profile.os_disk.name).disk_size_gb == 64
    az.compute.virtual_machines.begin_delete(group, "vm1").result()
    assert list(az.compute.disks.list_by_resource_group(group)) == []


def test_data_disks_attach_and_detach(az, group, subnet_id):
    nic = az.nic(group, "nic1", subnet_id)
    az.vm(group, "vm1", nic.id)
    existing = _empty_disk(az, group, "shared-data", 128)
    vms, disks = az.compute.virtual_machines, az.compute.disks

    vm = vms.begin_update(
        group,
        "vm1",
        cm.VirtualMachineUpdate(
            storage_profile=cm.StorageProfile(
                data_disks=[
                    cm.DataDisk(
                        lun=0, create_option="Attach", managed_disk=cm.ManagedDiskParameters(id=existing.id)
                    ),
                    cm.DataDisk(lun=1, create_option="Empty", disk_size_gb=16, name="vm1-scratch"),
                ]
            )
        ),
    ).result()
    data = {d.lun: d for d in vm.storage_profile.data_disks}
    assert data[0].name == "shared-data" and data[0].disk_size_gb == 128
    assert data[1].managed_disk.id.endswith("/disks/vm1-scratch")
    assert vm.storage_profile.os_disk.name  # PATCH of dataDisks leaves the OS disk alone
    assert disks.get(group, "shared-data").managed_by == vm.id
    scratch = disks.get(group, "vm1-scratch")
    assert scratch.disk_size_gb == 16 and scratch.managed_by == vm.id
    assert scratch.creation_data.create_option == "Empty"

    with pytest.raises(HttpResponseError) as e:
        disks.begin_delete(group, "shared-data").result()
    assert e.value.status_code == 409 and e.value.error.code == "OperationNotAllowed"

    view = vms.instance_view(group, "vm1")
    assert {d.name for d in view.disks} >= {"shared-data", "vm1-scratch"}

    detached = vms.begin_update(
        group,
        "vm1",
        cm.VirtualMachineUpdate(storage_profile=cm.StorageProfile(data_disks=[data[1]])),
    ).result()
    assert [d.name for d in detached.storage_profile.data_disks] == ["vm1-scratch"]
    assert disks.get(group, "shared-data").disk_state == "Unattached"
    disks.begin_delete(group, "shared-data").result()
    assert "shared-data" not in az.names(disks.list_by_resource_group(group))


def test_boot_diagnostics_enable_and_disable(az, group, subnet_id):
    nic = az.nic(group, "nic1", subnet_id)
    az.vm(group, "vm1", nic.id)
    vms = az.compute.virtual_machines

    def boot(enabled: bool) -> cm.VirtualMachine:
        update = cm.VirtualMachineUpdate(
            diagnostics_profile=cm.DiagnosticsProfile(boot_diagnostics=cm.BootDiagnostics(enabled=enabled))
        )
        return vms.begin_update(group, "vm1", update).result()

    assert boot(True).diagnostics_profile.boot_diagnostics.enabled is True
    assert vms.get(group, "vm1").diagnostics_profile.boot_diagnostics.enabled is True
    assert vms.instance_view(group, "vm1").boot_diagnostics is not None
    assert boot(False).diagnostics_profile.boot_diagnostics.enabled is False
    assert vms.get(group, "vm1").diagnostics_profile.boot_diagnostics.enabled is False


def test_priority_regular_to_spot_is_refused(az, group, subnet_id):
    nic = az.nic(group, "nic1", subnet_id)
    vm = az.vm(group, "vm1", nic.id)
    assert vm.priority == "Regular"
    vms = az.compute.virtual_machines
    with pytest.raises(HttpResponseError) as e:
        vms.begin_update(
            group, "vm1", cm.VirtualMachineUpdate(priority="Spot", eviction_policy="Deallocate")
        ).result()
    assert e.value.status_code == 409
    assert e.value.error.code == "PropertyChangeNotAllowed"
    assert "priority" in e.value.error.message
    assert vms.get(group, "vm1").priority == "Regular"

    # A full PUT is refused the same way; re-creation is the only way to Spot.
    with pytest.raises(HttpResponseError) as e:
        az.vm(group, "vm1", nic.id, priority="Spot", eviction_policy="Deallocate")
    assert e.value.error.code == "PropertyChangeNotAllowed"
    vms.begin_delete(group, "vm1").result()
    spot = az.vm(group, "vm1", nic.id, priority="Spot", eviction_policy="Deallocate")
    assert spot.priority == "Spot" and spot.billing_profile.max_price == -1
