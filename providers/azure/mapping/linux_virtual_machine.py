"""azurerm_linux_virtual_machine ↔ Microsoft.Compute/virtualMachines.

As in azurerm: the OS disk is created with the VM (ARM makes it a ``Microsoft.Compute/disks`` resource
of its own) and deleted with it when ``features.virtual_machine.delete_os_disk_on_deletion`` says so;
data disks belong to ``azurerm_virtual_machine_data_disk_attachment`` and are kept as they are; the
password and custom data are write-only (ARM never returns them), so state keeps the values it had;
the IP addresses come from reading the VM's network interfaces and their public IPs.
"""

from __future__ import annotations

import re
from typing import Any

from tf.types import Unknown

from providers.azure.mapping import ids, vm_addresses
from providers.azure.mapping.base import LOOKUPS, Body, Mapping, MappingError
from providers.azure.mapping.schema import (
    Attr,
    Attrs,
    Block,
    Kind,
    case_insensitive,
    id_attr,
    location,
    name,
    resource_group_name,
    tags,
)

API_VERSION = "2024-03-01"
VM = "Microsoft.Compute/virtualMachines"

_CACHING = ("None", "ReadOnly", "ReadWrite")
_PATCH_MODES = ("AutomaticByPlatform", "ImageDefault")
_OS_DISK_TYPES = ("Premium_LRS", "Standard_LRS", "StandardSSD_LRS", "StandardSSD_ZRS", "Premium_ZRS")
_KEY_PATH = re.compile(r"(/home/)+(?P<username>.*?)(/.ssh/authorized_keys)+")


def _ssh_key(value: Any) -> Any:
    """azurerm's SSH key diff suppression: line breaks and surrounding blanks do not matter."""
    return re.sub(r"[\r\n]", "", value).strip() if isinstance(value, str) else value


