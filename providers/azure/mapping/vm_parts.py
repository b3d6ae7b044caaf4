"""The blocks a Linux and a Windows VM share (OS disk, image, boot diagnostics, capabilities, security),
both ways: their schema, their ARM shape and their attributes read back from ARM.
"""

from __future__ import annotations

from typing import Any

from providers.azure.mapping.base import Body
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import case_insensitive

CACHING = ("None", "ReadOnly", "ReadWrite")
OS_DISK_TYPES = ("Premium_LRS", "Standard_LRS", "StandardSSD_LRS", "StandardSSD_ZRS", "Premium_ZRS")
ASSESSMENT_MODES = ("AutomaticByPlatform", "ImageDefault")
_IMAGE_PARTS = ("publisher", "offer", "sku", "version")

OS_DISK = Block(
    "os_disk",
    (
        Attr("caching", required=True, one_of=CACHING),
        # ARM refuses to change it in place ("Changing property 'osDisk.managedDisk.storageAccountType'")
        Attr("storage_account_type", required=True, force_new=True, one_of=OS_DISK_TYPES),
        Attr("disk_encryption_set_id", optional=True, normalize=case_insensitive),
        Attr("disk_size_gb", Kind.NUMBER, optional=True, computed=True),
        Attr("name", optional=True, computed=True, force_new=True),
        Attr("secure_vm_disk_encryption_set_id", optional=True, force_new=True),
        Attr("security_encryption_type", optional=True, force_new=True),
        Attr("write_accelerator_enabled", Kind.BOOL, optional=True, default=False),
        Attr("id", computed=True),
    ),
    min_items=1,
    max_items=1,
)

IMAGE = Block(
    "source_image_reference",
    tuple(Attr(part, required=True, force_new=True) for part in _IMAGE_PARTS),
    max_items=1,
    force_new=True,
)

BOOT_DIAGNOSTICS = Block("boot_diagnostics", (Attr("storage_account_uri", optional=True),), max_items=1)

CAPABILITIES = Block(
    "additional_capabilities",
    (
        Attr("ultra_ssd_enabled", Kind.BOOL, optional=True, default=False),
        Attr("hibernation_enabled", Kind.BOOL, optional=True, default=False),
    ),
    max_items=1,
)


# -- to ARM ------------------------------------------------------------------------------------------


def storage_profile(attrs: Attrs, current: Body | None, os_type: str) -> Body:
    [disk] = attrs.get("os_disk") or [{}]
    live = ((current or {}).get("properties") or {}).get("storageProfile") or {}
    managed: Body = {"storageAccountType": disk.get("storage_account_type")}
    live_id = ((live.get("osDisk") or {}).get("managedDisk") or {}).get("id")
    if live_id:
        managed["id"] = live_id
    if disk.get("disk_encryption_set_id"):
        managed["diskEncryptionSet"] = {"id": disk["disk_encryption_set_id"]}
    if disk.get("security_encryption_type"):
        managed["securityProfile"] = {"securityEncryptionType": disk["security_encryption_type"]}
        if disk.get("secure_vm_disk_encryption_set_id"):
            managed["securityProfile"]["diskEncryptionSet"] = {"id": disk["secure_vm_disk_encryption_set_id"]}
    os_disk: Body = {
        "caching": disk.get("caching"),
        "createOption": "FromImage",
        "osType": os_type,
        "managedDisk": managed,
        "writeAcceleratorEnabled": bool(disk.get("write_accelerator_enabled")),
    }
    if disk.get("disk_size_gb"):
        os_disk["diskSizeGB"] = int(disk["disk_size_gb"])
    if disk.get("name"):
        os_disk["name"] = disk["name"]
    profile: Body = {
        "osDisk": os_disk,
        # Data disks belong to azurerm_virtual_machine_data_disk_attachment: the live ones stay as they are.
        "dataDisks": list(live.get("dataDisks") or []),
    }
    image = (attrs.get("source_image_reference") or [None])[0]
    if attrs.get("source_image_id"):
        profile["imageReference"] = {"id": attrs["source_image_id"]}
    elif image:
        profile["imageReference"] = {k: image[k] for k in _IMAGE_PARTS}
    if attrs.get("disk_controller_type"):
        profile["diskControllerType"] = attrs["disk_controller_type"]
    return profile


