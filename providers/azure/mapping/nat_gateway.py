"""azurerm_nat_gateway and azurerm_nat_gateway_public_ip_association ↔ Microsoft.Network/natGateways.

The gateway's public IPs are not an argument of ``azurerm_nat_gateway``: each is an association resource
that adds itself to the gateway's ``properties.publicIpAddresses``, and the gateway's own updates keep
them (azurerm builds its update from the live body).
"""

from __future__ import annotations

import copy

from tf.types import Unknown

from providers.azure.mapping import ids
from providers.azure.mapping.association import added
from providers.azure.mapping.association import association
from providers.azure.mapping.association import pair
from providers.azure.mapping.association import removed
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Embedded
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.merge import changed_only
from providers.azure.mapping.public_ip import PUBLIC_IP
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import enum_problems
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import location
from providers.azure.mapping.schema import name
from providers.azure.mapping.schema import resource_group_name
from providers.azure.mapping.schema import tags

API_VERSION = "2024-05-01"
NAT_GATEWAY = "Microsoft.Network/natGateways"
SKUS = ("Standard", "StandardV2")


def _gateway_id(attrs: Attrs, sub: str) -> str:
    return ids.resource_id(sub, attrs["resource_group_name"], NAT_GATEWAY, attrs["name"])


def _gateway_to_arm(attrs: Attrs, current: Body | None) -> Body:
    body: Body = {
        "location": attrs["location"],
        "tags": attrs.get("tags") or {},
        "sku": {"name": attrs.get("sku_name") or "Standard"},
        "properties": {"idleTimeoutInMinutes": attrs.get("idle_timeout_in_minutes") or 4},
    }
    if attrs.get("zones"):
        body["zones"] = sorted(attrs["zones"])
    return body


def _gateway_update(prior: Attrs, planned: Attrs, current: Body) -> Body:
    """azurerm's update: the live gateway (its public IPs included) with what the plan changes."""
    return changed_only(_gateway_to_arm(prior, None), _gateway_to_arm(planned, None), current)


def _gateway_from_arm(body: Body, prior: Attrs | None) -> Attrs:
    props = body.get("properties") or {}
    return {
        **ids.located(body, NAT_GATEWAY),
        "idle_timeout_in_minutes": props.get("idleTimeoutInMinutes"),
        "sku_name": (body.get("sku") or {}).get("name") or "",
        "zones": sorted(body.get("zones") or []),
        "resource_guid": props.get("resourceGuid"),
        "tags": body.get("tags") or {},
    }


def _gateway_validate(config: Attrs) -> list[tuple[str, str]]:
    problems = enum_problems(config, "sku_name", SKUS)
    timeout = config.get("idle_timeout_in_minutes")
    if isinstance(timeout, int | float) and not 4 <= timeout <= 120:
        problems.append(
            (
                "idle_timeout_in_minutes",
                f"expected idle_timeout_in_minutes to be in the range (4 - 120), got {timeout}",
            )
        )
    # azurerm's CustomizeDiff: a StandardV2 gateway spans every zone by itself
    if config.get("sku_name") == "StandardV2" and config.get("zones") not in (None, Unknown):
        problems.append(
            (
                "zones",
                "azurerm_nat_gateway resources with `sku_name` set to `StandardV2` are zone-redundant by "
                "default, Azure automatically deploys across all available zones. The `zones` argument "
                "must be omitted",
            )
        )
    return problems


NAT_GATEWAY_MAPPING = Mapping(
    tf_type="azurerm_nat_gateway",
    arm_type=NAT_GATEWAY,
    api_version=API_VERSION,
    schema=(
        id_attr(),
        name(),
        resource_group_name(),
        location(),
        Attr("idle_timeout_in_minutes", Kind.NUMBER, optional=True, default=4),
        Attr("sku_name", optional=True, default="Standard", force_new=True),
        Attr("zones", Kind.SET_STRING, optional=True, force_new=True),
        Attr("resource_guid", computed=True),
        tags(),
    ),
    id_of=_gateway_id,
    to_arm=_gateway_to_arm,
    to_arm_update=_gateway_update,
    from_arm=_gateway_from_arm,
    validate=_gateway_validate,
)


# -- azurerm_nat_gateway_public_ip_association -------------------------------------------------------


def _association_id(attrs: Attrs, sub: str) -> str:
    ids.parse(attrs["nat_gateway_id"], NAT_GATEWAY, "nat_gateway_id")
    ids.parse(attrs["public_ip_address_id"], PUBLIC_IP, "public_ip_address_id")
    return f"{attrs['nat_gateway_id']}|{attrs['public_ip_address_id']}"


def _association_parts(resource_id: str) -> tuple[str, str]:
    """The NAT gateway id and the public IP id of ``{natGatewayId}|{publicIpAddressId}``."""
    gateway_id, public_ip_id = pair(resource_id, "{natGatewayId}|{publicIpAddressId}")
    ids.parse(gateway_id, NAT_GATEWAY, "nat_gateway_id")
    ids.parse(public_ip_id, PUBLIC_IP, "public_ip_address_id")
    return gateway_id, public_ip_id


def _associate(parent: Body, resource_id: str, attrs: Attrs) -> Body:
    body = copy.deepcopy(parent)
    props = body.setdefault("properties", {})
    props["publicIpAddresses"] = added(props.get("publicIpAddresses"), attrs["public_ip_address_id"])
    return body


def _dissociate(parent: Body, resource_id: str, attrs: Attrs) -> Body:
    body = copy.deepcopy(parent)
    props = body.setdefault("properties", {})
    props["publicIpAddresses"] = removed(props.get("publicIpAddresses"), _association_parts(resource_id)[1])
    return body


def _association_extract(parent: Body, resource_id: str, prior: Attrs | None) -> Attrs | None:
    _, public_ip_id = _association_parts(resource_id)
    held = ids.ids_of((parent.get("properties") or {}).get("publicIpAddresses"))
    found = next((i for i in held if ids.same(i, public_ip_id)), None)
    if found is None:
        return None
    return {"id": resource_id, "nat_gateway_id": parent["id"], "public_ip_address_id": found}


NAT_GATEWAY_PUBLIC_IP_ASSOCIATION = association(
    tf_type="azurerm_nat_gateway_public_ip_association",
    parent_type=NAT_GATEWAY,
    schema=(
        id_attr(),
        Attr("nat_gateway_id", required=True, force_new=True),
        Attr("public_ip_address_id", required=True, force_new=True),
    ),
    id_of=_association_id,
    embedded=Embedded(
        parent_of=lambda resource_id: _association_parts(resource_id)[0],
        parent_api_version=API_VERSION,
        insert=_associate,
        remove=_dissociate,
        extract=_association_extract,
    ),
)
