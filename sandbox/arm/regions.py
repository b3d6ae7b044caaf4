"""Azure regions the sandbox knows: ARM answers with the lowercase, space-free name."""

from __future__ import annotations

from sandbox.arm.errors import ArmError

REGIONS = (
    "eastus", "eastus2", "westus", "westus2", "westus3", "centralus", "northcentralus", "southcentralus",
    "westcentralus", "canadacentral", "canadaeast", "brazilsouth", "northeurope", "westeurope", "uksouth",
    "ukwest", "francecentral", "germanywestcentral", "norwayeast", "swedencentral", "switzerlandnorth",
    "polandcentral", "italynorth", "spaincentral", "eastasia", "southeastasia", "japaneast", "japanwest",
    "australiaeast", "australiasoutheast", "centralindia", "southindia", "koreacentral", "uaenorth",
    "southafricanorth", "qatarcentral", "israelcentral", "mexicocentral",
)  # fmt: skip

_KNOWN = frozenset(REGIONS)


def normalize(location: object) -> str:
    """``West Europe`` → ``westeurope``; unknown or missing → the error ARM gives."""
    if not isinstance(location, str) or not location.strip():
        raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
    name = location.replace(" ", "").lower()
    if name not in _KNOWN:
        raise ArmError(
            400,
            "LocationNotAvailableForResourceType",
            f"The provided location '{location}' is not available for resource type. "
            f"List of available regions is '{','.join(REGIONS)}'.",
        )
    return name
