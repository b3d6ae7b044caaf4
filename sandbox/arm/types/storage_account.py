"""Microsoft.Storage/storageAccounts (the boot-diagnostics account of the VM scenario)."""

from __future__ import annotations

import base64
import hashlib

from sandbox.arm.errors import ArmError
from sandbox.arm.types import versions
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType
from sandbox.arm.types.base import Tx
from sandbox.arm.types.base import dig
from sandbox.arm.types.base import one_of
from sandbox.arm.types.base import require
from sandbox.arm.types.base import set_default

_SKUS = ("Standard_LRS", "Standard_GRS", "Standard_RAGRS", "Standard_ZRS", "Premium_LRS", "Premium_ZRS",
         "Standard_GZRS", "Standard_RAGZRS")  # fmt: skip
_KINDS = ("StorageV2", "Storage", "BlobStorage", "BlockBlobStorage", "FileStorage")
_SERVICES = ("blob", "queue", "table", "file", "dfs", "web")
#: Azure's region pairs, for the secondary of geo-redundant accounts (the regions the VM scenario uses)
_PAIRS = {
    "westeurope": "northeurope", "northeurope": "westeurope", "eastus": "westus", "westus": "eastus",
    "eastus2": "centralus", "centralus": "eastus2", "westus2": "westcentralus", "westcentralus": "westus2",
    "uksouth": "ukwest", "ukwest": "uksouth", "francecentral": "francesouth",
    "germanywestcentral": "germanynorth", "swedencentral": "swedensouth", "japaneast": "japanwest",
    "japanwest": "japaneast", "australiaeast": "australiasoutheast", "australiasoutheast": "australiaeast",
    "eastasia": "southeastasia", "southeastasia": "eastasia", "canadacentral": "canadaeast",
    "canadaeast": "canadacentral", "centralindia": "southindia", "southindia": "centralindia",
}  # fmt: skip


def _prepare(tx: Tx, body: Body, old: Body | None) -> None:
    name = body["name"]
    if old is None and any(
        other["id"].lower() != body["id"].lower() for other in tx.find(body["type"], name)
    ):
        raise ArmError(
            409, "StorageAccountAlreadyTaken", f"The storage account named {name} is already taken."
        )
    sku = one_of(body, "sku.name", _SKUS)
    require(body, "sku.name")
    body["sku"]["tier"] = "Premium" if str(sku).startswith("Premium") else "Standard"
    kind = one_of(body, "kind", _KINDS)
    require(body, "kind")
    previous_kind = (old or {}).get("kind")
    if previous_kind and previous_kind != kind and (previous_kind, kind) != ("Storage", "StorageV2"):
        # The one change of kind ARM makes in place is the upgrade to general-purpose v2.
        raise ArmError(
            409,
            "OperationNotAllowed",
            f"Storage account kind can only be upgraded from Storage to StorageV2, not from {previous_kind} "
            f"to {kind}.",
        )
    props = body["properties"]
    if kind in ("StorageV2", "BlobStorage"):
        one_of(body, "properties.accessTier", ("Hot", "Cool", "Cold", "Premium"), default="Hot")
    set_default(props, "supportsHttpsTrafficOnly", True)
    one_of(body, "properties.minimumTlsVersion", ("TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"), default="TLS1_2")
    set_default(props, "allowBlobPublicAccess", False)
    set_default(props, "allowSharedKeyAccess", True)
    set_default(props, "isHnsEnabled", False)
    set_default(props, "publicNetworkAccess", "Enabled")
    set_default(props, "networkAcls", {"bypass": "AzureServices", "virtualNetworkRules": [], "ipRules": [],
                                       "defaultAction": "Allow"})  # fmt: skip
    set_default(
        props,
        "encryption",
        {
            "services": {
                "blob": {"enabled": True, "keyType": "Account"},
                "file": {"enabled": True, "keyType": "Account"},
            },
            "keySource": "Microsoft.Storage",
        },
    )
    props["primaryEndpoints"] = {
        service: f"https://{name}.{service}.core.windows.net/" for service in _SERVICES
    }
    props["primaryLocation"] = body["location"]
    props["statusOfPrimary"] = "available"
    for key in ("secondaryLocation", "statusOfSecondary", "secondaryEndpoints"):
        props.pop(key, None)
    if "GRS" in str(sku) or "GZRS" in str(sku):
        # Geo-redundant accounts replicate to the paired region; read access (RA-) adds its endpoints.
        props["secondaryLocation"] = _PAIRS.get(body["location"], body["location"])
        props["statusOfSecondary"] = "available"
        if str(sku).split("_", 1)[-1].startswith("RA"):
            props["secondaryEndpoints"] = {
                service: f"https://{name}-secondary.{service}.core.windows.net/"
                for service in ("blob", "queue", "table", "web", "dfs")
            }
    props["creationTime"] = dig(old, "properties.creationTime") or tx.now.isoformat().replace("+00:00", "Z")


def _list_keys(tx: Tx, body: Body, payload: Body) -> tuple[int, Body | None]:
    keys = []
    for key_name in ("key1", "key2"):
        digest = hashlib.sha512(f"{body['id'].lower()}/{key_name}".encode()).digest()
        keys.append({"keyName": key_name, "value": base64.b64encode(digest).decode(), "permissions": "FULL"})
    return 200, {"keys": keys}


TYPE = ResourceType(
    type_name="Microsoft.Storage/storageAccounts",
    api_versions=versions.STORAGE,
    name_pattern=r"^[a-z0-9]{3,24}$",
    name_rule="between 3 and 24 characters in length and use numbers and lower-case letters only",
    name_error=(
        "AccountNameInvalid",
        "{name} is not a valid storage account name. Storage account name must be {rule}.",
    ),
    immutable=("properties.isHnsEnabled",),
    put_statuses=(200, 202),
    prepare=_prepare,
    actions={"listKeys": _list_keys},
)
