"""Bad input gets the ARM error code and status a real client sees, and nothing is half-written."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
import requests
from azure.core.exceptions import HttpResponseError
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.compute import models as cm
from azure.mgmt.network import models as nm

from sandbox.arm.identity import make_token

VNET = "Microsoft.Network/virtualNetworks"
VNET_BODY = {
    "location": "westeurope",
    "properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.1.0/24"}}],
    },
}


def _error(response) -> tuple[int, str]:
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body["error"]) >= {"code", "message"} and body["error"]["message"]
    return response.status_code, body["error"]["code"]


def _no_vnets(az, group: str) -> None:
    assert list(az.network.virtual_networks.list(group)) == []
    assert list(az.resources.resources.list()) == []


def test_malformed_json(az, group):
    path = az.arm.path(group, VNET, "vnet1")
    assert _error(
        az.arm.request(
            "PUT", path, data='{"location": "westeurope",', headers={"Content-Type": "application/json"}
        )
    ) == (400, "InvalidRequestContent")
    assert _error(
        az.arm.request("PUT", path, data=b"\xff\xfe", headers={"Content-Type": "application/json"})
    ) == (400, "InvalidRequestContent")
    assert _error(az.arm.request("PUT", path, body=["not", "an", "object"])) == (400, "InvalidRequestContent")
    assert _error(az.arm.request("PUT", path, data="")) == (400, "InvalidRequestContent")
    _no_vnets(az, group)


def test_api_version_missing_or_unknown(az, group):
    path = az.arm.path(group, VNET, "vnet1")
    assert _error(az.arm.request("PUT", path, VNET_BODY, api_version=None)) == (
        400,
        "MissingApiVersionParameter",
    )
    assert _error(az.arm.request("GET", az.arm.group_path(group), api_version=None)) == (
        400,
        "MissingApiVersionParameter",
    )
    status, code = _error(az.arm.request("PUT", path, VNET_BODY, api_version="2099-01-01"))
    assert (status, code) == (400, "NoRegisteredProviderFound")
    assert (
        "2024-05-01"
        in az.arm.request("PUT", path, VNET_BODY, api_version="2099-01-01").json()["error"]["message"]
    )  # ARM lists the versions it supports
    listing = f"{az.arm.group_path(group)}/providers/{VNET}"
    assert _error(az.arm.request("GET", listing, api_version="1999-01-01")) == (
        400,
        "NoRegisteredProviderFound",
    )
    assert _error(az.arm.request("GET", az.arm.group_path(group), api_version="1999-01-01")) == (
        400,
        "NoRegisteredProviderFound",
    )
    _no_vnets(az, group)


def test_unknown_type_or_namespace(az, group):
    assert _error(
        az.arm.request("PUT", az.arm.path(group, "Microsoft.Network/virtualRouters", "r1"), VNET_BODY)
    ) == (
        400,
        "InvalidResourceType",
    )
    assert _error(az.arm.request("PUT", az.arm.path(group, "Microsoft.Nope/things", "t1"), VNET_BODY)) == (
        400,
        "InvalidResourceNamespace",
    )
    assert _error(az.arm.request("PUT", az.arm.path(group, VNET, "v1") + "/gadgets/g1", {})) == (
        400,
        "InvalidResourceType",
    )
    _no_vnets(az, group)


def test_missing_or_unreadable_token_is_401(az, group):
    path = az.arm.path(group, VNET, "vnet1")
    url = f"{az.sandbox.url}{path}?api-version=2024-05-01"
    assert _error(requests.put(url, json=VNET_BODY, timeout=10)) == (401, "AuthenticationFailed")
    assert _error(requests.get(url, headers={"Authorization": "Bearer not-a-jwt"}, timeout=10)) == (
        401,
        "InvalidAuthenticationToken",
    )
    assert _error(requests.get(url, headers={"Authorization": "Basic dXNlcjpwdw=="}, timeout=10))[0] == 401
    token = make_token({"upn": "mallory@example.com"})
    assert requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 404
    _no_vnets(az, group)
    # Unauthenticated requests are not in the Activity Log either: nobody to attribute them to.
    since = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (
        list(az.monitor.activity_logs.list(filter=f"eventTimestamp ge '{since}' and resourceUri eq '{path}'"))
        == []
    )


def test_resource_group_not_found(az):
    with pytest.raises(ResourceNotFoundError) as e:
        az.network.virtual_networks.begin_create_or_update(
            "missing", "vnet1", nm.VirtualNetwork(location="westeurope")
        ).result()
    assert e.value.status_code == 404 and e.value.error.code == "ResourceGroupNotFound"
    with pytest.raises(ResourceNotFoundError) as e:
        list(az.network.virtual_networks.list("missing"))
    assert e.value.error.code == "ResourceGroupNotFound"
    with pytest.raises(ResourceNotFoundError) as e:
        az.resources.resource_groups.begin_delete("missing").result()
    assert e.value.error.code == "ResourceGroupNotFound"
    assert list(az.resources.resource_groups.list()) == []


def test_missing_resources_and_parents(az, group):
    with pytest.raises(ResourceNotFoundError) as e:
        az.network.virtual_networks.get(group, "vnet1")
    assert e.value.error.code == "ResourceNotFound"
    with pytest.raises(ResourceNotFoundError) as e:
        az.network.subnets.begin_create_or_update(
            group, "vnet1", "default", nm.Subnet(address_prefix="10.0.1.0/24")
        ).result()
    assert e.value.error.code == "ParentResourceNotFound"
    # Deleting what is not there succeeds with 204, as ARM does.
    assert az.arm.request("DELETE", az.arm.path(group, VNET, "vnet1")).status_code == 204
    az.network.virtual_networks.begin_delete(group, "vnet1").result()
    _no_vnets(az, group)


def test_location_required_and_known(az, group):
    path = az.arm.path(group, VNET, "vnet1")
    body = {k: v for k, v in VNET_BODY.items() if k != "location"}
    assert _error(az.arm.request("PUT", path, body)) == (400, "LocationRequired")
    assert _error(az.arm.request("PUT", path, {**VNET_BODY, "location": "atlantis"})) == (
        400,
        "LocationNotAvailableForResourceType",
    )
    _no_vnets(az, group)


def test_dangling_reference(az, group, subnet_id):
    with pytest.raises(HttpResponseError) as e:
        az.nic(group, "nic1", az.subnet_id(group, subnet="missing"))
    assert e.value.status_code == 400 and e.value.error.code == "InvalidResourceReference"
    assert "/subnets/missing" in e.value.error.message
    assert list(az.network.network_interfaces.list(group)) == []

    with pytest.raises(HttpResponseError) as e:
        az.nic(
            group,
            "nic1",
            subnet_id,
            public_ip_id=az.arm.path(group, "Microsoft.Network/publicIPAddresses", "x"),
        )
    assert e.value.error.code == "InvalidResourceReference"
    assert list(az.network.network_interfaces.list(group)) == []
    assert az.network.subnets.get(group, "vnet1", "default").ip_configurations is None  # no address leaked


def test_vm_that_fails_validation_leaves_no_disk_behind(az, group, subnet_id):
    missing_nic = az.arm.path(group, "Microsoft.Network/networkInterfaces", "missing")
    with pytest.raises(HttpResponseError) as e:
        az.vm(group, "vm1", missing_nic)
    assert e.value.error.code == "InvalidResourceReference"

    nic = az.nic(group, "nic1", subnet_id)
    bad_key = cm.OSProfile(
        computer_name="vm1",
        admin_username="azureuser",
        linux_configuration=cm.LinuxConfiguration(
            disable_password_authentication=True,
            ssh=cm.SshConfiguration(
                public_keys=[cm.SshPublicKey(path="/home/azureuser/.ssh/k", key_data="nope")]
            ),
        ),
    )
    with pytest.raises(HttpResponseError) as e:
        az.vm(group, "vm1", nic.id, os_profile=bad_key)
    assert e.value.status_code == 400 and e.value.error.code == "InvalidParameter"

    with pytest.raises(HttpResponseError) as e:
        az.vm(group, "vm1", nic.id, hardware_profile=cm.HardwareProfile(vm_size="Huge"))
    assert e.value.error.code == "InvalidParameter"

    assert list(az.compute.virtual_machines.list(group)) == []
    assert list(az.compute.disks.list()) == []
    assert az.network.network_interfaces.get(group, "nic1").virtual_machine is None


def test_deleting_what_is_in_use(az, group, subnet_id):
    pip = az.public_ip(group)
    nic = az.nic(group, "nic1", subnet_id, public_ip_id=pip.id)
    vm = az.vm(group, "vm1", nic.id)
    data = az.compute.disks.begin_create_or_update(
        group,
        "data1",
        cm.Disk(location="westeurope", creation_data=cm.CreationData(create_option="Empty"), disk_size_gb=8),
    ).result()
    az.compute.virtual_machines.begin_update(
        group,
        "vm1",
        cm.VirtualMachineUpdate(
            storage_profile=cm.StorageProfile(
                data_disks=[
                    cm.DataDisk(
                        lun=0, create_option="Attach", managed_disk=cm.ManagedDiskParameters(id=data.id)
                    )
                ]
            )
        ),
    ).result()

    cases = [
        (
            lambda: az.network.subnets.begin_delete(group, "vnet1", "default").result(),
            400,
            "InUseSubnetCannotBeDeleted",
        ),
        (
            lambda: az.network.virtual_networks.begin_delete(group, "vnet1").result(),
            400,
            "InUseSubnetCannotBeDeleted",
        ),
        (lambda: az.network.network_interfaces.begin_delete(group, "nic1").result(), 400, "NicInUse"),
        (
            lambda: az.network.public_ip_addresses.begin_delete(group, "pip1").result(),
            400,
            "PublicIPAddressCannotBeDeleted",
        ),
        (lambda: az.compute.disks.begin_delete(group, "data1").result(), 409, "OperationNotAllowed"),
        (
            lambda: az.compute.disks.begin_delete(group, vm.storage_profile.os_disk.name).result(),
            409,
            "OperationNotAllowed",
        ),
    ]
    for delete, status, code in cases:
        with pytest.raises(HttpResponseError) as e:
            delete()
        assert (e.value.status_code, e.value.error.code) == (status, code)

    assert az.names(az.resources.resources.list_by_resource_group(group)) == sorted(
        ["vnet1", "pip1", "nic1", "vm1", "data1", vm.storage_profile.os_disk.name]
    )
    assert (
        az.network.subnets.get(group, "vnet1", "default").ip_configurations[0].id
        == nic.ip_configurations[0].id
    )

    # Once the VM is gone, everything below it can go, in order.
    az.compute.virtual_machines.begin_delete(group, "vm1").result()
    az.compute.disks.begin_delete(group, "data1").result()
    az.network.network_interfaces.begin_delete(group, "nic1").result()
    az.network.public_ip_addresses.begin_delete(group, "pip1").result()
    az.network.subnets.begin_delete(group, "vnet1", "default").result()


def test_property_changes_arm_refuses(az, group):
    az.public_ip(group)
    with pytest.raises(HttpResponseError) as e:
        az.network.public_ip_addresses.begin_create_or_update(
            group,
            "pip1",
            nm.PublicIPAddress(
                location="westeurope",
                sku=nm.PublicIPAddressSku(name="Standard"),
                public_ip_allocation_method="Static",
                public_ip_address_version="IPv6",
            ),
        ).result()
    assert e.value.status_code == 409 and e.value.error.code == "PropertyChangeNotAllowed"
    assert az.network.public_ip_addresses.get(group, "pip1").public_ip_address_version == "IPv4"

    disk = cm.Disk(
        location="westeurope", creation_data=cm.CreationData(create_option="Empty"), disk_size_gb=8
    )
    az.compute.disks.begin_create_or_update(group, "d1", disk).result()
    with pytest.raises(HttpResponseError) as e:
        az.compute.disks.begin_create_or_update(
            group, "d1", cm.Disk(location="westeurope", creation_data=cm.CreationData(create_option="Copy"))
        ).result()
    assert e.value.error.code == "PropertyChangeNotAllowed"
    assert az.compute.disks.get(group, "d1").creation_data.create_option == "Empty"


def test_invalid_names(az, group):
    assert _error(az.arm.request("PUT", az.arm.path(group, VNET, "-vnet"), VNET_BODY)) == (
        400,
        "InvalidResourceName",
    )
    assert _error(az.arm.request("PUT", az.arm.path(group, VNET, "v" * 81), VNET_BODY)) == (
        400,
        "InvalidResourceName",
    )
    storage = {"location": "westeurope", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}
    assert _error(
        az.arm.request(
            "PUT",
            az.arm.path(group, "Microsoft.Storage/storageAccounts", "Not_Valid"),
            storage,
            api_version="2023-05-01",
        )
    ) == (400, "AccountNameInvalid")
    assert _error(
        az.arm.request(
            "PUT", az.arm.group_path("bad*group"), {"location": "westeurope"}, api_version="2024-03-01"
        )
    ) == (400, "InvalidResourceGroup")
    with pytest.raises(HttpResponseError) as e:
        az.network.subnets.begin_create_or_update(
            group, "vnet1", "bad!", nm.Subnet(address_prefix="10.0.1.0/24")
        ).result()
    assert (e.value.status_code, e.value.error.code) == (400, "InvalidResourceName")
    assert list(az.resources.resources.list()) == []
    assert az.names(az.resources.resource_groups.list()) == [group]


def test_a_refused_update_changes_nothing(az, group, subnet_id):
    nic = az.nic(group, "nic1", subnet_id)
    az.vm(group, "vm1", nic.id)
    vms = az.compute.virtual_machines
    before = vms.get(group, "vm1").as_dict()
    with pytest.raises(HttpResponseError) as e:
        vms.begin_update(
            group,
            "vm1",
            cm.VirtualMachineUpdate(
                tags={"half": "written"},
                storage_profile=cm.StorageProfile(
                    data_disks=[
                        cm.DataDisk(lun=0, create_option="Empty", disk_size_gb=8, name="new-disk"),
                        cm.DataDisk(lun=99, create_option="Empty", disk_size_gb=8, name="bad-lun"),
                    ]
                ),
            ),
        ).result()
    assert e.value.error.code == "InvalidParameter"
    assert vms.get(group, "vm1").as_dict() == before
    assert [d.name for d in az.compute.disks.list_by_resource_group(group)] == [
        before["properties"]["storageProfile"]["osDisk"]["name"]
    ]


def test_a_group_whose_resources_are_used_elsewhere_is_not_deleted(az, group):
    vnet = az.vnet(group)
    other = az.group("other")
    az.nic(other, "nic1", vnet.subnets[0].id)
    with pytest.raises(HttpResponseError) as e:
        az.resources.resource_groups.begin_delete(group).result()
    assert e.value.error.code == "InUseSubnetCannotBeDeleted"
    assert az.names(az.resources.resource_groups.list()) == ["other", "rg1"]
    assert az.network.virtual_networks.get(group, "vnet1").id == vnet.id
