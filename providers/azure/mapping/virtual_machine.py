"""What azurerm_linux_virtual_machine and azurerm_windows_virtual_machine share.

Both are ``Microsoft.Compute/virtualMachines``.

As in azurerm: the OS disk is created with the VM (ARM makes it a ``Microsoft.Compute/disks`` resource
of its own) and deleted with it when ``features.virtual_machine.delete_os_disk_on_deletion`` says so;
data disks belong to ``azurerm_virtual_machine_data_disk_attachment`` and are kept as they are; the
password and custom data are write-only (ARM never returns them), so state keeps the values it had;
the IP addresses come from reading the VM's network interfaces and their public IPs.

The two types differ in their part of ``osProfile`` (``linuxConfiguration`` / ``windowsConfiguration``)
and a few attributes: each describes that in an :class:`OsFlavour`, and :func:`vm_mapping` builds the
rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tf.types import Unknown

from providers.azure.mapping import ids
from providers.azure.mapping import vm_addresses
from providers.azure.mapping import vm_parts
from providers.azure.mapping.base import LOOKUPS
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.base import MappingError
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import case_insensitive
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import location
from providers.azure.mapping.schema import name
from providers.azure.mapping.schema import resource_group_name
from providers.azure.mapping.schema import tags

API_VERSION = "2024-03-01"
VM = "Microsoft.Compute/virtualMachines"
#: what azurerm writes to state for the password of an imported VM; a configured password never differs
IMPORTED_PASSWORD = "ignored-as-imported"

#: optional references azurerm passes through as ``{"id": ...}`` sub-resources
_REFERENCES = (
    ("availability_set_id", "availabilitySet"),
    ("proximity_placement_group_id", "proximityPlacementGroup"),
    ("dedicated_host_id", "host"),
    ("dedicated_host_group_id", "hostGroup"),
    ("virtual_machine_scale_set_id", "virtualMachineScaleSet"),
)


@dataclass(frozen=True)
class OsFlavour:
    """What one operating system's VM type adds to the shared mapping."""

    tf_type: str
    #: ``storageProfile.osDisk.osType``
    os_type: str
    #: the member of ``osProfile`` with the OS's settings
    config_key: str
    #: the type's own attributes and blocks
    items: tuple[Item, ...]
    #: ``patchSettings.patchMode`` when ``patch_mode`` is null
    default_patch_mode: str
    #: the OS configuration from the attributes and its shared part (``provisionVMAgent``, ``patchSettings``)
    configuration: Callable[[Attrs, Body], Body]
    #: the ``osProfile`` members ARM takes on creation only and never returns (the password)
    write_only: Callable[[Attrs], Body]
    #: the type's own attributes from the ``osProfile`` and the prior state
    read: Callable[[Body, Attrs | None], Attrs]
    #: plan-time checks of the type's own attributes
    validate: Callable[[Attrs], list[tuple[str, str]]]
    #: what azurerm refuses when it creates such a VM, besides the shared checks
    creation_problem: Callable[[Attrs], str | None]


def vm_mapping(flavour: OsFlavour) -> Mapping:
    return Mapping(
        tf_type=flavour.tf_type,
        arm_type=VM,
        api_version=API_VERSION,
        schema=(*_ITEMS, *flavour.items),
        id_of=lambda attrs, sub: ids.resource_id(sub, attrs["resource_group_name"], VM, attrs["name"]),
        to_arm=lambda attrs, current: _to_arm(flavour, attrs, current),
        update_changes_only=True,
        from_arm=lambda body, prior: _from_arm(flavour, body, prior),
        validate=lambda config: _validate(config) + flavour.validate(config),
        lookups=vm_addresses.lookups,
        imported=lambda body, state: _imported(flavour, body, state),
        owns=lambda body: _os_type(body) == flavour.os_type.lower(),
    )


# -- to ARM ------------------------------------------------------------------------------------------


