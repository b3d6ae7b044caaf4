"""azurerm_managed_disk ↔ Microsoft.Compute/disks."""

from __future__ import annotations

from typing import Any

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.base import MappingError
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import case_insensitive
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import location
from providers.azure.mapping.schema import name
from providers.azure.mapping.schema import resource_group_name
from providers.azure.mapping.schema import tags

API_VERSION = "2023-04-02"
DISK = "Microsoft.Compute/disks"

STORAGE_ACCOUNT_TYPES = (
    "Standard_LRS", "StandardSSD_ZRS", "Premium_LRS", "PremiumV2_LRS", "Premium_ZRS", "StandardSSD_LRS",
    "UltraSSD_LRS",
)  # fmt: skip
CREATE_OPTIONS = (
    "Copy", "Empty", "FromImage", "Import", "ImportSecure", "Restore", "Upload", "CopyFromSanSnapshot",
)  # fmt: skip
_NETWORK_ACCESS_POLICIES = ("AllowAll", "AllowPrivate", "DenyAll")
#: performance settings ARM accepts only for Ultra and Premium v2 disks
_PERFORMANCE = (
    ("disk_iops_read_write", "diskIOPSReadWrite"),
    ("disk_mbps_read_write", "diskMBpsReadWrite"),
    ("disk_iops_read_only", "diskIOPSReadOnly"),
    ("disk_mbps_read_only", "diskMBpsReadOnly"),
)
_TUNABLE = ("UltraSSD_LRS", "PremiumV2_LRS")


def _id(attrs: Attrs, sub: str) -> str:
    return ids.resource_id(sub, attrs["resource_group_name"], DISK, attrs["name"])


def _to_arm(attrs: Attrs, current: Body | None) -> Body:
    sku = attrs["storage_account_type"]
    creation: Body = {"createOption": attrs["create_option"]}
    for key, arm in (
        ("source_resource_id", "sourceResourceId"),
        ("source_uri", "sourceUri"),
        ("storage_account_id", "storageAccountId"),
        ("logical_sector_size", "logicalSectorSize"),
        ("upload_size_bytes", "uploadSizeBytes"),
    ):
        if attrs.get(key):
            creation[arm] = int(attrs[key]) if isinstance(attrs[key], float) else attrs[key]
    if attrs.get("image_reference_id"):
        creation["imageReference"] = {"id": attrs["image_reference_id"]}
    if attrs.get("gallery_image_reference_id"):
        creation["galleryImageReference"] = {"id": attrs["gallery_image_reference_id"]}
    if attrs.get("performance_plus_enabled"):
        creation["performancePlus"] = True
    if current is not None:
        # How the disk was made is fixed at creation; ARM answers with more than was sent (e.g. the image).
        creation = {**((current.get("properties") or {}).get("creationData") or {}), **creation}
    props: Body = {
        "creationData": creation,
        "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
        "networkAccessPolicy": attrs.get("network_access_policy") or "AllowAll",
        "publicNetworkAccess": "Enabled" if attrs.get("public_network_access_enabled", True) else "Disabled",
    }
    if attrs.get("disk_size_gb"):
        props["diskSizeGB"] = int(attrs["disk_size_gb"])
    for key, arm in _PERFORMANCE:
        if not attrs.get(key):
            continue
        if sku in _TUNABLE:
            props[arm] = int(attrs[key])
        elif current is None:
            # azurerm checks this on creation only: state read back from ARM carries the computed values
            raise MappingError(
                "disk_iops_read_write, disk_mbps_read_write, disk_iops_read_only and disk_mbps_read_only "
                "are only available for UltraSSD_LRS and PremiumV2_LRS disks"
            )
    if attrs.get("os_type"):
        props["osType"] = attrs["os_type"]
    if attrs.get("max_shares"):
        props["maxShares"] = int(attrs["max_shares"])
    if attrs.get("tier"):
        props["tier"] = attrs["tier"]
    if attrs.get("disk_encryption_set_id"):
        props["encryption"] = {
            "type": "EncryptionAtRestWithCustomerKey",
            "diskEncryptionSetId": attrs["disk_encryption_set_id"],
        }
    if attrs.get("disk_access_id"):
        props["diskAccessId"] = attrs["disk_access_id"]
    if attrs.get("on_demand_bursting_enabled"):
        props["burstingEnabled"] = True
    if attrs.get("optimized_frequent_attach_enabled"):
        props["optimizedForFrequentAttach"] = True
    if attrs.get("hyper_v_generation"):
        props["hyperVGeneration"] = attrs["hyper_v_generation"]
    security = _security_profile(attrs)
    if security:
        props["securityProfile"] = security
    body: Body = {
        "location": attrs["location"],
        "tags": attrs.get("tags") or {},
        "sku": {"name": sku},
        "properties": props,
    }
    if attrs.get("zone"):
        body["zones"] = [attrs["zone"]]
    return body


def _security_profile(attrs: Attrs) -> Body:
    profile: Body = {}
    if attrs.get("trusted_launch_enabled"):
        profile["securityType"] = "TrustedLaunch"
    elif attrs.get("security_type"):
        profile["securityType"] = attrs["security_type"]
    if attrs.get("secure_vm_disk_encryption_set_id"):
        profile["secureVMDiskEncryptionSetId"] = attrs["secure_vm_disk_encryption_set_id"]
    return profile


