"""Associations: a reference in one resource's body that azurerm manages as a resource of its own.

``azurerm_subnet_route_table_association`` sets a subnet's ``routeTable``,
``azurerm_nat_gateway_public_ip_association`` adds to a NAT gateway's ``publicIpAddresses``, the NIC's
backend-pool association adds to an IP configuration's pools. None is an ARM resource: each is written
by editing its parent's body (:class:`~providers.azure.mapping.base.Embedded`) and read from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Embedded
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.base import MappingError
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Item


def association(
    *,
    tf_type: str,
    parent_type: str,
    schema: tuple[Item, ...],
    id_of: Callable[[Attrs, str], str],
    embedded: Embedded,
) -> Mapping:
    """The mapping of an association that lives in the body of a ``parent_type`` resource."""

    def not_alone(attrs: Attrs, current: Body | None) -> Body:
        raise MappingError(f"{tf_type} is written through its {parent_type.rsplit('/', 1)[-1]}")

    def from_parent(body: Body, prior: Attrs | None) -> Attrs:
        """The state from the parent's body (the prior state names the association to find)."""
        state = embedded.extract(body, prior["id"], prior) if prior and prior.get("id") else None
        if state is None:
            raise MappingError(f"the association is not in {body.get('id')}")
        return state

    return Mapping(
        tf_type=tf_type,
        # not an ARM resource of its own: it lives in the parent's body
        arm_type=parent_type,
        api_version=embedded.parent_api_version,
        schema=schema,
        id_of=id_of,
        to_arm=not_alone,
        from_arm=from_parent,
        embedded=embedded,
    )


def pair(resource_id: str, expected: str) -> tuple[str, str]:
    """The two ids of an association id ``{a}|{b}``; ``expected`` spells the format for the error."""
    first, bar, second = resource_id.partition("|")
    if not bar:
        raise MappingError(f"Expected ID to be in the format {expected} but got {resource_id!r}")
    return first, second


def added(refs: Any, target: str) -> list[Body]:
    """A list of sub-resource references with ``target`` appended, as azurerm's associations append."""
    return [*(r for r in refs or [] if isinstance(r, dict) and r.get("id")), {"id": target}]


def removed(refs: Any, target: str) -> list[Body]:
    """A list of sub-resource references without ``target`` (ids compare case-insensitively)."""
    return [r for r in refs or [] if isinstance(r, dict) and not ids.same(r.get("id"), target)]
