"""The azurerm schema language: attributes and nested blocks as the real provider declares them.

One declaration serves three users: the sandbox's Terraform provider (its schema, plan and state), the
drift engine (normalizing live reads into attribute space) and the proposal engine (which attributes
force replacement). Values are plain Python: str, int/float, bool, list, dict, None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from tf.types import Unknown

Attrs = dict[str, Any]


class Kind(Enum):
    """Terraform value types the azurerm resources here use (cty type JSON)."""

    STRING = '"string"'
    NUMBER = '"number"'
    BOOL = '"bool"'
    LIST_STRING = '["list","string"]'
    SET_STRING = '["set","string"]'
    MAP_STRING = '["map","string"]'

    @property
    def empty(self) -> Any:
        """What an absent collection reads back as (azurerm sets [] / {} rather than null)."""
        if self in (Kind.LIST_STRING, Kind.SET_STRING):
            return []
        if self is Kind.MAP_STRING:
            return {}
        return None


@dataclass(frozen=True)
class Attr:
    """One attribute. ``default`` is the SDKv2 ``Default``: planned when the configuration leaves it null."""

    name: str
    kind: Kind = Kind.STRING
    required: bool = False
    optional: bool = False
    computed: bool = False
    default: Any = None
    force_new: bool = False
    sensitive: bool = False
    #: differences that are not changes (azurerm's DiffSuppressFunc), e.g. case or location spelling
    normalize: Callable[[Any], Any] | None = None
    #: differences azurerm suppresses by looking at both values (a DiffSuppressFunc ``normalize`` cannot
    #: express), e.g. an imported VM's placeholder password against the configured one
    suppress: Callable[[Any, Any], bool] | None = None
    #: the spelling a configured value is stored and planned in (azurerm's StateFunc), e.g. locations
    canonical: Callable[[Any], Any] | None = None
    #: the only values a configuration may set (azurerm's ``validation.StringInSlice``): see :func:`problems`
    one_of: tuple[str, ...] = ()
    #: ``StringInSlice``'s ``ignoreCase``
    one_of_ignore_case: bool = False
    #: attributes of the same object that may not be set with this one (SDKv2's ``ConflictsWith``)
    conflicts_with: tuple[str, ...] = ()
    description: str = ""

    def same(self, a: Any, b: Any) -> bool:
        """Whether two values are equal once normalized (and sets compared as sets)."""
        if self.suppress is not None and a is not None and b is not None and self.suppress(a, b):
            return True
        if self.normalize is not None and a is not None and b is not None:
            a, b = self.normalize(a), self.normalize(b)
        if self.kind is Kind.SET_STRING and isinstance(a, list) and isinstance(b, list):
            return sorted(map(str, a)) == sorted(map(str, b))
        if self.kind in (Kind.LIST_STRING, Kind.SET_STRING, Kind.MAP_STRING):
            a = self.kind.empty if a is None else a
            b = self.kind.empty if b is None else b
        return bool(a == b)


@dataclass(frozen=True)
class Block:
    """A nested block, list-nested as in SDKv2 (``os_disk.0.caching`` in state paths)."""

    name: str
    items: tuple[Attr | Block, ...]
    min_items: int = 0
    max_items: int = 0  # 0 = unlimited
    force_new: bool = False
    set_nested: bool = False
    #: Optional+Computed (SDKv2): left out of the configuration, the live value is kept, not removed
    computed: bool = False
    #: for a set-nested block: the attribute naming an element (``security_rule["allow-ssh"]``), so that
    #: drift is reported element by element; empty: the set is one value
    key: str = ""
    description: str = ""

    @property
    def attrs(self) -> tuple[Attr, ...]:
        return tuple(i for i in self.items if isinstance(i, Attr))

    @property
    def blocks(self) -> tuple[Block, ...]:
        return tuple(i for i in self.items if isinstance(i, Block))


Item = Attr | Block


def item(items: tuple[Item, ...], name: str) -> Item:
    for i in items:
        if i.name == name:
            return i
    raise KeyError(name)


# -- common attribute shapes (as azurerm spells them) -------------------------------------------------


def location_key(value: Any) -> Any:
    """azurerm's ``location.Normalize``: ``West Europe`` and ``westeurope`` are the same place."""
    return value.replace(" ", "").lower() if isinstance(value, str) else value


def case_insensitive(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def name(*, force_new: bool = True) -> Attr:
    return Attr("name", required=True, force_new=force_new)


def resource_group_name() -> Attr:
    return Attr("resource_group_name", required=True, force_new=True, normalize=case_insensitive)


def location() -> Attr:
    return Attr("location", required=True, force_new=True, normalize=location_key, canonical=location_key)


def tags() -> Attr:
    return Attr("tags", Kind.MAP_STRING, optional=True)


def id_attr() -> Attr:
    return Attr("id", computed=True)


def enum_problem(attr: str, value: Any, allowed: tuple[str, ...], ignore_case: bool = False) -> str | None:
    """azurerm's ``StringInSlice`` message for a value not allowed; None for null or unknown (not a str)."""
    if not isinstance(value, str):
        return None
    if value in allowed or (ignore_case and value.lower() in {a.lower() for a in allowed}):
        return None
    return f"expected {attr} to be one of {list(allowed)}, got {value}"


def problems(items: tuple[Item, ...], config: Attrs) -> list[tuple[str, str]]:
    """What the checks declared on the attributes (``one_of``, ``conflicts_with``) find in a configuration,
    as (path, message).

    Paths are dotted state paths (``os_disk.0.caching``); a set's elements have no index to point at, so a
    problem inside a set-nested block names the block.
    """
    found: list[tuple[str, str]] = []
    for i in items:
        value = config.get(i.name)
        if isinstance(i, Attr):
            message = enum_problem(i.name, value, i.one_of, i.one_of_ignore_case) if i.one_of else None
            if message:
                found.append((i.name, message))
            if value is not None:
                # an attribute not known until apply conflicts with nothing yet
                found += [
                    (i.name, f'"{i.name}": conflicts with {other}')
                    for other in i.conflicts_with
                    if config.get(other) is not None and config.get(other) is not Unknown
                ]
            continue
        for index, element in enumerate(value if isinstance(value, list) else []):
            if not isinstance(element, dict):
                continue
            for path, message in problems(i.items, element):
                found.append((i.name if i.set_nested else f"{i.name}.{index}.{path}", message))
    return found


def enum_problems(attrs: Attrs, attr: str, allowed: tuple[str, ...]) -> list[tuple[str, str]]:
    """azurerm's case-sensitive ``StringInSlice`` on one attribute, as (attribute, message) problems."""
    message = enum_problem(attr, attrs.get(attr), allowed)
    return [(attr, message)] if message else []


def element_problems(
    config: Attrs, block: str, check: Callable[[Attrs], list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """``check`` on each element of a set-nested block (a route, a security rule) in the configuration.

    A set's elements have no index to point at: the diagnostics name the block.
    """
    elements = config.get(block)
    if not isinstance(elements, list):
        return []
    return [(block, message) for e in elements if isinstance(e, dict) for _, message in check(e)]


def empty_state(items: tuple[Item, ...]) -> Attrs:
    """Every attribute null and every block empty: the shape a state object must have."""
    return {i.name: ([] if isinstance(i, Block) else None) for i in items}