def _to_arm(flavour: OsFlavour, attrs: Attrs, current: Body | None) -> Body:
    if current is None:
        problem = _creation_problem(attrs) or flavour.creation_problem(attrs)
        if problem:
            raise MappingError(problem)
    props: Body = {
        "hardwareProfile": {"vmSize": attrs["size"]},
        "osProfile": _os_profile(flavour, attrs, creating=current is None),
        "networkProfile": {
            "networkInterfaces": [
                {"id": nic, "properties": {"primary": index == 0}}
                for index, nic in enumerate(attrs.get("network_interface_ids") or [])
            ]
        },
        "priority": attrs.get("priority") or "Regular",
        "storageProfile": vm_parts.storage_profile(attrs, current, flavour.os_type),
        "diagnosticsProfile": {"bootDiagnostics": vm_parts.boot_diagnostics(attrs.get("boot_diagnostics"))},
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
    capabilities = vm_parts.capabilities(attrs.get("additional_capabilities"))
    if capabilities:
        props["additionalCapabilities"] = capabilities
    security = vm_parts.security_profile(attrs)
    if security:
        props["securityProfile"] = security
    body: Body = {"location": attrs["location"], "tags": attrs.get("tags") or {}, "properties": props}
    if attrs.get("zone"):
        body["zones"] = [attrs["zone"]]
    return body


def _os_profile(flavour: OsFlavour, attrs: Attrs, creating: bool) -> Body:
    patch: Body = {
        "patchMode": attrs.get("patch_mode") or flavour.default_patch_mode,
        "assessmentMode": attrs.get("patch_assessment_mode") or "ImageDefault",
    }
    automatic: Body = {}
    if attrs.get("bypass_platform_safety_checks_on_user_schedule_enabled"):
        automatic["bypassPlatformSafetyChecksOnUserSchedule"] = True
    if attrs.get("reboot_setting"):
        automatic["rebootSetting"] = attrs["reboot_setting"]
    if automatic:
        patch["automaticByPlatformSettings"] = automatic
    shared = {"provisionVMAgent": attrs.get("provision_vm_agent") is not False, "patchSettings": patch}
    profile: Body = {
        "adminUsername": attrs["admin_username"],
        "computerName": attrs.get("computer_name") or attrs["name"],
        "allowExtensionOperations": attrs.get("allow_extension_operations") is not False,
        flavour.config_key: flavour.configuration(attrs, shared),
        "secrets": [],
    }
    # Write-only values ARM accepts on creation only (both force replacement when changed)
    if creating:
        profile.update(flavour.write_only(attrs))
        if attrs.get("custom_data"):
            profile["customData"] = attrs["custom_data"]
    return profile


# -- from ARM ----------------------------------------------------------------------------------------


def _from_arm(flavour: OsFlavour, body: Body, prior: Attrs | None) -> Attrs:
    props = body.get("properties") or {}
    os_profile = props.get("osProfile") or {}
    config = os_profile.get(flavour.config_key) or {}
    patch = config.get("patchSettings") or {}
    automatic = patch.get("automaticByPlatformSettings") or {}
    storage = props.get("storageProfile") or {}
    license_type = props.get("licenseType")
    price = (props.get("billingProfile") or {}).get("maxPrice")
    fault_domain = props.get("platformFaultDomain")
    attrs: Attrs = {
        **ids.located(body, VM),
        "zone": (body.get("zones") or [None])[0],
        "size": (props.get("hardwareProfile") or {}).get("vmSize"),
        "admin_username": os_profile.get("adminUsername"),
        "computer_name": os_profile.get("computerName"),
        "allow_extension_operations": os_profile.get("allowExtensionOperations", True) is not False,
        "provision_vm_agent": config.get("provisionVMAgent", True) is not False,
        "vm_agent_platform_updates_enabled": bool(config.get("enableVMAgentPlatformUpdates")),
        "patch_mode": patch.get("patchMode") or flavour.default_patch_mode,
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
        "os_disk": vm_parts.os_disk_block(storage.get("osDisk")),
        **vm_parts.image_attrs(storage.get("imageReference") or {}),
        "disk_controller_type": storage.get("diskControllerType"),
        "boot_diagnostics": vm_parts.boot_diagnostics_block(props.get("diagnosticsProfile")),
        "additional_capabilities": vm_parts.capabilities_block(props.get("additionalCapabilities")),
        "capacity_reservation_group_id": (
            (props.get("capacityReservation") or {}).get("capacityReservationGroup") or {}
        ).get("id"),
        "extensions_time_budget": props.get("extensionsTimeBudget") or "PT1H30M",
        # "None" is no license; azurerm does not diff the two spellings, so keep the one configured
        "license_type": _license_type(license_type, prior),
        "platform_fault_domain": -1 if fault_domain is None else fault_domain,
        "user_data": props.get("userData"),
        **vm_parts.security_attrs(props.get("securityProfile") or {}),
        "virtual_machine_id": props.get("vmId"),
        "tags": body.get("tags") or {},
        # Write-only: ARM never returns them, so state keeps what was planned or read before.
        "admin_password": (prior or {}).get("admin_password"),
        "custom_data": (prior or {}).get("custom_data"),
        **vm_addresses.addresses(props, body.get(LOOKUPS) or {}),
        **flavour.read(os_profile, prior),
    }
    for key, arm in _REFERENCES:
        attrs[key] = (props.get(arm) or {}).get("id")
    return attrs


def _license_type(live: Any, prior: Attrs | None) -> Any:
    if live in (None, "None"):
        return "None" if (prior or {}).get("license_type") == "None" else None
    return live


def _os_type(body: Body) -> str:
    """The VM's operating system: its OS disk's type, else the configuration its OS profile holds."""
    props = body.get("properties") or {}
    os_type = ((props.get("storageProfile") or {}).get("osDisk") or {}).get("osType")
    if isinstance(os_type, str) and os_type:
        return os_type.lower()
    return "windows" if (props.get("osProfile") or {}).get("windowsConfiguration") else "linux"


def _imported(flavour: OsFlavour, body: Body, state: Attrs) -> Attrs:
    """azurerm's importer: only VMs of its OS with an OS profile; the password is a placeholder."""
    props = body.get("properties") or {}
    if _os_type(body) != flavour.os_type.lower():
        raise MappingError(
            f"the {flavour.tf_type!r} resource only supports {flavour.os_type} Virtual Machines"
        )
    if not props.get("osProfile"):
        raise MappingError(
            f"the {flavour.tf_type!r} resource doesn't support attaching OS Disks - please use the "
            "`azurerm_virtual_machine` resource instead"
        )
    if state.get("admin_ssh_key"):
        return state
    return {**state, "admin_password": IMPORTED_PASSWORD}


def same_password(a: Any, b: Any) -> bool:
    """azurerm's admin password diff suppression: an imported VM's placeholder matches any password."""
    return IMPORTED_PASSWORD in (a, b)


# -- checks ------------------------------------------------------------------------------------------


def _validate(config: Attrs) -> list[tuple[str, str]]:
    """What azurerm's schema validates at plan time besides the declared values: one image source."""
    image_ref, image_id = config.get("source_image_reference"), config.get("source_image_id")
    if image_ref is not Unknown and image_id is not Unknown and bool(image_ref) == bool(image_id):
        return [("", "exactly one of `source_image_id` or `source_image_reference` must be specified")]
    return []


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
    if attrs.get("provision_vm_agent") is False and attrs.get("allow_extension_operations") is not False:
        return (
            "`allow_extension_operations` cannot be set to `true` when `provision_vm_agent` is set to `false`"
        )
    return None


_ITEMS: tuple[Item, ...] = (
    id_attr(),
    name(),
    resource_group_name(),
    location(),
    Attr("admin_username", required=True, force_new=True),
    Attr("network_interface_ids", Kind.LIST_STRING, required=True),
    vm_parts.OS_DISK,
    Attr("size", required=True),
    vm_parts.CAPABILITIES,
    Attr("allow_extension_operations", Kind.BOOL, optional=True, default=True),
    Attr(
        "availability_set_id",
        optional=True,
        force_new=True,
        normalize=case_insensitive,
        conflicts_with=("capacity_reservation_group_id", "virtual_machine_scale_set_id", "zone"),
    ),
    vm_parts.BOOT_DIAGNOSTICS,
    Attr("bypass_platform_safety_checks_on_user_schedule_enabled", Kind.BOOL, optional=True, default=False),
    Attr(
        "capacity_reservation_group_id",
        optional=True,
        normalize=case_insensitive,
        conflicts_with=("availability_set_id", "proximity_placement_group_id"),
    ),
    Attr("computer_name", optional=True, computed=True, force_new=True),
    Attr("custom_data", optional=True, force_new=True, sensitive=True),
    Attr(
        "dedicated_host_id",
        optional=True,
        normalize=case_insensitive,
        conflicts_with=("dedicated_host_group_id",),
    ),
    Attr(
        "dedicated_host_group_id",
        optional=True,
        normalize=case_insensitive,
        conflicts_with=("dedicated_host_id",),
    ),
    Attr("disk_controller_type", optional=True, computed=True),
    Attr("encryption_at_host_enabled", Kind.BOOL, optional=True),
    Attr("eviction_policy", optional=True, force_new=True, one_of=("Deallocate", "Delete")),
    Attr("extensions_time_budget", optional=True, default="PT1H30M"),
    Attr("max_bid_price", Kind.NUMBER, optional=True, default=-1),
    Attr("priority", optional=True, default="Regular", force_new=True, one_of=("Regular", "Spot")),
    Attr("provision_vm_agent", Kind.BOOL, optional=True, default=True, force_new=True),
    Attr("patch_assessment_mode", optional=True, default="ImageDefault", one_of=vm_parts.ASSESSMENT_MODES),
    Attr(
        "proximity_placement_group_id",
        optional=True,
        normalize=case_insensitive,
        conflicts_with=("capacity_reservation_group_id",),
    ),
    Attr("reboot_setting", optional=True, one_of=("Always", "IfRequired", "Never")),
    Attr("secure_boot_enabled", Kind.BOOL, optional=True, force_new=True),
    Attr("source_image_id", optional=True, force_new=True),
    vm_parts.IMAGE,
    Attr("virtual_machine_scale_set_id", optional=True, conflicts_with=("availability_set_id",)),
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
)
