"""Planning a resource change from the schema alone, with the semantics of SDKv2 (azurerm's SDK).

- Computed-only attributes are unknown on create and keep their prior value on update.
- Optional+computed attributes left out of the configuration keep their prior value (or become unknown).
- ``default`` is planned for an optional attribute the configuration leaves null.
- A configured value equal to the prior one once normalized (case, location spelling) keeps the prior
  spelling, so there is no perpetual diff.
- An empty collection or a zero value (false, 0, "") in state and null in the configuration are the same
  (SDKv2's normalization).
- A computed block left out of the configuration keeps its prior elements.
- A change to a ``force_new`` attribute or block (unknown counts as a change) requires replacement.
"""

from __future__ import annotations

from typing import Any
from typing import NamedTuple

from tf.types import Unknown

from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import Kind
from sandbox.provider.values import Path

#: SDKv2 compares an attribute the configuration leaves null as its type's zero value
_ZERO: dict[Kind, Any] = {Kind.STRING: "", Kind.NUMBER: 0, Kind.BOOL: False}


class Plan(NamedTuple):
    planned: Attrs
    requires_replace: list[Path]


def plan(items: tuple[Item, ...], prior: Attrs | None, config: Attrs) -> Plan:
    replace: list[Path] = []
    planned = _plan_object(items, prior, config, [], replace, creating=prior is None)
    return Plan(planned, replace)


def _plan_object(
    items: tuple[Item, ...],
    prior: Attrs | None,
    config: Attrs,
    path: Path,
    replace: list[Path],
    creating: bool,
) -> Attrs:
    out: Attrs = {}
    for i in items:
        here = [*path, i.name]
        before = prior.get(i.name) if prior is not None else None
        if isinstance(i, Block):
            out[i.name] = _plan_block(i, before, config.get(i.name), here, replace, creating)
            if prior is not None and i.force_new and _changed_block(i, before, out[i.name]):
                replace.append(here)
            continue
        value = _plan_attr(i, prior, before, config.get(i.name))
        out[i.name] = value
        if prior is not None and not creating and i.force_new and _changed(i, before, value):
            replace.append(here)
    return out


def _plan_attr(attr: Attr, prior: Attrs | None, before: Any, configured: Any) -> Any:
    if configured is Unknown:
        return Unknown
    if configured is not None and attr.canonical is not None:
        # Planned in the stored spelling, so dependents planned from it don't change at apply time.
        configured = attr.canonical(configured)
    if configured is None or (configured == attr.kind.empty and attr.computed and attr.optional):
        if attr.computed:
            if prior is not None and (before is not None or attr.default is None):
                return before  # SDKv2 keeps what the resource has, null too: unknown only on create
            return attr.default if attr.default is not None else Unknown
        if attr.default is None and before is not None and before in (attr.kind.empty, _ZERO.get(attr.kind)):
            return (
                before  # SDKv2 treats null like an empty collection or the zero value (false, 0, ""): no diff
            )
        return attr.default
    if prior is not None and before is not None and attr.same(configured, before):
        return before
    return configured


def _plan_block(
    block: Block, before: Any, configured: Any, path: Path, replace: list[Path], creating: bool
) -> Any:
    if configured is Unknown:
        return Unknown
    prior_items = before if isinstance(before, list) else []
    config_items = configured if isinstance(configured, list) else []
    if block.computed and not config_items:
        return prior_items
    planned = []
    for index, element in enumerate(config_items):
        if element is Unknown:
            planned.append(Unknown)
            continue
        prior_element = _matching(block, prior_items, element, index)
        planned.append(_plan_object(block.items, prior_element, element, [*path, index], replace, creating))
    return planned


def _matching(block: Block, prior_items: list[Any], element: Attrs, index: int) -> Attrs | None:
    """The prior element a configured one updates: by name when the block has one, else by position."""
    if any(isinstance(i, Attr) and i.name == "name" for i in block.items) and element.get("name") not in (
        None,
        Unknown,
    ):
        for candidate in prior_items:
            if isinstance(candidate, dict) and candidate.get("name") == element["name"]:
                return candidate
        return None
    if index < len(prior_items) and isinstance(prior_items[index], dict):
        return prior_items[index]
    return None


def _changed(attr: Attr, before: Any, after: Any) -> bool:
    if after is Unknown:
        return True
    return not attr.same(before, after)


def _changed_block(block: Block, before: Any, after: Any) -> bool:
    if after is Unknown:
        return True
    before_items = before if isinstance(before, list) else []
    after_items = after if isinstance(after, list) else []
    if len(before_items) != len(after_items):
        return True
    for old, new in zip(before_items, after_items, strict=True):
        if new is Unknown or old is None:
            return True
        for i in block.items:
            if isinstance(i, Block):
                if _changed_block(i, old.get(i.name), new.get(i.name)):
                    return True
            elif (not i.computed or i.optional) and _changed(i, old.get(i.name), new.get(i.name)):
                return True
    return False
