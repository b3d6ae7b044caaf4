"""The contract of a per-type mapping between azurerm attributes and ARM JSON.

Most azurerm resources are one ARM resource: PUT/GET/DELETE at their id. Some live inside another
resource's body instead (a load balancer's probe, a VM's data-disk attachment, a NIC's backend-pool
association): those declare an :class:`Embedded` part and are written by editing their parent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from typing import NamedTuple

from providers.azure.mapping import merge
from providers.azure.mapping import schema
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Item

Body = dict[str, Any]


class MappingError(Exception):
    """A value that cannot be mapped (e.g. an id of the wrong type); the message names the attribute."""


#: where the results of a mapping's :class:`Lookup` reads reach ``from_arm``: ``body[LOOKUPS][key]``
LOOKUPS = "__lookups__"


class Lookup(NamedTuple):
    """One more ARM read a resource's state needs besides its own GET, as azurerm makes it.

    azurerm reads a VM's network interfaces and their public IPs for its addresses, and lists a storage
    account's keys. The reader (the sandbox provider, the drift engine) makes these reads and hands the
    results to ``from_arm`` under ``body[LOOKUPS][key]`` (None when the read failed or found nothing).
    """

    key: str
    resource_id: str
    api_version: str
    #: a POST action on the resource (``listKeys``) instead of a GET
    action: str = ""


class Echo(NamedTuple):
    """Part of this resource's body that resources of another azurerm type may manage one by one.

    azurerm lets a virtual network's subnets be written inline (its ``subnet`` block) or as
    ``azurerm_subnet`` resources, an NSG's rules inline or as ``azurerm_network_security_rule``, a route
    table's routes inline or as ``azurerm_route``. The block is Optional+Computed, so a read shows every
    element however it was written. When the configuration does not set ``block``, the drift engine
    treats its elements as echoes: one whose ``owner`` resource is in state is that resource's business,
    not this one's; one nobody in state owns is an unmanaged ``owner`` resource. When the configuration
    sets the block inline, the elements are this resource's own and compared as usual. Proposals never
    write such a block next to an owner resource (azurerm documents that the two overwrite each other).
    """

    #: the Optional+Computed block of this resource whose elements other resources may own
    block: str
    #: the azurerm type that manages one element on its own
    owner: str
    #: the ARM id an owner's state holds for an element, from this resource's id and the element
    element_id: Callable[[str, Attrs], str]


@dataclass(frozen=True)
class Embedded:
    """How an embedded resource lives in its parent's body."""

    parent_of: Callable[[str], str]  # resource id -> parent id
    parent_api_version: str
    insert: Callable[[Body, str, Attrs], Body]  # parent body with this resource in (or replaced)
    remove: Callable[[Body, str, Attrs], Body]  # parent body without it
    extract: Callable[[Body, str, Attrs | None], Attrs | None]  # the resource's state, or None if absent


@dataclass(frozen=True)
class Mapping:
    """One azurerm resource type."""

    tf_type: str
    arm_type: str
    api_version: str
    schema: tuple[Item, ...]
    #: the ARM id of the resource the attributes describe
    id_of: Callable[[Attrs, str], str]
    #: the body to PUT, from planned attributes and the current body (None on create)
    to_arm: Callable[[Attrs, Body | None], Body]
    #: state attributes from a GET, given the prior state (for write-only values ARM never returns)
    from_arm: Callable[[Body, Attrs | None], Attrs]
    embedded: Embedded | None = None
    #: checks neither Terraform's schema nor ``Attr.one_of`` express (conflicting attributes, ranges):
    #: (path, message); run by :meth:`problems`
    validate: Callable[[Attrs], list[tuple[str, str]]] = lambda attrs: []
    #: azurerm updates by sending only what changed (``d.HasChange``): the update body is the live one with
    #: the parts set where ``to_arm`` of the prior state and of the plan differ (see :meth:`update_body`)
    update_changes_only: bool = False
    #: the body to PUT on update from the prior state, the planned attributes and the live body, for types
    #: whose update neither ``to_arm`` nor ``update_changes_only`` describes
    to_arm_update: Callable[[Attrs, Attrs, Body], Body] | None = None
    #: further reads ``from_arm`` needs, given the body with the lookups found so far under
    #: ``body[LOOKUPS]`` (called again until it asks for nothing new, so a read may follow from another)
    lookups: Callable[[Body], list[Lookup]] = lambda body: []
    #: blocks whose elements resources of other types may manage one by one (see :class:`Echo`)
    echoes: tuple[Echo, ...] = ()
    #: azurerm's importer: the state to import from the live body and the state read from it; raises
    #: :class:`MappingError` for what the type refuses to import (a Windows VM as a Linux one)
    imported: Callable[[Body, Attrs], Attrs] = lambda body, state: state
    #: whether a live body of ``arm_type`` is this type's, when several types share one ARM type (a VM is
    #: azurerm_linux_virtual_machine's or azurerm_windows_virtual_machine's by its OS)
    owns: Callable[[Body], bool] = lambda body: True

    def problems(self, config: Attrs) -> list[tuple[str, str]]:
        """Everything azurerm checks in a configuration at plan time: declared values, then ``validate``."""
        return schema.problems(self.schema, config) + self.validate(config)

    def update_body(self, prior: Attrs, planned: Attrs, current: Body) -> Body:
        """The body to PUT on update, given the prior state, the planned attributes and the live body."""
        if self.to_arm_update is not None:
            return self.to_arm_update(prior, planned, current)
        if self.update_changes_only:
            return merge.changed_only(self.to_arm(prior, current), self.to_arm(planned, current), current)
        return self.to_arm(planned, current)
