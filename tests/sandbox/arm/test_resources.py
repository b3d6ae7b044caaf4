from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.exceptions import ResourceNotFoundError
from azure.core.rest import HttpRequest
from azure.mgmt.network import models as nm
from azure.mgmt.resource.resources import models as rm

STORAGE_API = "2023-05-01"
NETWORK_API = "2024-05-01"


def _storage_id(az, group: str, name: str) -> str:
    return az.arm.path(group, "Microsoft.Storage/storageAccounts", name)


def _storage_account(az, group: str, name: str) -> rm.GenericResource:
    body = rm.GenericResource(
        location="westeurope",
        sku=rm.Sku(name="Standard_LRS"),
        kind="StorageV2",
        properties={"minimumTlsVersion": "TLS1_2"},
    )
    return az.resources.resources.begin_create_or_update_by_id(
        _storage_id(az, group, name), body, api_version=STORAGE_API
    ).result()


def test_resource_group_lifecycle(az):
    groups = az.resources.resource_groups
    created = groups.create_or_update("Web-RG", rm.ResourceGroup(location="West Europe", tags={"env": "dev"}))
    assert created.id == f"/subscriptions/{az.subscription}/resourceGroups/Web-RG"
    assert created.location == "westeurope" and created.properties.provisioning_state == "Succeeded"
    assert groups.check_existence("web-rg") is True
    assert groups.check_existence("nope") is False
    assert groups.get("WEB-RG").name == "Web-RG"  # canonical casing kept

    patched = groups.update("web-rg", rm.ResourceGroupPatchable(tags={"env": "prod", "owner": "ops"}))
    assert patched.tags == {"env": "prod", "owner": "ops"}

    again = groups.create_or_update("web-rg", rm.ResourceGroup(location="westeurope"))
    assert again.name == "Web-RG" and again.tags == {}

    with pytest.raises(HttpResponseError) as e:
        groups.create_or_update("web-rg", rm.ResourceGroup(location="northeurope"))
    assert e.value.status_code == 409 and e.value.error.code == "InvalidResourceGroupLocation"

    az.group("other")
    assert az.names(groups.list()) == ["Web-RG", "other"]
    groups.begin_delete("web-rg").result()
    assert az.names(groups.list()) == ["other"]
    with pytest.raises(ResourceNotFoundError) as e:
        groups.get("web-rg")
    assert e.value.error.code == "ResourceGroupNotFound"


def test_deleting_a_group_deletes_everything_in_it(az, group, subnet_id):
    nic = az.nic(group, "nic1", subnet_id)
    az.vm(group, "vm1", nic.id)
    az.public_ip(group)
    kept = az.group("kept")
    az.vnet(kept)

    az.resources.resource_groups.begin_delete(group).result()
    assert [r.type for r in az.resources.resources.list()] == ["Microsoft.Network/virtualNetworks"]
    assert list(az.compute.disks.list()) == []
    assert az.names(az.network.virtual_networks.list_all()) == ["vnet1"]


def test_generic_resource_api(az, group, subnet_id):
    nic = az.nic(group, "nic1", subnet_id)
    az.public_ip(group)
    res = az.resources.resources

    listed = {r.name: r for r in res.list_by_resource_group(group)}
    assert set(listed) == {"vnet1", "nic1", "pip1"}
    assert listed["nic1"].type == "Microsoft.Network/networkInterfaces"
    assert listed["pip1"].sku.name == "Standard"
    assert {r.name for r in res.list()} == {"vnet1", "nic1", "pip1"}
    only_nics = res.list_by_resource_group(
        group, filter="resourceType eq 'Microsoft.Network/networkInterfaces'"
    )
    assert [r.name for r in only_nics] == ["nic1"]

    got = res.get_by_id(nic.id, api_version=NETWORK_API)
    assert got.id == nic.id and got.properties["ipConfigurations"][0]["name"] == "ipconfig1"
    assert res.check_existence_by_id(nic.id, api_version=NETWORK_API) is True

    patched = res.begin_update_by_id(
        nic.id, rm.GenericResource(tags={"via": "generic"}), api_version=NETWORK_API
    ).result()
    assert patched.tags == {"via": "generic"}
    assert az.network.network_interfaces.get(group, "nic1").tags == {"via": "generic"}

    res.begin_delete_by_id(nic.id, api_version=NETWORK_API).result()
    with pytest.raises(ResourceNotFoundError):
        az.network.network_interfaces.get(group, "nic1")
    assert res.check_existence_by_id(nic.id, api_version=NETWORK_API) is False
    assert {r.name for r in res.list_by_resource_group(group)} == {"vnet1", "pip1"}


def test_storage_account_through_the_generic_api(az, group):
    account = _storage_account(az, group, "bootdiag0001")
    assert account.kind == "StorageV2" and account.sku.name == "Standard_LRS"
    props = account.properties
    assert props["primaryEndpoints"]["blob"] == "https://bootdiag0001.blob.core.windows.net/"
    assert props["accessTier"] == "Hot" and props["provisioningState"] == "Succeeded"

    listed = az.resources.resources.list_by_resource_group(
        group, filter="resourceType eq 'Microsoft.Storage/storageAccounts'"
    )
    assert [r.name for r in listed] == ["bootdiag0001"]

    keys_request = HttpRequest(
        "POST", f"{az.sandbox.url}{_storage_id(az, group, 'bootdiag0001')}/listKeys?api-version={STORAGE_API}"
    )
    keys = az.resources.send_request(keys_request)
    assert keys.status_code == 200
    assert [k["keyName"] for k in keys.json()["keys"]] == ["key1", "key2"]
    assert keys.json() == az.resources.send_request(keys_request).json()  # stable keys

    other = az.group("other")
    with pytest.raises(HttpResponseError) as e:
        _storage_account(az, other, "bootdiag0001")
    assert e.value.status_code == 409 and e.value.error.code == "StorageAccountAlreadyTaken"

    az.resources.resources.begin_delete_by_id(
        _storage_id(az, group, "bootdiag0001"), api_version=STORAGE_API
    ).result()
    assert list(az.resources.resources.list()) == []


def test_names_keep_the_casing_they_were_created_with(az, group):
    vnet = az.vnet(group, "Web-VNet")
    again = az.vnet("RG1", "WEB-VNET")  # an update, whatever the casing of the URL
    assert again.id == vnet.id and again.name == "Web-VNet"
    subnet = az.network.subnets.begin_create_or_update(
        group, "web-vnet", "Apps", nm.Subnet(address_prefix="10.0.2.0/24")
    ).result()
    assert subnet.id == f"{vnet.id}/subnets/Apps"
    assert [r.id for r in az.resources.resources.list()] == [vnet.id]
    nic = az.nic(group, "nic1", f"{vnet.id.replace('Web-VNet', 'WEB-VNET')}/subnets/APPS")  # refs too
    assert nic.ip_configurations[0].private_ip_address == "10.0.2.4"


def test_long_lists_are_paged(az, group):
    assert az.admin("PUT", "settings", {"pageSize": 2}).json()["pageSize"] == 2
    for i in range(5):
        az.public_ip(group, f"pip{i}")
    first = az.arm.request("GET", f"{az.arm.group_path(group)}/providers/Microsoft.Network/publicIPAddresses")
    assert len(first.json()["value"]) == 2 and first.json()["nextLink"]
    assert az.names(az.network.public_ip_addresses.list(group)) == [f"pip{i}" for i in range(5)]
    assert len(list(az.resources.resources.list_by_resource_group(group))) == 5
    assert len(list(az.resources.resource_groups.list())) == 1
