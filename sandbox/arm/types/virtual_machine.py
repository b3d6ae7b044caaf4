"""Microsoft.Compute/virtualMachines.

As in Azure, a VM created from an image gets its OS disk as a separate ``Microsoft.Compute/disks``
resource, and empty data disks become managed disks too; deleting the VM deletes those disks only when
their ``deleteOption`` says so.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.arm import ids
from sandbox.arm.errors import ArmError
from sandbox.arm.errors import invalid_parameter
from sandbox.arm.types import versions
from sandbox.arm.types import vm_os_profile
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType
from sandbox.arm.types.base import Tx
from sandbox.arm.types.base import dig
from sandbox.arm.types.base import one_of
from sandbox.arm.types.base import require
from sandbox.arm.types.base import set_default
from sandbox.arm.types.disk import SKUS as DISK_SKUS

_SIZE = re.compile(r"^(Standard|Basic)_[A-Z][A-Za-z0-9_-]*$")
_POWER = {"running": "VM running", "stopped": "VM stopped", "deallocated": "VM deallocated"}
#: what the guest agent reports in the instance view
_OS_NAMES = {
    "Linux": {"osName": "ubuntu", "osVersion": "22.04"},
    "Windows": {"osName": "Windows Server 2022 Datacenter", "osVersion": "10.0.20348"},
}


def _disk_id(body: Body, name: str) -> str:
    rid = ids.parse(body["id"])
    assert rid is not None
    return str(rid._replace(types=("disks",), names=(name,)))


def _prepare(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    size = require(body, "properties.hardwareProfile.vmSize")
    if not isinstance(size, str) or not _SIZE.match(size):
        raise ArmError(
            400,
            "InvalidParameter",
            f"The value {size} provided for the VM size is not valid. Target: 'vmSize'.",
        )
    priority = one_of(body, "properties.priority", ("Regular", "Low", "Spot"), default="Regular")
    if priority == "Regular":
        if props.get("evictionPolicy"):
            raise ArmError(
                400,
                "InvalidParameter",
                "Eviction policy can be set only on Spot or Low priority virtual machines. "
                "Target: 'evictionPolicy'.",
            )
    else:
        one_of(body, "properties.evictionPolicy", ("Deallocate", "Delete"), default="Deallocate")
        set_default(props, "billingProfile", {"maxPrice": -1})
    os = vm_os_profile.os_type(body, old)
    vm_os_profile.prepare(body, old, os)
    _prepare_network(tx, body)
    _prepare_availability_set(tx, body, old)
    _prepare_os_disk(tx, body, old, os)
    _prepare_data_disks(tx, body, old)
    boot = dig(props, "diagnosticsProfile.bootDiagnostics")
    if boot is not None:
        set_default(boot, "enabled", False)
    props["vmId"] = dig(old, "properties.vmId") or tx.guid()
    props["timeCreated"] = dig(old, "properties.timeCreated") or tx.now.isoformat().replace("+00:00", "Z")
    body["_sandbox"] = (old or {}).get("_sandbox") or {"powerState": "running"}


def _prepare_network(tx: Tx, body: Body) -> None:
    nics = dig(body, "properties.networkProfile.networkInterfaces") or []
    if not nics:
        raise ArmError(
            400,
            "InvalidParameter",
            "Required parameter 'networkProfile' is missing (null). Target: 'networkProfile'.",
        )
    for index, nic in enumerate(nics):
        set_default(nic, "properties.primary", index == 0)
        for owner in tx.referrers(require(nic, "id")):
            if owner.get("type") == body["type"] and owner["id"].lower() != body["id"].lower():
                raise ArmError(
                    400,
                    "NicInUse",
                    f"Network Interface {nic['id']} is used by existing resource {owner['id']}.",
                )


def _prepare_availability_set(tx: Tx, body: Body, old: Body | None) -> None:
    """A VM joins an availability set when it is created, never later; it then has no zone."""
    props = body["properties"]
    wanted = dig(props, "availabilitySet.id")
    if old is not None:
        before = dig(old, "properties.availabilitySet.id")
        if "availabilitySet" not in props and before:
            props["availabilitySet"], wanted = {"id": before}, before
        if str(wanted or "").lower() != str(before or "").lower():
            raise ArmError(
                409, "PropertyChangeNotAllowed", "Changing property 'availabilitySet.id' is not allowed."
            )
    if not wanted:
        return
    if body.get("zones"):
        raise invalid_parameter(
            "zones", "Virtual Machines in an Availability Set cannot be placed in an Availability Zone."
        )
    avset = tx.get(wanted)
    if avset is not None and dig(avset, "sku.name") != "Aligned":
        raise ArmError(
            409,
            "OperationNotAllowed",
            "Addition of a VM with managed disks to non-managed Availability Set or addition of a VM with "
            "blob based disks to managed Availability Set is not supported. Please create an Availability "
            "Set with 'use managed disk' property set in order to add a VM with managed disks to it.",
        )


def _prepare_os_disk(tx: Tx, body: Body, old: Body | None, os: str) -> None:
    props = body["properties"]
    storage = props.setdefault("storageProfile", {})
    os_disk = storage.setdefault("osDisk", {})
    previous = dig(old, "properties.storageProfile.osDisk") or {}
    option = one_of(body, "properties.storageProfile.osDisk.createOption", ("FromImage", "Attach", "Empty"),
                    default="FromImage")  # fmt: skip
    one_of(
        body,
        "properties.storageProfile.osDisk.caching",
        ("None", "ReadOnly", "ReadWrite"),
        default="ReadWrite",
    )
    one_of(body, "properties.storageProfile.osDisk.deleteOption", ("Delete", "Detach"), default="Detach")
    os_disk["osType"] = os
    if option == "FromImage":
        if old is None:
            require(body, "properties.storageProfile.imageReference")
        elif not storage.get("imageReference"):
            storage["imageReference"] = dig(old, "properties.storageProfile.imageReference")
        image = storage["imageReference"]
        if not image.get("id"):
            for part in ("publisher", "offer", "sku"):
                require(image, part, f"Required parameter 'imageReference.{part}' is missing (null).")
            set_default(image, "version", "latest")
            image["exactVersion"] = "1.0.0" if image["version"] == "latest" else image["version"]
    name = (
        os_disk.get("name") or previous.get("name") or f"{body['name']}_OsDisk_1_{tx.guid().replace('-', '')}"
    )
    os_disk["name"] = name
    managed = os_disk.setdefault("managedDisk", {})
    sku = one_of(body, "properties.storageProfile.osDisk.managedDisk.storageAccountType", DISK_SKUS,
                 default=dig(previous, "managedDisk.storageAccountType") or "Standard_LRS")  # fmt: skip
    disk_id = managed.get("id") or dig(previous, "managedDisk.id") or _disk_id(body, name)
    managed["id"] = disk_id
    existing = tx.get(disk_id)
    if option == "Attach":
        if existing is None:
            return  # the reference check answers
        os_disk["diskSizeGB"] = dig(existing, "properties.diskSizeGB")
        return
    size = os_disk.get("diskSizeGB") or previous.get("diskSizeGB") or 30
    os_disk["diskSizeGB"] = size
    if existing is None:
        if old is not None:
            return  # deleted out from under the VM; the reference check answers
        disk: dict[str, Any] = {
            "location": body["location"],
            "sku": {"name": sku},
            "properties": {
                "osType": os_disk["osType"],
                "creationData": {"createOption": "FromImage", "imageReference": {"id": _image_id(body)}},
                "diskSizeGB": size,
            },
        }
        if body.get("zones"):
            disk["zones"] = body["zones"]
        tx.put(disk_id, disk)
    elif dig(existing, "properties.diskSizeGB") != size or dig(existing, "sku.name") != sku:
        tx.put(
            disk_id,
            {**existing, "sku": {"name": sku}, "properties": {**existing["properties"], "diskSizeGB": size}},
        )


def _image_id(body: Body) -> str:
    image = dig(body, "properties.storageProfile.imageReference") or {}
    if image.get("id"):
        return str(image["id"])
    return (
        f"/Subscriptions/{body['id'].split('/')[2]}/Providers/Microsoft.Compute/Locations/{body['location']}"
        f"/Publishers/{image.get('publisher')}/ArtifactTypes/VMImage/Offers/{image.get('offer')}"
        f"/Skus/{image.get('sku')}/Versions/{image.get('exactVersion', image.get('version'))}"
    )


def _prepare_data_disks(tx: Tx, body: Body, old: Body | None) -> None:
    disks = dig(body, "properties.storageProfile.dataDisks") or []
    body["properties"]["storageProfile"]["dataDisks"] = disks
    luns: set[int] = set()
    for disk in disks:
        lun = disk.get("lun")
        if not isinstance(lun, int) or not 0 <= lun <= 63:
            raise ArmError(
                400, "InvalidParameter", f"The value {lun} of parameter 'lun' is invalid. Target: 'lun'."
            )
        if lun in luns:
            raise ArmError(
                400, "InvalidParameter", f"A disk at LUN {lun} already exists. Target: 'dataDisks'."
            )
        luns.add(lun)
        option = one_of(disk, "createOption", ("Attach", "Empty", "FromImage"))
        require(disk, "createOption")
        one_of(disk, "caching", ("None", "ReadOnly", "ReadWrite"), default="None")
        one_of(disk, "deleteOption", ("Delete", "Detach"), default="Detach")
        set_default(disk, "writeAcceleratorEnabled", False)
        set_default(disk, "toBeDetached", False)
        managed = disk.setdefault("managedDisk", {})
        if option == "Attach":
            disk_id = require(
                disk, "managedDisk.id", "Required parameter 'managedDisk.id' is missing (null)."
            )
            existing = tx.get(disk_id)
            if existing is None:
                continue  # the reference check answers
            for owner in tx.referrers(disk_id):
                if owner.get("type") == body["type"] and owner["id"].lower() != body["id"].lower():
                    raise ArmError(
                        409,
                        "OperationNotAllowed",
                        f"Disk {existing['name']} is already attached to VM {owner['id']}.",
                    )
            disk["name"] = existing["name"]
            disk["diskSizeGB"] = dig(existing, "properties.diskSizeGB")
            managed["storageAccountType"] = dig(existing, "sku.name")
            managed["id"] = existing["id"]
        elif option == "Empty":
            name = disk.get("name") or f"{body['name']}_DataDisk_{lun}"
            disk["name"] = name
            disk_id = managed.get("id") or _disk_id(body, name)
            managed["id"] = disk_id
            size = require(disk, "diskSizeGB")
            sku = one_of(disk, "managedDisk.storageAccountType", DISK_SKUS, default="Standard_LRS")
            if tx.get(disk_id) is None:
                tx.put(
                    disk_id,
                    {
                        "location": body["location"],
                        "sku": {"name": sku},
                        "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": size},
                    },
                )


def _before_delete(tx: Tx, body: Body, old: Body | None) -> None:
    storage = dig(body, "properties.storageProfile") or {}
    doomed = []
    os_disk = storage.get("osDisk") or {}
    if os_disk.get("deleteOption") == "Delete":
        doomed.append(dig(os_disk, "managedDisk.id"))
    doomed += [
        dig(d, "managedDisk.id") for d in storage.get("dataDisks", []) if d.get("deleteOption") == "Delete"
    ]
    doomed += [
        n["id"]
        for n in dig(body, "properties.networkProfile.networkInterfaces") or []
        if dig(n, "properties.deleteOption") == "Delete"
    ]
    for rid in doomed:
        if rid:
            tx.delete(rid)


def _power(state: str) -> Any:
    def action(tx: Tx, body: Body, payload: Body) -> tuple[int, Body | None]:
        body.setdefault("_sandbox", {})["powerState"] = state
        return 200, None

    return action


def _instance_view(tx: Tx, body: Body, payload: Body) -> tuple[int, Body | None]:
    power = body.get("_sandbox", {}).get("powerState", "running")
    at = body["properties"].get("timeCreated")
    storage = body["properties"].get("storageProfile", {})
    disk_names = [dig(storage, "osDisk.name")] + [d.get("name") for d in storage.get("dataDisks", [])]
    view: Body = {
        "computerName": dig(body, "properties.osProfile.computerName"),
        **_OS_NAMES[dig(storage, "osDisk.osType") or "Linux"],
        "vmAgent": {"vmAgentVersion": "2.10.0.8", "statuses": []},
        "disks": [
            {
                "name": n,
                "statuses": [
                    {
                        "code": "ProvisioningState/succeeded",
                        "level": "Info",
                        "displayStatus": "Provisioning succeeded",
                        "time": at,
                    }
                ],
            }
            for n in disk_names
            if n
        ],
        "hyperVGeneration": "V2",
        "statuses": [
            {
                "code": "ProvisioningState/succeeded",
                "level": "Info",
                "displayStatus": "Provisioning succeeded",
                "time": at,
            },
            {"code": f"PowerState/{power}", "level": "Info", "displayStatus": _POWER[power]},
        ],
    }
    if dig(body, "properties.diagnosticsProfile.bootDiagnostics.enabled"):
        view["bootDiagnostics"] = {}
    return 200, view


TYPE = ResourceType(
    type_name="Microsoft.Compute/virtualMachines",
    api_versions=versions.VIRTUAL_MACHINES,
    name_pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]$|^[A-Za-z0-9]$",
    name_rule="1-64 letters, digits, '_', '.', '-'",
    immutable=(
        "properties.priority",
        "properties.evictionPolicy",
        "properties.osProfile.adminUsername",
        "properties.osProfile.computerName",
        "properties.osProfile.windowsConfiguration.enableAutomaticUpdates",
        "properties.osProfile.windowsConfiguration.timeZone",
        "properties.storageProfile.osDisk.osType",
        "properties.storageProfile.osDisk.name",
        # "Changing property 'osDisk.managedDisk.storageAccountType' is not allowed." (the disk API can)
        "properties.storageProfile.osDisk.managedDisk.storageAccountType",
        "properties.storageProfile.imageReference.publisher",
        "properties.storageProfile.imageReference.offer",
        "properties.storageProfile.imageReference.sku",
        "zones",
    ),
    refs=(
        "properties.networkProfile.networkInterfaces[*].id",
        "properties.storageProfile.osDisk.managedDisk.id",
        "properties.storageProfile.dataDisks[*].managedDisk.id",
        "properties.availabilitySet.id",
    ),
    in_use_code="OperationNotAllowed",
    in_use_status=409,
    prepare=_prepare,
    before_delete=_before_delete,
    actions={
        "start": _power("running"),
        "powerOff": _power("stopped"),
        "deallocate": _power("deallocated"),
        "restart": _power("running"),
        "instanceView": _instance_view,
    },
)
