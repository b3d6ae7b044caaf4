"""What the cloud answers with: a resolved request target and the outcome of a write."""

from __future__ import annotations

from typing import NamedTuple

from sandbox.arm import ids
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType


class Target(NamedTuple):
    """A resolved request target: the canonical id, its type spec and the spec of its top-level type."""

    rid: ids.ResourceId
    spec: ResourceType
    top: ResourceType


class Reply(NamedTuple):
    status: int
    body: Body | None
    operation_id: str | None = None  # set when the request continues as an async operation
    location: str | None = None  # region, for the operation URL
