"""azurerm_resource_group ↔ Microsoft.Resources/resourceGroups."""

from __future__ import annotations

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import location
from providers.azure.mapping.schema import name
from providers.azure.mapping.schema import tags


def _to_arm(attrs: Attrs, current: Body | None) -> Body:
    body: Body = {"location": attrs["location"], "tags": attrs.get("tags") or {}}
    if attrs.get("managed_by"):
        body["managedBy"] = attrs["managed_by"]
    return body


def _from_arm(body: Body, prior: Attrs | None) -> Attrs:
    return {
        "id": body["id"],
        "name": body["name"],
        "location": body["location"],
        "managed_by": body.get("managedBy") or None,
        "tags": body.get("tags") or {},
    }


MAPPING = Mapping(
    tf_type="azurerm_resource_group",
    arm_type="Microsoft.Resources/resourceGroups",
    api_version="2022-09-01",
    schema=(id_attr(), name(), location(), Attr("managed_by", optional=True), tags()),
    id_of=lambda attrs, sub: ids.group_id(sub, attrs["name"]),
    to_arm=_to_arm,
    from_arm=_from_arm,
)
