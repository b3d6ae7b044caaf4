"""Whether the configuration already says what the cloud now holds, one drifted attribute at a time.

An out-of-band change is *codified* when the value the configuration gives the attribute equals the live
value, compared in azurerm attribute space with the type's schema (the same normalization the drift
engine uses: case-insensitive values, location spellings, sets as sets, empty equal to null). The answer
is one of three: ``same`` (codified), ``differs`` (the next apply would revert it), ``unknown`` (the
configuration's expression needs Terraform to evaluate, or the value is a masked secret).
"""

from __future__ import annotations

import json
import re
from typing import Any
from typing import Literal

from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import Kind
from reconciler.guard.values import ABSENT
from reconciler.guard.values import Absent
from reconciler.guard.values import Unknown
from reconciler.guard.values import contains_unknown
from reconciler.guard.values import step_into
from state.report import masked

Outcome = Literal["same", "differs", "unknown"]

_TOKEN = re.compile(r'\["((?:[^"\\]|\\.)*)"\]|\.?([^.\[]+)')


class Keyed(str):
    """A path step naming an element of a keyed set of blocks: ``security_rule["allow-ssh"]``."""

    __slots__ = ()


Step = str | int | Keyed


def path_steps(path: str) -> list[Step]:
    """``security_rule["allow-ssh"].priority`` → ``["security_rule", Keyed("allow-ssh"), "priority"]``."""
    steps: list[Step] = []
    for m in _TOKEN.finditer(path):
        key, name = m.groups()
        if key is not None:
            steps.append(Keyed(json.loads(f'"{key}"')))
        elif name.isdigit():
            steps.append(int(name))
        else:
            steps.append(name)
    return steps


def configured_at(
    body: dict[str, Any], path: str, schema: tuple[Item, ...] | None
) -> tuple[Any, Item | None]:
    """The evaluated configuration at a drift path, and the schema item the path ends on (if known)."""
    steps = path_steps(path)
    value: Any = body
    items: tuple[Item, ...] | None = schema
    item: Item | None = None
    i = 0
    while i < len(steps):
        step = steps[i]
        named = isinstance(step, str) and not isinstance(step, Keyed)
        found = next((x for x in items or () if x.name == step), None) if named else None
        if isinstance(step, Keyed):
            value = _element(value, step, item)
        elif isinstance(found, Attr) and found.kind is Kind.MAP_STRING and i + 1 < len(steps):
            # Map keys may hold dots: the rest of the path is one key.
            value = step_into(step_into(value, step), ".".join(str(s) for s in steps[i + 1 :]))
            return value, Attr(found.name, Kind.STRING)
        else:
            value = _dynamic(value, step) if isinstance(step, str) else step_into(value, step)
        if found is not None:
            item = found
            items = found.items if isinstance(found, Block) else None
        elif not isinstance(step, int | Keyed):
            item, items = None, None
        i += 1
    element = isinstance(steps[-1], int | Keyed) if steps else False
    return value, (_element_item(item) if element and isinstance(item, Block) else item)


def compare(configured: Any, live: Any, item: Item | None) -> Outcome:
    """Whether ``configured`` (evaluated, possibly with unknown parts) is ``live`` once normalized."""
    if masked(live):
        return "unknown"
    if isinstance(configured, Unknown):
        return "unknown"
    if isinstance(configured, Absent):
        if isinstance(item, Attr) and (item.computed or item.default is not None):
            return "same" if item.default is None or _scalar_same(item.default, live, item) else "differs"
        if isinstance(item, Block) and item.computed:
            return "same"
        return "same" if _empty(live) else "differs"
    if isinstance(item, Block):
        return _blocks(configured, live, item)
    if isinstance(configured, dict) and isinstance(live, dict) and not isinstance(item, Attr):
        return _fields(configured, live, None)
    if contains_unknown(configured):
        return "differs" if _empty(live) != _empty(configured) else "unknown"
    return "same" if _scalar_same(configured, live, item) else "differs"


# -- blocks -------------------------------------------------------------------------------------------


