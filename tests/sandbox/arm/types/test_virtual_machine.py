"""Windows VMs in the emulator through the real Azure SDK: Windows images, windowsConfiguration, and a
password ARM takes on creation and never returns. (Linux VMs: tests/sandbox/arm/test_compute.py.)
"""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.compute import models as cm

PASSWORD = "Sandbox-Passw0rd!"
WINDOWS = cm.ImageReference(
    publisher="MicrosoftWindowsServer",
    offer="WindowsServer",
    sku="2022-datacenter-azure-edition",
    version="latest",
)
COMPUTE_API = "2024-07-01"


def _windows(az, group: str, name: str, nic_id: str, **profile: Any) -> cm.VirtualMachine:
    fields: dict[str, Any] = {
        "computer_name": name,
        "admin_username": "azureadmin",
        "admin_password": PASSWORD,
    }
    fields.update(profile)
    storage = cm.StorageProfile(
        image_reference=WINDOWS,
        os_disk=cm.OSDisk(
            create_option="FromImage",
            managed_disk=cm.ManagedDiskParameters(storage_account_type="Premium_LRS"),
        ),
    )
    return az.vm(group, name, nic_id, storage_profile=storage, os_profile=cm.OSProfile(**fields))


def test_windows_vm_from_a_windows_image(az, group, subnet_id):
    nic = az.nic(group, "nic1", subnet_id)
    vm = _windows(az, group, "win1", nic.id, windows_configuration=cm.WindowsConfiguration(time_zone="UTC"))
    assert vm.storage_profile.os_disk.os_type == "Windows"  # from the image: the request named no OS
    windows = vm.os_profile.windows_configuration
    assert windows.provision_vm_agent is True and windows.enable_automatic_updates is True
    assert windows.patch_settings.patch_mode == "AutomaticByOS" and windows.time_zone == "UTC"
    assert vm.os_profile.linux_configuration is None
    assert az.compute.disks.get(group, vm.storage_profile.os_disk.name).os_type == "Windows"
    view = az.compute.virtual_machines.instance_view(group, "win1")
    assert view.os_name.startswith("Windows Server") and view.computer_name == "win1"

    # The password is write-only: not in the SDK's model, not anywhere in the wire body.
    assert vm.os_profile.admin_password is None
    raw = az.arm.request("GET", vm.id, api_version=COMPUTE_API)
    assert raw.status_code == 200 and PASSWORD not in raw.text and "adminPassword" not in raw.text

    # Automatic updates are fixed at creation, as in Azure; the patch mode is not.
    vms = az.compute.virtual_machines
    with pytest.raises(HttpResponseError) as e:
        off = cm.OSProfile(windows_configuration=cm.WindowsConfiguration(enable_automatic_updates=False))
        vms.begin_update(group, "win1", cm.VirtualMachineUpdate(os_profile=off)).result()
    assert e.value.status_code == 409 and "enableAutomaticUpdates" in e.value.error.message
    manual = cm.OSProfile(
        windows_configuration=cm.WindowsConfiguration(patch_settings=cm.PatchSettings(patch_mode="Manual"))
    )
    updated = vms.begin_update(group, "win1", cm.VirtualMachineUpdate(os_profile=manual)).result()
    assert updated.os_profile.windows_configuration.patch_settings.patch_mode == "Manual"


@pytest.mark.parametrize(
    ("profile", "target"),
    [
        ({"admin_password": None}, "adminPassword"),
        ({"admin_password": "password"}, "adminPassword"),  # 2 of the 4 character classes
        ({"computer_name": "a-far-too-long-name"}, "computerName"),
        ({"computer_name": "12345"}, "computerName"),
        (
            {"linux_configuration": cm.LinuxConfiguration(disable_password_authentication=False)},
            "linuxConfiguration",
        ),
    ],
)
def test_windows_profile_refusals(az, group, subnet_id, profile, target):
    nic = az.nic(group, "nic1", subnet_id)
    with pytest.raises(HttpResponseError) as e:
        _windows(az, group, "win1", nic.id, **profile)
    assert e.value.status_code == 400 and e.value.error.code == "InvalidParameter"
    assert f"Target: '{target}'" in e.value.error.message
    assert list(az.compute.virtual_machines.list(group)) == []