def boot_diagnostics(blocks: list[Any] | None) -> Body:
    # No block: disabled. An empty block: managed storage. A storage account URI: that account.
    if not blocks:
        return {"enabled": False, "storageUri": ""}
    uri = (blocks[0] or {}).get("storage_account_uri")
    return {"enabled": True, "storageUri": uri or ""}


def capabilities(blocks: list[Any] | None) -> Body:
    if not blocks:
        return {}
    return {
        "ultraSSDEnabled": bool(blocks[0].get("ultra_ssd_enabled")),
        "hibernationEnabled": bool(blocks[0].get("hibernation_enabled")),
    }


def security_profile(attrs: Attrs) -> Body:
    profile: Body = {}
    if attrs.get("encryption_at_host_enabled") is not None:
        profile["encryptionAtHost"] = bool(attrs["encryption_at_host_enabled"])
    [disk] = attrs.get("os_disk") or [{}]
    uefi: Body = {}
    if attrs.get("secure_boot_enabled"):
        uefi["secureBootEnabled"] = True
    if attrs.get("vtpm_enabled"):
        uefi["vTpmEnabled"] = True
    if disk.get("security_encryption_type"):
        profile["securityType"] = "ConfidentialVM"
        uefi = {"secureBootEnabled": bool(attrs.get("secure_boot_enabled")), "vTpmEnabled": True}
    elif uefi:
        profile["securityType"] = "TrustedLaunch"
    if uefi:
        profile["uefiSettings"] = uefi
    return profile


# -- from ARM ----------------------------------------------------------------------------------------


def os_disk_block(disk: Body | None) -> list[Attrs]:
    if not disk:
        return []
    managed = disk.get("managedDisk") or {}
    security = managed.get("securityProfile") or {}
    return [
        {
            "caching": disk.get("caching"),
            "storage_account_type": managed.get("storageAccountType"),
            "disk_encryption_set_id": (managed.get("diskEncryptionSet") or {}).get("id"),
            "disk_size_gb": disk.get("diskSizeGB"),
            "name": disk.get("name"),
            "secure_vm_disk_encryption_set_id": (security.get("diskEncryptionSet") or {}).get("id"),
            "security_encryption_type": security.get("securityEncryptionType"),
            "write_accelerator_enabled": bool(disk.get("writeAcceleratorEnabled")),
            "id": managed.get("id"),
        }
    ]


def image_attrs(image: Body) -> Attrs:
    """``source_image_id`` or ``source_image_reference``, whichever the image reference holds."""
    image_id = image.get("id") or image.get("communityGalleryImageId") or image.get("sharedGalleryImageId")
    return {
        "source_image_id": image_id,
        "source_image_reference": []
        if image_id or not image.get("publisher")
        else [{k: image.get(k) for k in _IMAGE_PARTS}],
    }


def boot_diagnostics_block(profile: Body | None) -> list[Attrs]:
    boot = (profile or {}).get("bootDiagnostics") or {}
    if not boot.get("enabled"):
        return []
    return [{"storage_account_uri": boot.get("storageUri") or None}]


def capabilities_block(capabilities: Body | None) -> list[Attrs]:
    if not capabilities:
        return []
    return [
        {
            "ultra_ssd_enabled": bool(capabilities.get("ultraSSDEnabled")),
            "hibernation_enabled": bool(capabilities.get("hibernationEnabled")),
        }
    ]


def security_attrs(security: Body) -> Attrs:
    uefi = security.get("uefiSettings") or {}
    return {
        "encryption_at_host_enabled": bool(security.get("encryptionAtHost")),
        "secure_boot_enabled": bool(uefi.get("secureBootEnabled")),
        "vtpm_enabled": bool(uefi.get("vTpmEnabled")),
    }
