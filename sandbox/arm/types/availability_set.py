"""Microsoft.Compute/availabilitySets.

A set spreads its VMs over fault and update domains, fixed when it is created. VMs join a set when they
are created (``properties.availabilitySet.id``, refused on update by the VM type); the set lists them in
``properties.virtualMachines``, computed at read time. A managed set (sku ``Aligned``) takes VMs with
managed disks; a ``Classic`` one can be converted to ``Aligned``, not back.
"""

from __future__ import annotations

from sandbox.arm.errors import ArmError
from sandbox.arm.errors import invalid_parameter
from sandbox.arm.types import versions
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType
from sandbox.arm.types.base import Tx
from sandbox.arm.types.base import dig
from sandbox.arm.types.base import one_of
from sandbox.arm.types.base import set_default

_VM_TYPE = "Microsoft.Compute/virtualMachines"
_SKUS = ("Aligned", "Classic")
_FAULT_DOMAINS = (1, 3)
_UPDATE_DOMAINS = (1, 20)


def _prepare(tx: Tx, body: Body, old: Body | None) -> None:
    props = body["properties"]
    sku = one_of(body, "sku.name", _SKUS, default="Classic")
    if sku == "Classic" and dig(old, "sku.name") == "Aligned":
        raise ArmError(
            409,
            "OperationNotAllowed",
            f"Availability Set '{body['name']}' cannot be converted from a managed (Aligned) to a "
            "Classic Availability Set.",
        )
    set_default(props, "platformFaultDomainCount", 2)
    set_default(props, "platformUpdateDomainCount", 5)
    _in_range(props, "platformFaultDomainCount", "fault domain count", _FAULT_DOMAINS)
    _in_range(props, "platformUpdateDomainCount", "update domain count", _UPDATE_DOMAINS)
    props.pop("virtualMachines", None)  # read-only: the VMs join the set, not the other way round
    props.pop("statuses", None)


def _in_range(props: Body, key: str, what: str, bounds: tuple[int, int]) -> None:
    value = props[key]
    low, high = bounds
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise invalid_parameter(key, f"The specified {what} {value} must fall in the range {low} to {high}.")


def _decorate(tx: Tx, body: Body) -> None:
    members = sorted(r["id"] for r in tx.referrers(body["id"]) if r.get("type") == _VM_TYPE)
    body["properties"]["virtualMachines"] = [{"id": vm} for vm in members]


TYPE = ResourceType(
    type_name="Microsoft.Compute/availabilitySets",
    api_versions=versions.VIRTUAL_MACHINES,
    immutable=("properties.platformFaultDomainCount", "properties.platformUpdateDomainCount"),
    in_use_code="OperationNotAllowed",
    in_use_status=409,
    #: a synchronous API: the spec declares 200 only, and the SDKs refuse a 201
    put_statuses=(200,),
    prepare=_prepare,
    decorate=_decorate,
)
