"""azurerm_availability_set ↔ Microsoft.Compute/availabilitySets.

Everything but the tags is fixed when the set is created (azurerm marks it ForceNew); ``managed`` is the
``Aligned`` sku. The VMs in the set are not part of it here: each VM names its set (``availability_set_id``).
"""

from __future__ import annotations

import re

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import case_insensitive
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import location
from providers.azure.mapping.schema import name
from providers.azure.mapping.schema import resource_group_name
from providers.azure.mapping.schema import tags

API_VERSION = "2024-03-01"
AVAILABILITY_SET = "Microsoft.Compute/availabilitySets"
_NAME = re.compile(r"^[a-zA-Z0-9]([-._a-zA-Z0-9]{0,78}[a-zA-Z0-9_])?$")
#: (attribute, lowest, highest) as azurerm's IntBetween
_RANGES = (("platform_update_domain_count", 1, 20), ("platform_fault_domain_count", 1, 3))


def _to_arm(attrs: Attrs, current: Body | None) -> Body:
    props: Body = {
        "platformFaultDomainCount": int(attrs.get("platform_fault_domain_count") or 3),
        "platformUpdateDomainCount": int(attrs.get("platform_update_domain_count") or 5),
    }
    if attrs.get("proximity_placement_group_id"):
        props["proximityPlacementGroup"] = {"id": attrs["proximity_placement_group_id"]}
    body: Body = {"location": attrs["location"], "tags": attrs.get("tags") or {}, "properties": props}
    if attrs.get("managed") is not False:
        body["sku"] = {"name": "Aligned"}
    return body


def _from_arm(body: Body, prior: Attrs | None) -> Attrs:
    props = body.get("properties") or {}
    return {
        **ids.located(body, AVAILABILITY_SET),
        "managed": str((body.get("sku") or {}).get("name") or "").lower() == "aligned",
        "platform_fault_domain_count": props.get("platformFaultDomainCount"),
        "platform_update_domain_count": props.get("platformUpdateDomainCount"),
        "proximity_placement_group_id": (props.get("proximityPlacementGroup") or {}).get("id"),
        "tags": body.get("tags") or {},
    }


def _validate(config: Attrs) -> list[tuple[str, str]]:
    problems = []
    set_name = config.get("name")
    if isinstance(set_name, str) and not _NAME.match(set_name):
        problems.append(
            (
                "name",
                "The Availability set name can contain only letters, numbers, periods (.), hyphens (-),and "
                "underscores (_), up to 80 characters, and it must begin a letter or number and end with a "
                "letter, number or underscore.",
            )
        )
    for attr, low, high in _RANGES:
        value = config.get(attr)
        if isinstance(value, int | float) and not low <= value <= high:
            problems.append((attr, f"expected {attr} to be in the range ({low} - {high}), got {value}"))
    return problems


MAPPING = Mapping(
    tf_type="azurerm_availability_set",
    arm_type=AVAILABILITY_SET,
    api_version=API_VERSION,
    schema=(
        id_attr(),
        name(),
        resource_group_name(),
        location(),
        Attr("platform_update_domain_count", Kind.NUMBER, optional=True, default=5, force_new=True),
        Attr("platform_fault_domain_count", Kind.NUMBER, optional=True, default=3, force_new=True),
        Attr("managed", Kind.BOOL, optional=True, default=True, force_new=True),
        Attr("proximity_placement_group_id", optional=True, force_new=True, normalize=case_insensitive),
        tags(),
    ),
    id_of=lambda attrs, sub: ids.resource_id(
        sub, attrs["resource_group_name"], AVAILABILITY_SET, attrs["name"]
    ),
    to_arm=_to_arm,
    from_arm=_from_arm,
    validate=_validate,
)
