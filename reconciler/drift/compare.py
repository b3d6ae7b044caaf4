"""Comparing a resource's state with its live read, in azurerm attribute space.

Both sides are normalized with the type's schema first — sets sorted, locations and case-insensitive
values folded, empty collections and null made equal — so that spelling is never drift. Only attributes
a user can set are compared: computed-only values (ids, back-references, etags) change as Azure pleases
and are not drift. Paths are dotted with list indexes as numbers: ``boot_diagnostics.0.storage_account_uri``;
an element of a keyed set of blocks is named by its key: ``security_rule["allow-ssh"]`` (added: no state
value; removed: no live value) and ``security_rule["allow-ssh"].priority`` (one field changed).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import Kind
from state.report import MASK
from state.report import Change

Path = tuple[str | int, ...]


def compare(
    schema: tuple[Item, ...],
    state: Attrs,
    live: Attrs,
    *,
    ignore: Sequence[str] = (),
    sensitive: Iterable[Path] = (),
) -> list[Change]:
    """The attribute changes from ``state`` to ``live``; ``ignore`` holds path globs (``tags.*``)."""
    before, after = _normalize(schema, state), _normalize(schema, live)
    if before == after:
        return []  # the common case, and DeepDiff's cost is per call
    hidden = (
        {tuple(p) for p in sensitive}
        | set(_sensitive_paths(schema, state))
        | set(_sensitive_paths(schema, live))
    )
    changes = []
    for block in (i for i in schema if isinstance(i, Block) and i.key):
        changes += _element_changes(block, before.pop(block.name, []), after.pop(block.name, []), hidden)
    paths: set[Path] = set()
    if before != after:
        from deepdiff import DeepDiff  # ~0.12 s to import: paid only by a scan that finds a difference

        diff = DeepDiff(before, after, ignore_order=False, verbose_level=2, view="tree")
        for group in diff.values():
            for node in group:
                paths.add(_collapse(schema, tuple(node.path(output_format="list"))))
    for path in paths:
        secret = any(path[: len(h)] == h for h in hidden)
        dotted = ".".join(str(p) for p in path)
        changes.append(
            Change(dotted, MASK if secret else _at(state, path), MASK if secret else _at(live, path))
        )
    changes.sort(key=lambda c: c.path)
    return [c for c in changes if not ignored(c.path, ignore)]


def _element_changes(
    block: Block, before: list[dict[str, Any]], after: list[dict[str, Any]], hidden: set[Path]
) -> list[Change]:
    """A keyed set of blocks, element by element: added, removed, or the fields that changed."""
    old = {str(e.get(block.key)): e for e in before}
    new = {str(e.get(block.key)): e for e in after}
    # A field is masked in every element when the schema or state marks it secret in any one.
    secret: set[str | int] = {a.name for a in block.attrs if a.sensitive}
    secret |= {h[2] for h in hidden if len(h) >= 3 and h[0] == block.name}
    if (block.name,) in hidden:
        secret |= {i.name for i in block.items}
    changes = []
    for key in sorted(old.keys() | new.keys()):
        where = f"{block.name}[{json.dumps(key)}]"
        if key not in new or key not in old:
            shown = _masked(old.get(key), secret), _masked(new.get(key), secret)
            changes.append(Change(where, *shown))
            continue
        for field in sorted(old[key].keys() | new[key].keys()):
            a, b = old[key].get(field), new[key].get(field)
            if a != b:
                masked = field in secret
                changes.append(Change(f"{where}.{field}", MASK if masked else a, MASK if masked else b))
    return changes


def _masked(element: dict[str, Any] | None, secret: set[str | int]) -> dict[str, Any] | None:
    if element is None:
        return None
    return {k: MASK if k in secret else v for k, v in element.items()}


def _normalize(items: tuple[Item, ...], values: Attrs | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in items:
        value = (values or {}).get(i.name)
        if isinstance(i, Block):
            elements = [_normalize(i.items, e) for e in value or [] if isinstance(e, dict)]
            if i.set_nested:
                elements.sort(key=repr)
            if elements:
                out[i.name] = elements
            continue
        if i.computed and not (i.optional or i.required):
            continue  # Azure sets these; a change is not drift
        normalized = _value(i, value)
        if normalized is not None:
            out[i.name] = normalized
    return out


def _value(attr: Attr, value: Any) -> Any:
    if value is None or value == attr.kind.empty:
        return None
    if attr.normalize is not None:
        if isinstance(value, list):
            value = [attr.normalize(v) for v in value]
        elif isinstance(value, dict):
            value = {k: attr.normalize(v) for k, v in value.items()}
        else:
            value = attr.normalize(value)
    if attr.kind is Kind.SET_STRING and isinstance(value, list):
        return sorted(value, key=str)
    if attr.kind is Kind.NUMBER and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _collapse(items: tuple[Item, ...], path: Path) -> Path:
    """Report a set or a whole list attribute as one change, not one change per element."""
    out: list[str | int] = []
    current: tuple[Item, ...] | None = items
    index = 0
    while index < len(path):
        step = path[index]
        out.append(step)
        if current is None or not isinstance(step, str):
            index += 1
            continue
        item = next((i for i in current if i.name == step), None)
        if isinstance(item, Attr):
            if item.kind in (Kind.LIST_STRING, Kind.SET_STRING):
                return tuple(out)
            if item.kind is Kind.MAP_STRING and index + 1 < len(path):
                return (*out, path[index + 1])
            return tuple(out)
        if isinstance(item, Block):
            if item.set_nested:
                return tuple(out)
            current = item.items
            if index + 1 < len(path):
                out.append(path[index + 1])
            index += 2
            continue
        index += 1
    return tuple(out)


def _sensitive_paths(items: tuple[Item, ...], values: Attrs | None, prefix: Path = ()) -> Iterable[Path]:
    for i in items:
        if isinstance(i, Block):
            for n, element in enumerate((values or {}).get(i.name) or []):
                if isinstance(element, dict):
                    yield from _sensitive_paths(i.items, element, (*prefix, i.name, n))
        elif i.sensitive:
            yield (*prefix, i.name)


def _at(values: Any, path: Path) -> Any:
    for step in path:
        if isinstance(step, int):
            values = values[step] if isinstance(values, list) and step < len(values) else None
        else:
            values = values.get(step) if isinstance(values, dict) else None
    return values


def ignored(dotted: str, patterns: Sequence[str]) -> bool:
    """Whether one of the ignore globs matches an attribute path (or an attribute above it)."""
    for pattern in patterns:
        if pattern == "*" or dotted == pattern or dotted.startswith((pattern + ".", pattern + "[")):
            return True
        if fnmatch.fnmatchcase(dotted, pattern):
            return True
    return False