_OS_DISK = Block(
    "os_disk",
    (
        Attr("caching", required=True, one_of=_CACHING),
        # ARM refuses to change it in place ("Changing property 'osDisk.managedDisk.storageAccountType'")
        Attr("storage_account_type", required=True, force_new=True, one_of=_OS_DISK_TYPES),
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

_SSH_KEYS = Block(
    "admin_ssh_key",
    (Attr("public_key", required=True, normalize=_ssh_key), Attr("username", required=True)),
    set_nested=True,
    # ARM: "Changing property 'linuxConfiguration.ssh.publicKeys' is not allowed."
    force_new=True,
)

_IMAGE = Block(
    "source_image_reference",
    tuple(Attr(part, required=True, force_new=True) for part in ("publisher", "offer", "sku", "version")),
    max_items=1,
    force_new=True,
)

_BOOT_DIAGNOSTICS = Block("boot_diagnostics", (Attr("storage_account_uri", optional=True),), max_items=1)

_CAPABILITIES = Block(
    "additional_capabilities",
    (
        Attr("ultra_ssd_enabled", Kind.BOOL, optional=True, default=False),
        Attr("hibernation_enabled", Kind.BOOL, optional=True, default=False),
    ),
    max_items=1,
)

#: optional references azurerm passes through as ``{"id": ...}`` sub-resources
_REFERENCES = (
    ("availability_set_id", "availabilitySet"),
    ("proximity_placement_group_id", "proximityPlacementGroup"),
    ("dedicated_host_id", "host"),
    ("dedicated_host_group_id", "hostGroup"),
    ("virtual_machine_scale_set_id", "virtualMachineScaleSet"),
)


def _id(attrs: Attrs, sub: str) -> str:
    return ids.resource_id(sub, attrs["resource_group_name"], VM, attrs["name"])


# -- to ARM ------------------------------------------------------------------------------------------


def _to_arm(attrs: Attrs, current: Body | None) -> Body:
    problem = _creation_problem(attrs) if current is None else None
    if problem:
        raise MappingError(problem)
    props: Body = {
        "hardwareProfile": {"vmSize": attrs["size"]},
        "osProfile": _os_profile(attrs, creating=current is None),
        "networkProfile": {
            "networkInterfaces": [
                {"id": nic, "properties": {"primary": index == 0}}
                for index, nic in enumerate(attrs.get("network_interface_ids") or [])
            ]
        },
        "priority": attrs.get("priority") or "Regular",
        "storageProfile": _storage_profile(attrs, current),
        "diagnosticsProfile": {"bootDiagnostics": _boot_diagnostics(attrs.get("boot_diagnostics") or [])},
        "extensionsTimeBudget": attrs.get("extensions_time_budget") or "PT1H30M",
    }
    if attrs.get("eviction_policy"):
        props["evictionPolicy"] = attrs["eviction_policy"]
    price = attrs.get("max_bid_price")
    if isinstance(price, int | float) and price > 0:
        props["billingProfile"] = {"maxPrice": price}
    for key, arm in _REFERENCES:
        if attrs.get(key):
            props[arm] = {"id": attrs[key]}
    if attrs.get("capacity_reservation_group_id"):
        props["capacityReservation"] = {
            "capacityReservationGroup": {"id": attrs["capacity_reservation_group_id"]}
        }
    fault_domain = attrs.get("platform_fault_domain")
    if fault_domain is not None and fault_domain != -1:
        props["platformFaultDomain"] = int(fault_domain)
    if attrs.get("license_type"):
        props["licenseType"] = attrs["license_type"]
    if attrs.get("user_data"):
        props["userData"] = attrs["user_data"]
    capabilities = attrs.get("additional_capabilities") or []
    if capabilities:
        props["additionalCapabilities"] = {
            "ultraSSDEnabled": bool(capabilities[0].get("ultra_ssd_enabled")),
            "hibernationEnabled": bool(capabilities[0].get("hibernation_enabled")),
        }
    security = _security_profile(attrs)
    if security:
        props["securityProfile"] = security
    body: Body = {"location": attrs["location"], "tags": attrs.get("tags") or {}, "properties": props}
    if attrs.get("zone"):
        body["zones"] = [attrs["zone"]]
    return body


def _os_profile(attrs: Attrs, creating: bool) -> Body:
    patch: Body = {
        "patchMode": attrs.get("patch_mode") or "ImageDefault",
        "assessmentMode": attrs.get("patch_assessment_mode") or "ImageDefault",
    }
    automatic: Body = {}
    if attrs.get("bypass_platform_safety_checks_on_user_schedule_enabled"):
        automatic["bypassPlatformSafetyChecksOnUserSchedule"] = True
    if attrs.get("reboot_setting"):
        automatic["rebootSetting"] = attrs["reboot_setting"]
    if automatic:
        patch["automaticByPlatformSettings"] = automatic
    disable_password = attrs.get("disable_password_authentication") is not False
    profile: Body = {
        "adminUsername": attrs["admin_username"],
        "computerName": attrs.get("computer_name") or attrs["name"],
        "allowExtensionOperations": attrs.get("allow_extension_operations") is not False,
        "linuxConfiguration": {
            "disablePasswordAuthentication": disable_password,
            "provisionVMAgent": attrs.get("provision_vm_agent") is not False,
            "ssh": {
                "publicKeys": [
                    {"path": f"/home/{key['username']}/.ssh/authorized_keys", "keyData": key["public_key"]}
                    for key in attrs.get("admin_ssh_key") or []
                ]
            },
            "patchSettings": patch,
        },
        "secrets": [],
    }
    # Write-only values ARM accepts on creation only (both force replacement when changed)
    if creating and not disable_password and attrs.get("admin_password"):
        profile["adminPassword"] = attrs["admin_password"]
    if creating and attrs.get("custom_data"):
        profile["customData"] = attrs["custom_data"]
    return profile


def _storage_profile(attrs: Attrs, current: Body | None) -> Body:
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
        "osType": "Linux",
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
        profile["imageReference"] = {k: image[k] for k in ("publisher", "offer", "sku", "version")}
    if attrs.get("disk_controller_type"):
        profile["diskControllerType"] = attrs["disk_controller_type"]
    return profile


def _boot_diagnostics(blocks: list[Any]) -> Body:
    # No block: disabled. An empty block: managed storage. A storage account URI: that account.
    if not blocks:
        return {"enabled": False, "storageUri": ""}
    uri = (blocks[0] or {}).get("storage_account_uri")
    return {"enabled": True, "storageUri": uri or ""}


def _security_profile(attrs: Attrs) -> Body:
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


def _from_arm(body: Body, prior: Attrs | None) -> Attrs:
    props = body.get("properties") or {}
    os_profile = props.get("osProfile") or {}
    linux = os_profile.get("linuxConfiguration") or {}
    patch = linux.get("patchSettings") or {}
    automatic = patch.get("automaticByPlatformSettings") or {}
    storage = props.get("storageProfile") or {}
    security = props.get("securityProfile") or {}
    uefi = security.get("uefiSettings") or {}
    image = storage.get("imageReference") or {}
    image_id = image.get("id") or image.get("communityGalleryImageId") or image.get("sharedGalleryImageId")
    license_type = props.get("licenseType")
    price = (props.get("billingProfile") or {}).get("maxPrice")
    fault_domain = props.get("platformFaultDomain")
    rid = ids.parse(body["id"], VM)
    attrs: Attrs = {
        "id": body["id"],
        "name": body["name"],
        "resource_group_name": rid["resource_group"],
        "location": body["location"],
        "zone": (body.get("zones") or [None])[0],
        "size": (props.get("hardwareProfile") or {}).get("vmSize"),
        "admin_username": os_profile.get("adminUsername"),
        "computer_name": os_profile.get("computerName"),
        "allow_extension_operations": os_profile.get("allowExtensionOperations", True) is not False,
        "disable_password_authentication": bool(linux.get("disablePasswordAuthentication")),
        "provision_vm_agent": linux.get("provisionVMAgent", True) is not False,
        "vm_agent_platform_updates_enabled": bool(linux.get("enableVMAgentPlatformUpdates")),
        "admin_ssh_key": _ssh_keys(linux),
        "patch_mode": patch.get("patchMode") or "ImageDefault",
        "patch_assessment_mode": patch.get("assessmentMode") or "ImageDefault",
        "bypass_platform_safety_checks_on_user_schedule_enabled": bool(
            automatic.get("bypassPlatformSafetyChecksOnUserSchedule")
        ),
        "reboot_setting": automatic.get("rebootSetting"),
        "network_interface_ids": [
            n["id"] for n in (props.get("networkProfile") or {}).get("networkInterfaces") or [] if n.get("id")
        ],
        # Resources made by azurerm_virtual_machine have no priority: azurerm reads that as Regular
        "priority": props.get("priority") or "Regular",
        "eviction_policy": props.get("evictionPolicy"),
        # ARM leaves the billing profile out unless a price was set
        "max_bid_price": -1 if price is None else price,
        "os_disk": _os_disk(storage.get("osDisk")),
        "source_image_id": image_id,
        "source_image_reference": []
        if image_id or not image.get("publisher")
        else [{k: image.get(k) for k in ("publisher", "offer", "sku", "version")}],
        "disk_controller_type": storage.get("diskControllerType"),
        "boot_diagnostics": _boot_diagnostics_block(props.get("diagnosticsProfile")),
        "additional_capabilities": _capabilities(props.get("additionalCapabilities")),
        "capacity_reservation_group_id": (
            (props.get("capacityReservation") or {}).get("capacityReservationGroup") or {}
        ).get("id"),
        "extensions_time_budget": props.get("extensionsTimeBudget") or "PT1H30M",
        "license_type": None if license_type in (None, "None") else license_type,
        "platform_fault_domain": -1 if fault_domain is None else fault_domain,
        "user_data": props.get("userData"),
        "encryption_at_host_enabled": bool(security.get("encryptionAtHost")),
        "secure_boot_enabled": bool(uefi.get("secureBootEnabled")),
        "vtpm_enabled": bool(uefi.get("vTpmEnabled")),
        "virtual_machine_id": props.get("vmId"),
        "tags": body.get("tags") or {},
        # Write-only: ARM never returns them, so state keeps what was planned or read before.
        "admin_password": (prior or {}).get("admin_password"),
        "custom_data": (prior or {}).get("custom_data"),
        **vm_addresses.addresses(props, body.get(LOOKUPS) or {}),
    }
    for key, arm in _REFERENCES:
        attrs[key] = (props.get(arm) or {}).get("id")
    return attrs


def _ssh_keys(linux: Body) -> list[Attrs]:
    keys = []
    for key in (linux.get("ssh") or {}).get("publicKeys") or []:
        match = _KEY_PATH.search(key.get("path") or "")
        if key.get("keyData") and match:
            keys.append({"public_key": key["keyData"], "username": match.group("username")})
    return keys


def _os_disk(disk: Body | None) -> list[Attrs]:
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


def _boot_diagnostics_block(profile: Body | None) -> list[Attrs]:
    boot = (profile or {}).get("bootDiagnostics") or {}
    if not boot.get("enabled"):
        return []
    return [{"storage_account_uri": boot.get("storageUri") or None}]


def _capabilities(capabilities: Body | None) -> list[Attrs]:
    if not capabilities:
        return []
    return [
        {
            "ultra_ssd_enabled": bool(capabilities.get("ultraSSDEnabled")),
            "hibernation_enabled": bool(capabilities.get("hibernationEnabled")),
        }
    ]


# -- checks ------------------------------------------------------------------------------------------


def _validate(config: Attrs) -> list[tuple[str, str]]:
    """What azurerm's schema validates at plan time: allowed values, one image source."""
    problems: list[tuple[str, str]] = []
    image_ref, image_id = config.get("source_image_reference"), config.get("source_image_id")
    if image_ref is not Unknown and image_id is not Unknown and bool(image_ref) == bool(image_id):
        problems.append(
            ("", "exactly one of `source_image_id` or `source_image_reference` must be specified")
        )
    return problems


def _creation_problem(attrs: Attrs) -> str | None:
    """What azurerm refuses when it creates the VM (not at plan time: a plan shows the change first)."""
    spot = attrs.get("priority") == "Spot"
    if attrs.get("eviction_policy") and not spot:
        return "an `eviction_policy` can only be specified when `priority` is set to `Spot`"
    if spot and not attrs.get("eviction_policy"):
        return "an `eviction_policy` must be specified when `priority` is set to `Spot`"
    price = attrs.get("max_bid_price")
    if isinstance(price, int | float) and price > 0 and not spot:
        return "`max_bid_price` can only be configured when `priority` is set to `Spot`"
    disable_password = attrs.get("disable_password_authentication") is not False
    if disable_password and not attrs.get("admin_ssh_key"):
        return (
            "at least one `admin_ssh_key` must be specified when `disable_password_authentication` "
            "is set to `true`"
        )
    if not disable_password and not attrs.get("admin_password"):
        return "an `admin_password` must be specified if `disable_password_authentication` is set to `false`"
    if attrs.get("provision_vm_agent") is False and attrs.get("allow_extension_operations") is not False:
        return (
            "`allow_extension_operations` cannot be set to `true` when `provision_vm_agent` is set to `false`"
        )
    return None


MAPPING = Mapping(
    tf_type="azurerm_linux_virtual_machine",
    arm_type=VM,
    api_version=API_VERSION,
    schema=(
        id_attr(),
        name(),
        resource_group_name(),
        location(),
        Attr("admin_username", required=True, force_new=True),
        Attr("network_interface_ids", Kind.LIST_STRING, required=True),
        _OS_DISK,
        Attr("size", required=True),
        _CAPABILITIES,
        Attr("admin_password", optional=True, force_new=True, sensitive=True),
        _SSH_KEYS,
        Attr("allow_extension_operations", Kind.BOOL, optional=True, default=True),
        Attr("availability_set_id", optional=True, force_new=True, normalize=case_insensitive),
        _BOOT_DIAGNOSTICS,
        Attr(
            "bypass_platform_safety_checks_on_user_schedule_enabled", Kind.BOOL, optional=True, default=False
        ),
        Attr("capacity_reservation_group_id", optional=True, normalize=case_insensitive),
        Attr("computer_name", optional=True, computed=True, force_new=True),
        Attr("custom_data", optional=True, force_new=True, sensitive=True),
        Attr("dedicated_host_id", optional=True, normalize=case_insensitive),
        Attr("dedicated_host_group_id", optional=True, normalize=case_insensitive),
        Attr("disable_password_authentication", Kind.BOOL, optional=True, default=True, force_new=True),
        Attr("disk_controller_type", optional=True, computed=True),
        Attr("encryption_at_host_enabled", Kind.BOOL, optional=True),
        Attr("eviction_policy", optional=True, force_new=True, one_of=("Deallocate", "Delete")),
        Attr("extensions_time_budget", optional=True, default="PT1H30M"),
        Attr("license_type", optional=True),
        Attr("max_bid_price", Kind.NUMBER, optional=True, default=-1),
        Attr("priority", optional=True, default="Regular", force_new=True, one_of=("Regular", "Spot")),
        Attr("provision_vm_agent", Kind.BOOL, optional=True, default=True, force_new=True),
        Attr("patch_mode", optional=True, default="ImageDefault", one_of=_PATCH_MODES),
        Attr("patch_assessment_mode", optional=True, default="ImageDefault", one_of=_PATCH_MODES),
        Attr("proximity_placement_group_id", optional=True, normalize=case_insensitive),
        Attr("reboot_setting", optional=True),
        Attr("secure_boot_enabled", Kind.BOOL, optional=True, force_new=True),
        Attr("source_image_id", optional=True, force_new=True),
        _IMAGE,
        Attr("virtual_machine_scale_set_id", optional=True),
        Attr("vtpm_enabled", Kind.BOOL, optional=True, force_new=True),
        Attr("platform_fault_domain", Kind.NUMBER, optional=True, default=-1, force_new=True),
        tags(),
        Attr("user_data", optional=True),
        Attr("zone", optional=True, force_new=True),
        Attr("private_ip_address", computed=True),
        Attr("private_ip_addresses", Kind.LIST_STRING, computed=True),
        Attr("public_ip_address", computed=True),
        Attr("public_ip_addresses", Kind.LIST_STRING, computed=True),
        Attr("virtual_machine_id", computed=True),
        # deprecated in 4.x: read-only in the API since 2024
        Attr("vm_agent_platform_updates_enabled", Kind.BOOL, optional=True, computed=True),
    ),
    id_of=_id,
    to_arm=_to_arm,
    update_changes_only=True,
    from_arm=_from_arm,
    validate=_validate,
    lookups=vm_addresses.lookups,
)
