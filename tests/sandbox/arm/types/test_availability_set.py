"""Microsoft.Compute/availabilitySets through the real Azure SDK: members, fixed domains, managed sets."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.compute import models as cm

LOCATION = "westeurope"


def _set(az, group: str, name: str = "as1", sku: str = "Aligned", faults: int = 3) -> cm.AvailabilitySet:
    model = cm.AvailabilitySet(
        location=LOCATION,
        sku=cm.Sku(name=sku),
        platform_fault_domain_count=faults,
        platform_update_domain_count=5,
    )
    return az.compute.availability_sets.create_or_update(group, name, model)


def test_a_set_lists_its_vms_which_join_only_when_created(az, group, subnet_id):
    avset = _set(az, group)
    assert avset.sku.name == "Aligned" and avset.platform_fault_domain_count == 3
    assert avset.virtual_machines == []
    vm = az.vm(
        group, "vm1", az.nic(group, "nic1", subnet_id).id, availability_set=cm.SubResource(id=avset.id)
    )
    assert vm.availability_set.id == avset.id
    sets = az.compute.availability_sets
    assert [m.id for m in sets.get(group, "as1").virtual_machines] == [vm.id]

    # The set is fixed for the VM's life: ARM refuses to move it; a PUT that leaves it out keeps it.
    other = _set(az, group, "as2")
    nic_id = vm.network_profile.network_interfaces[0].id
    with pytest.raises(HttpResponseError) as e:
        az.vm(group, "vm1", nic_id, availability_set=cm.SubResource(id=other.id))
    assert e.value.status_code == 409 and e.value.error.code == "PropertyChangeNotAllowed"
    assert az.vm(group, "vm1", nic_id).availability_set.id == avset.id
    vms = az.compute.virtual_machines
    tagged = vms.begin_update(group, "vm1", cm.VirtualMachineUpdate(tags={"tier": "web"})).result()
    assert tagged.availability_set.id == avset.id  # a PATCH keeps it

    # A set in use cannot go; once its VM is gone it can.
    with pytest.raises(HttpResponseError) as e:
        sets.delete(group, "as1")
    assert e.value.status_code == 409 and e.value.error.code == "OperationNotAllowed"
    vms.begin_delete(group, "vm1").result()
    assert sets.get(group, "as1").virtual_machines == []
    sets.delete(group, "as1")
    assert az.names(sets.list(group)) == ["as2"]


def test_a_vm_in_a_set_has_no_zone_and_a_classic_set_takes_no_managed_disks(az, group, subnet_id):
    nic = az.nic(group, "nic1", subnet_id)
    aligned = _set(az, group)
    with pytest.raises(HttpResponseError) as e:
        az.vm(group, "vm1", nic.id, availability_set=cm.SubResource(id=aligned.id), zones=["1"])
    assert e.value.status_code == 400 and e.value.error.code == "InvalidParameter"

    classic = _set(az, group, "classic", sku="Classic")
    with pytest.raises(HttpResponseError) as e:
        az.vm(group, "vm1", nic.id, availability_set=cm.SubResource(id=classic.id))
    assert e.value.error.code == "OperationNotAllowed" and "managed disks" in e.value.error.message
    assert list(az.compute.virtual_machines.list(group)) == []


def test_domain_counts_are_checked_and_fixed_and_a_managed_set_stays_managed(az, group):
    with pytest.raises(HttpResponseError) as e:
        _set(az, group, faults=4)
    assert e.value.status_code == 400 and "fault domain count 4" in e.value.error.message

    _set(az, group, sku="Classic", faults=2)
    with pytest.raises(HttpResponseError) as e:
        _set(az, group, sku="Classic", faults=3)
    assert e.value.status_code == 409 and e.value.error.code == "PropertyChangeNotAllowed"

    assert _set(az, group, sku="Aligned", faults=2).sku.name == "Aligned"  # Classic → Aligned converts
    with pytest.raises(HttpResponseError) as e:
        _set(az, group, sku="Classic", faults=2)
    assert e.value.error.code == "OperationNotAllowed"
    assert az.compute.availability_sets.get(group, "as1").sku.name == "Aligned"
