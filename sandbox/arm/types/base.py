"""The contract between the generic ARM engine and a resource type module.

A type module builds one :class:`ResourceType`: data (names, api-versions, immutable and reference
paths, child collections) plus a few hooks. The engine (``cloud/``) does everything that is the same
for every type — routing, casing, referential integrity, in-use checks, persistence, the Activity Log.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from typing import Protocol

from sandbox.arm.errors import ArmError

Body = dict[str, Any]


class Tx(Protocol):
    """What a hook may do inside the write transaction of the request it serves."""

    now: datetime
    subscription: str
    resource_group: str

    def get(self, resource_id: str) -> Body | None:
        """A resource or child resource as stored (uncommitted writes of this transaction included)."""

    def put(self, resource_id: str, body: Body) -> Body:
        """Create or replace another resource as a side effect (its type's rules apply)."""

    def delete(self, resource_id: str) -> None:
        """Delete another resource as a side effect (its type's rules apply)."""

    def referrers(self, resource_id: str) -> list[Body]:
        """Bodies of the resources that reference ``resource_id`` or something below it."""

    def find(self, type_name: str, name: str) -> list[Body]:
        """Resources of a type with a name, in every subscription (for globally unique names)."""

    def guid(self) -> str: ...


Hook = Callable[[Tx, Body, "Body | None"], None]
ReadHook = Callable[[Tx, Body], None]
Action = Callable[[Tx, Body, Body], "tuple[int, Body | None]"]


def _no_hook(tx: Tx, body: Body, old: Body | None) -> None:
    return None


def _no_read_hook(tx: Tx, body: Body) -> None:
    return None


@dataclass(frozen=True)
class ResourceType:
    """One ARM resource type (or child type, with ``collection`` set)."""

    type_name: str
    api_versions: tuple[str, ...]
    name_pattern: str = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,78}[A-Za-z0-9_]$|^[A-Za-z0-9]$"
    name_rule: str = "1-80 letters, digits, '_', '.', '-'; starts alphanumeric, ends alphanumeric or '_'"
    #: the error a bad name gets; ``{name}`` and ``{rule}`` are filled in
    name_error: tuple[str, str] = (
        "InvalidResourceName",
        "Resource name {name} is invalid. The name can be {rule}.",
    )
    tracked: bool = True
    #: dotted paths ARM refuses to change in place (409 PropertyChangeNotAllowed)
    immutable: tuple[str, ...] = ()
    #: dotted paths of ids this resource references; ``[*]`` walks a list
    refs: tuple[str, ...] = ()
    #: child collections embedded in ``properties[collection]``
    children: tuple[ResourceType, ...] = ()
    #: for child types: the name of the collection (== URL segment == property name)
    collection: str = ""
    #: children ARM exposes only for reading (their parent's PUT manages them)
    read_only_child: bool = False
    #: error ARM returns when deleting this resource while something references it
    in_use_code: str = "InUseResourceCannotBeDeleted"
    in_use_status: int = 400
    etag: bool = False
    #: the statuses the provider's spec declares for PUT; the SDKs refuse any other (disks: 200, 202)
    put_statuses: tuple[int, ...] = (200, 201)
    #: fill defaults, validate, compute read-only fields, make side effects (a VM creates its OS disk);
    #: ``old`` is the stored body on update. It runs inside the request's transaction.
    prepare: Hook = _no_hook
    #: checks and side effects before deletion (``old`` is always None)
    before_delete: Hook = _no_hook
    #: read-only fields derived from other resources, filled at read time
    decorate: ReadHook = _no_read_hook
    #: POST/GET actions on the resource: ``.../{name}/{action}``
    actions: dict[str, Action] = field(default_factory=dict)

    @property
    def namespace(self) -> str:
        return self.type_name.split("/", 1)[0]

    @property
    def segment(self) -> str:
        """The last segment of the type (``virtualMachines``)."""
        return self.type_name.rsplit("/", 1)[-1]

    def child(self, collection: str) -> ResourceType | None:
        for c in self.children:
            if c.collection.lower() == collection.lower():
                return c
        return None

    def check_name(self, name: str) -> None:
        if not re.match(self.name_pattern, name):
            code, message = self.name_error
            raise ArmError(400, code, message.format(name=name, rule=self.name_rule))


def child_type(parent: str, collection: str, api_versions: tuple[str, ...], **fields: Any) -> ResourceType:
    """A child type kept in its parent's ``properties[collection]`` (subnets, security rules, routes…)."""
    return ResourceType(
        type_name=f"{parent}/{collection}",
        api_versions=api_versions,
        collection=collection,
        tracked=False,
        etag=True,
        **fields,
    )


# -- small helpers for type modules -----------------------------------------------------------------


def dig(obj: Any, path: str) -> Any:
    """The value at a dotted path, or None when any step is missing."""
    for part in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def set_default(obj: Body, path: str, value: Any) -> None:
    """Set ``path`` to ``value`` unless it already has a non-null value; creates intermediate dicts."""
    *parents, last = path.split(".")
    for part in parents:
        nxt = obj.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            obj[part] = nxt
        obj = nxt
    if obj.get(last) is None:
        obj[last] = value


def walk_refs(body: Body, path: str) -> Iterator[str]:
    """Every string id at ``path`` (``a.b[*].c.id``) in ``body``."""

    def walk(obj: Any, parts: list[str]) -> Iterator[str]:
        if not parts:
            if isinstance(obj, str) and obj:
                yield obj
            return
        head, rest = parts[0], parts[1:]
        many = head.endswith("[*]")
        name = head[:-3] if many else head
        if not isinstance(obj, dict):
            return
        value = obj.get(name)
        if many:
            for item in value if isinstance(value, list) else []:
                yield from walk(item, rest)
        else:
            yield from walk(value, rest)

    yield from walk(body, path.split("."))


def require(body: Body, path: str, message: str | None = None) -> Any:
    value = dig(body, path)
    if value is None or value == "":
        raise ArmError(
            400,
            "InvalidParameter",
            message or f"Required parameter '{path.rsplit('.', 1)[-1]}' is missing (null). Target: '{path}'.",
        )
    return value


def one_of(body: Body, path: str, allowed: tuple[str, ...], default: str | None = None) -> str | None:
    """Validate an enum (case-insensitive), answer with the canonical spelling, set the default."""
    value = dig(body, path)
    if value is None:
        if default is not None:
            set_default(body, path, default)
        return default
    for choice in allowed:
        if isinstance(value, str) and value.lower() == choice.lower():
            *parents, last = path.split(".")
            target = body
            for p in parents:
                target = target[p]
            target[last] = choice
            return choice
    raise ArmError(
        400,
        "InvalidParameter",
        f"The value '{value}' of parameter '{path.rsplit('.', 1)[-1]}' is not allowed. "
        f"Allowed values are: {', '.join(allowed)}. Target: '{path}'.",
    )