def _from_arm(body: Body, prior: Attrs | None) -> Attrs:
    props = body.get("properties") or {}
    creation = props.get("creationData") or {}
    security = props.get("securityProfile") or {}
    gallery_image = (creation.get("galleryImageReference") or {}).get("id")
    policy = props.get("networkAccessPolicy")
    security_type = security.get("securityType")
    return {
        **ids.located(body, DISK),
        "zone": (body.get("zones") or [None])[0],
        "storage_account_type": (body.get("sku") or {}).get("name"),
        "create_option": creation.get("createOption"),
        "logical_sector_size": creation.get("logicalSectorSize"),
        # ARM repeats the image under imageReference when a gallery image was used: only one is the source
        "gallery_image_reference_id": gallery_image,
        "image_reference_id": None if gallery_image else (creation.get("imageReference") or {}).get("id"),
        "performance_plus_enabled": bool(creation.get("performancePlus")),
        "source_resource_id": creation.get("sourceResourceId"),
        "source_uri": creation.get("sourceUri"),
        "storage_account_id": creation.get("storageAccountId"),
        "upload_size_bytes": creation.get("uploadSizeBytes"),
        "disk_size_gb": props.get("diskSizeGB"),
        "disk_iops_read_write": props.get("diskIOPSReadWrite"),
        "disk_mbps_read_write": props.get("diskMBpsReadWrite"),
        "disk_iops_read_only": props.get("diskIOPSReadOnly"),
        "disk_mbps_read_only": props.get("diskMBpsReadOnly"),
        "optimized_frequent_attach_enabled": bool(props.get("optimizedForFrequentAttach")),
        "os_type": props.get("osType"),
        "tier": props.get("tier"),
        "max_shares": props.get("maxShares"),
        "hyper_v_generation": props.get("hyperVGeneration"),
        # azurerm leaves the default policy out of state
        "network_access_policy": None if policy in (None, "AllowAll") else policy,
        "disk_access_id": props.get("diskAccessId"),
        "public_network_access_enabled": props.get("publicNetworkAccess", "Enabled") == "Enabled",
        "disk_encryption_set_id": (props.get("encryption") or {}).get("diskEncryptionSetId"),
        "trusted_launch_enabled": security_type == "TrustedLaunch",
        "security_type": None if security_type in (None, "TrustedLaunch") else security_type,
        "secure_vm_disk_encryption_set_id": security.get("secureVMDiskEncryptionSetId"),
        "on_demand_bursting_enabled": bool(props.get("burstingEnabled")),
        "tags": body.get("tags") or {},
    }


def _validate(config: Attrs) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    size = config.get("disk_size_gb")
    if isinstance(size, int | float) and not 0 < size <= 65536:
        problems.append(("disk_size_gb", "expected disk_size_gb to be in the range (1 - 65536)"))
    return problems


def _number(attr: str, **kw: Any) -> Attr:
    return Attr(attr, Kind.NUMBER, **kw)


MAPPING = Mapping(
    tf_type="azurerm_managed_disk",
    arm_type=DISK,
    api_version=API_VERSION,
    schema=(
        id_attr(),
        name(),
        resource_group_name(),
        location(),
        Attr("storage_account_type", required=True, one_of=STORAGE_ACCOUNT_TYPES),
        Attr("create_option", required=True, force_new=True, one_of=CREATE_OPTIONS),
        _number("disk_size_gb", optional=True, computed=True),
        _number("disk_iops_read_write", optional=True, computed=True),
        _number("disk_mbps_read_write", optional=True, computed=True),
        _number("disk_iops_read_only", optional=True, computed=True),
        _number("disk_mbps_read_only", optional=True, computed=True),
        Attr("disk_access_id", optional=True, normalize=case_insensitive),
        Attr("disk_encryption_set_id", optional=True, normalize=case_insensitive),
        Attr("gallery_image_reference_id", optional=True, force_new=True),
        Attr("hyper_v_generation", optional=True, force_new=True, one_of=("V1", "V2")),
        Attr("image_reference_id", optional=True, force_new=True),
        _number("logical_sector_size", optional=True, computed=True, force_new=True),
        _number("max_shares", optional=True, computed=True),
        Attr("network_access_policy", optional=True, one_of=_NETWORK_ACCESS_POLICIES),
        Attr("on_demand_bursting_enabled", Kind.BOOL, optional=True),
        Attr("optimized_frequent_attach_enabled", Kind.BOOL, optional=True, default=False),
        Attr("os_type", optional=True, one_of=("Windows", "Linux")),
        Attr("performance_plus_enabled", Kind.BOOL, optional=True, default=False, force_new=True),
        Attr("public_network_access_enabled", Kind.BOOL, optional=True, default=True),
        Attr("secure_vm_disk_encryption_set_id", optional=True, force_new=True),
        Attr("security_type", optional=True, force_new=True),
        Attr("source_resource_id", optional=True, force_new=True),
        Attr("source_uri", optional=True, computed=True, force_new=True),
        Attr("storage_account_id", optional=True, force_new=True),
        Attr("tier", optional=True, computed=True),
        Attr("trusted_launch_enabled", Kind.BOOL, optional=True, force_new=True),
        _number("upload_size_bytes", optional=True, force_new=True),
        Attr("zone", optional=True, force_new=True),
        tags(),
    ),
    id_of=_id,
    to_arm=_to_arm,
    update_changes_only=True,
    from_arm=_from_arm,
    validate=_validate,
)
