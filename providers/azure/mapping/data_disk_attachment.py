"""azurerm_virtual_machine_data_disk_attachment ↔ an entry of a VM's ``storageProfile.dataDisks``.

There is no ARM resource of its own: as azurerm does, the attachment is written by reading the VM,
editing its data disks and writing the VM back. Its id is ``{vm id}/dataDisks/{disk name}``.
"""

from __future__ import annotations

import copy

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Embedded
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.base import MappingError
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import case_insensitive
from providers.azure.mapping.schema import id_attr

VM_API_VERSION = "2024-03-01"
VM = "Microsoft.Compute/virtualMachines"
_SEGMENT = "/dataDisks/"
_CACHING = ("None", "ReadOnly", "ReadWrite")
_CREATE_OPTIONS = ("Attach", "Empty")


def _split(resource_id: str) -> tuple[str, str]:
    """(VM id, disk name) of an attachment id."""
    at = resource_id.lower().rfind(_SEGMENT.lower())
    if at < 0:
        raise MappingError(f"id: {resource_id!r} is not the id of a Virtual Machine Data Disk Attachment")
    vm_id, disk_name = resource_id[:at], resource_id[at + len(_SEGMENT) :]
    ids.parse(vm_id, VM)
    if not disk_name or "/" in disk_name:
        raise MappingError(f"id: {resource_id!r} is not the id of a Virtual Machine Data Disk Attachment")
    return vm_id, disk_name


def _id(attrs: Attrs, sub: str) -> str:
    ids.parse(attrs["virtual_machine_id"], VM, "virtual_machine_id")
    disk = ids.parse(attrs["managed_disk_id"], "Microsoft.Compute/disks", "managed_disk_id")
    return f"{attrs['virtual_machine_id']}{_SEGMENT}{disk['disks']}"


def _data_disks(vm: Body) -> list[Body]:
    return list(((vm.get("properties") or {}).get("storageProfile") or {}).get("dataDisks") or [])


def _with_data_disks(vm: Body, disks: list[Body]) -> Body:
    body = copy.deepcopy(vm)
    body.setdefault("properties", {}).setdefault("storageProfile", {})["dataDisks"] = disks
    return body


def _insert(vm: Body, resource_id: str, attrs: Attrs) -> Body:
    _, disk_name = _split(resource_id)
    entry: Body = {
        "name": disk_name,
        "lun": int(attrs["lun"]),
        "caching": attrs["caching"],
        "createOption": attrs.get("create_option") or "Attach",
        "managedDisk": {"id": attrs["managed_disk_id"]},
        "writeAcceleratorEnabled": bool(attrs.get("write_accelerator_enabled")),
    }
    disks = [d for d in _data_disks(vm) if d.get("name") != disk_name]
    return _with_data_disks(vm, [*disks, entry])


def _remove(vm: Body, resource_id: str, attrs: Attrs) -> Body:
    _, disk_name = _split(resource_id)
    return _with_data_disks(vm, [d for d in _data_disks(vm) if d.get("name") != disk_name])


def _extract(vm: Body, resource_id: str, prior: Attrs | None) -> Attrs | None:
    _, disk_name = _split(resource_id)
    # azurerm matches the name exactly: ARM keeps the casing it was given
    disk = next((d for d in _data_disks(vm) if d.get("name") == disk_name), None)
    if disk is None:
        return None
    return {
        "id": f"{vm['id']}{_SEGMENT}{disk['name']}",
        "virtual_machine_id": vm["id"],
        "managed_disk_id": (disk.get("managedDisk") or {}).get("id"),
        "lun": disk.get("lun"),
        "caching": disk.get("caching"),
        "create_option": disk.get("createOption"),
        "write_accelerator_enabled": bool(disk.get("writeAcceleratorEnabled")),
    }


def _validate(config: Attrs) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    lun = config.get("lun")
    if isinstance(lun, int | float) and lun < 0:
        problems.append(("lun", f"expected lun to be at least (0), got {lun}"))
    return problems


MAPPING = Mapping(
    tf_type="azurerm_virtual_machine_data_disk_attachment",
    arm_type=VM,
    api_version=VM_API_VERSION,
    schema=(
        id_attr(),
        Attr("managed_disk_id", required=True, force_new=True, normalize=case_insensitive),
        Attr("virtual_machine_id", required=True, force_new=True),
        Attr("lun", Kind.NUMBER, required=True, force_new=True),
        Attr("caching", required=True, normalize=case_insensitive, one_of=_CACHING, one_of_ignore_case=True),
        Attr(
            "create_option",
            optional=True,
            default="Attach",
            force_new=True,
            normalize=case_insensitive,
            one_of=_CREATE_OPTIONS,
            one_of_ignore_case=True,
        ),
        Attr("write_accelerator_enabled", Kind.BOOL, optional=True, default=False),
    ),
    id_of=_id,
    to_arm=lambda attrs, current: _insert(current or {}, _id(attrs, ""), attrs),
    from_arm=lambda body, prior: _extract(body, (prior or {}).get("id", ""), prior) or {},
    embedded=Embedded(
        parent_of=lambda resource_id: _split(resource_id)[0],
        parent_api_version=VM_API_VERSION,
        insert=_insert,
        remove=_remove,
        extract=_extract,
    ),
    validate=_validate,
)
