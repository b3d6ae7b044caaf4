"""The values static evaluation yields besides plain ones: what only Terraform knows, what is not set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from typing import NamedTuple


class Unknown(NamedTuple):
    """A value only Terraform can compute; ``expression`` is its source text (for messages)."""

    expression: str


@dataclass(frozen=True)
class Absent:
    """The configuration does not set this (its default, or nothing, applies)."""


ABSENT = Absent()


def step_into(value: Any, step: str | int) -> Any:
    """One step of a path into an evaluated value; :data:`ABSENT` when there is nothing there."""
    if isinstance(value, Unknown | Absent):
        return value
    if isinstance(value, dict):
        return value.get(str(step), ABSENT)
    if isinstance(value, list) and isinstance(step, int):
        return value[step] if 0 <= step < len(value) else ABSENT
    return ABSENT


def contains_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    return False


def first_unknown(value: Any) -> Unknown | None:
    if isinstance(value, Unknown):
        return value
    items = value if isinstance(value, list) else value.values() if isinstance(value, dict) else ()
    return next((u for u in map(first_unknown, items) if u is not None), None)
