"""Microsoft.Compute/disks: managed disks, including the OS disks VMs create for themselves."""

from __future__ import annotations

from sandbox.arm.errors import ArmError
from sandbox.arm.types import versions
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType
from sandbox.arm.types.base import Tx
from sandbox.arm.types.base import dig
from sandbox.arm.types.base import one_of
from sandbox.arm.types.base import require
from sandbox.arm.types.base import set_default

SKUS = ("Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "UltraSSD_LRS", "Premium_ZRS", "StandardSSD_ZRS",
        "PremiumV2_LRS")  # fmt: skip
_CREATE_OPTIONS = ("Empty", "FromImage", "Copy", "Import", "Restore", "Upload", "Attach", "CopyStart")
_VM_TYPE = "Microsoft.Compute/virtualMachines"


def _performance(sku: str, size_gb: int) -> tuple[int, int]:
    """(IOPS, MBps) the way Azure tiers them: premium scales with size, standard is flat."""
    if sku.startswith("Premium"):
        return min(120 + size_gb * 5, 20000), min(25 + size_gb // 4, 900)
    return 500, 60


def _prepare(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    sku = one_of(body, "sku.name", SKUS, default="Standard_LRS")
    body["sku"]["tier"] = "Premium" if sku and sku.startswith("Premium") else "Standard"
    option = one_of(body, "properties.creationData.createOption", _CREATE_OPTIONS)
    require(body, "properties.creationData.createOption")
    size = props.get("diskSizeGB")
    if size is None and option == "Empty":
        raise ArmError(
            400,
            "InvalidParameter",
            "Required parameter 'diskSizeGB' is missing (null). Target: 'diskSizeGB'.",
        )
    if size is not None and (not isinstance(size, int) or not 1 <= size <= 65536):
        raise ArmError(
            400,
            "InvalidParameter",
            f"The value of parameter 'diskSizeGB' is invalid: {size}. Target: 'diskSizeGB'.",
        )
    previous = dig(old, "properties.diskSizeGB")
    if size is None:
        props["diskSizeGB"] = size = previous or 30
    if previous is not None and size < previous:
        raise ArmError(
            409,
            "OperationNotAllowed",
            f"Disk '{body['name']}' cannot be resized from {previous} GB to {size} GB: disks can only grow.",
        )
    props["diskSizeBytes"] = size * 1024**3
    iops, mbps = _performance(str(sku), size)
    props["diskIOPSReadWrite"], props["diskMBpsReadWrite"] = iops, mbps
    set_default(props, "encryption", {"type": "EncryptionAtRestWithPlatformKey"})
    set_default(props, "networkAccessPolicy", "AllowAll")
    set_default(props, "publicNetworkAccess", "Enabled")
    props["uniqueId"] = dig(old, "properties.uniqueId") or tx.guid()
    props["timeCreated"] = dig(old, "properties.timeCreated") or tx.now.isoformat().replace("+00:00", "Z")


def _decorate(tx: Tx, body: Body) -> None:
    owners = [r for r in tx.referrers(body["id"]) if r.get("type") == _VM_TYPE]
    if owners:
        body["managedBy"] = owners[0]["id"]
        body["properties"]["diskState"] = "Attached"
    else:
        body["properties"]["diskState"] = "Unattached"


TYPE = ResourceType(
    type_name="Microsoft.Compute/disks",
    api_versions=versions.DISKS,
    immutable=("properties.creationData.createOption", "properties.osType", "zones"),
    in_use_code="OperationNotAllowed",
    in_use_status=409,
    prepare=_prepare,
    put_statuses=(200, 202),
    decorate=_decorate,
)