def _blocks(configured: Any, live: Any, block: Block) -> Outcome:
    if isinstance(configured, dict):  # one element (a keyed step or an index)
        return _fields(configured, live, block) if isinstance(live, dict) else "differs"
    if not isinstance(configured, list):
        return "unknown"
    live_list = live if isinstance(live, list) else [] if live is None else None
    if live_list is None or len(configured) != len(live_list):
        return "differs"
    if not block.set_nested:
        return _all(_fields(c, v, block) for c, v in zip(configured, live_list, strict=True))
    # A set: every configured element must match one live element.
    outcomes = [_best(c, live_list, block) for c in configured]
    return _all(outcomes)


def _best(element: Any, live: list[Any], block: Block) -> Outcome:
    found = [_fields(element, v, block) for v in live]
    return "same" if "same" in found else "unknown" if "unknown" in found else "differs"


def _fields(configured: Any, live: Any, block: Block | None) -> Outcome:
    if not isinstance(configured, dict) or not isinstance(live, dict):
        return "unknown" if isinstance(configured, Unknown) else "differs"
    outcomes: list[Outcome] = []
    for name in sorted(set(configured) | set(live)):
        sub = next((x for x in block.items if x.name == name), None) if block else None
        if block is not None and sub is None:
            continue  # not an attribute a user sets
        value = configured.get(name, ABSENT)
        if isinstance(value, Absent) and block is None:
            continue  # without a schema, only what the configuration says is compared
        outcomes.append(compare(value, live.get(name), sub))
    return _all(outcomes)


def _all(outcomes: Any) -> Outcome:
    seen = list(outcomes)
    return "differs" if "differs" in seen else "unknown" if "unknown" in seen else "same"


def _element(value: Any, key: Keyed, block: Item | None) -> Any:
    """The element of a keyed set of blocks named ``key``; :class:`Unknown` when a key is an expression."""
    if isinstance(value, Unknown | Absent):
        return value
    if not isinstance(value, list):
        return ABSENT
    name = block.key if isinstance(block, Block) and block.key else "name"
    keys = [e.get(name) if isinstance(e, dict) else e for e in value]
    if any(isinstance(k, Unknown) for k in keys):
        return next(k for k in keys if isinstance(k, Unknown))
    return next((e for e, k in zip(value, keys, strict=True) if k == key), ABSENT)


def _element_item(block: Block) -> Block:
    """A block as the schema of one of its elements (fields compared one by one)."""
    return Block(block.name, block.items, key=block.key)


def _dynamic(value: Any, name: str) -> Any:
    got = step_into(value, name)
    if isinstance(got, Absent) and isinstance(value, dict):
        # A `dynamic "name"` block builds the elements from an expression: only Terraform knows them.
        for dyn in value.get("dynamic") or []:
            if isinstance(dyn, dict) and name in dyn:
                return Unknown(f'dynamic "{name}"')
    return got


# -- scalars ------------------------------------------------------------------------------------------


def _scalar_same(configured: Any, live: Any, item: Item | None) -> bool:
    if isinstance(item, Attr):
        return item.same(_typed(configured, item.kind), _typed(live, item.kind)) or (
            _empty(configured) and _empty(live)
        )
    if _empty(configured) and _empty(live):
        return True
    return _loose(configured) == _loose(live)


def _typed(value: Any, kind: Kind) -> Any:
    """HCL converts ``"64"`` to a number and ``"true"`` to a bool where the schema wants one."""
    if isinstance(value, str):
        if kind is Kind.NUMBER:
            try:
                number = float(value)
            except ValueError:
                return value
            return int(number) if number.is_integer() else number
        if kind is Kind.BOOL and value in ("true", "false"):
            return value == "true"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _loose(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, list):
        return [_loose(v) for v in value]
    if isinstance(value, dict):
        return {k: _loose(v) for k, v in value.items()}
    return value


def _empty(value: Any) -> bool:
    return value is None or isinstance(value, Absent) or value in ("", [], {})
