"""ARM resource ids: parsing, canonical casing and the lowercase lookup key.

ARM treats ids case-insensitively but answers with canonical casing: ``resourceGroups``, the provider
namespace and type as registered, and names as they were created. The store keys rows by the lowercase id.
"""

from __future__ import annotations

from typing import NamedTuple


class ResourceId(NamedTuple):
    """A parsed id below a resource group: ``/subscriptions/S/resourceGroups/G/providers/NS/T/N[/T2/N2]``."""

    subscription: str
    resource_group: str
    namespace: str
    types: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def type_name(self) -> str:
        """The full type, e.g. ``Microsoft.Network/virtualNetworks/subnets``."""
        return "/".join((self.namespace, *self.types))

    @property
    def name(self) -> str:
        return self.names[-1]

    @property
    def parent(self) -> ResourceId | None:
        if len(self.types) == 1:
            return None
        return self._replace(types=self.types[:-1], names=self.names[:-1])

    def __str__(self) -> str:
        tail = "/".join(f"{t}/{n}" for t, n in zip(self.types, self.names, strict=True))
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/providers/{self.namespace}/{tail}"
        )

    def child(self, type_segment: str, name: str) -> ResourceId:
        return self._replace(types=(*self.types, type_segment), names=(*self.names, name))


def key(resource_id: str) -> str:
    """The case-insensitive lookup key of an id."""
    return resource_id.rstrip("/").lower()


def group_id(subscription: str, resource_group: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{resource_group}"


def parse(resource_id: str) -> ResourceId | None:
    """Parse a resource id below a resource group, or None if it is not one."""
    parts = resource_id.strip("/").split("/")
    if len(parts) < 8 or len(parts) % 2:
        return None
    if parts[0].lower() != "subscriptions" or parts[2].lower() != "resourcegroups":
        return None
    if parts[4].lower() != "providers":
        return None
    rest = parts[6:]
    return ResourceId(
        subscription=parts[1],
        resource_group=parts[3],
        namespace=parts[5],
        types=tuple(rest[0::2]),
        names=tuple(rest[1::2]),
    )


def parse_group(resource_id: str) -> tuple[str, str] | None:
    """``(subscription, resource_group)`` of a resource group id, or None."""
    parts = resource_id.strip("/").split("/")
    if len(parts) == 4 and parts[0].lower() == "subscriptions" and parts[2].lower() == "resourcegroups":
        return parts[1], parts[3]
    return None
