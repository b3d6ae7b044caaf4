"""Comparing a resource's state with its live read, in azurerm attribute space.

Both sides are normalized with the type's schema first — sets sorted, locations and case-insensitive
values folded, empty collections and null made equal — so that spelling is never drift. Only attributes
a user can set are compared: computed-only values (ids, back-references, etags) change as Azure pleases
and are not drift. Paths are dotted with list indexes as numbers: ``boot_diagnostics.0.storage_account_uri``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from typing import Any

from deepdiff import DeepDiff

from providers.azure.mapping.schema import Attr, Attrs, Block, Item, Kind
from state.report import MASK, Change

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
    diff = DeepDiff(
        before,
        after,
        ignore_order=False,
        verbose_level=2,
        view="tree",
    )
    paths: set[Path] = set()
    for group in diff.values():
        for node in group:
            paths.add(_collapse(schema, tuple(node.path(output_format="list"))))
    hidden = (
        {tuple(p) for p in sensitive}
        | set(_sensitive_paths(schema, state))
        | set(_sensitive_paths(schema, live))
    )
    changes = []
    for path in sorted(paths, key=lambda p: [str(x) for x in p]):
        dotted = ".".join(str(p) for p in path)
        if _ignored(dotted, ignore):
            continue
        secret = any(path[: len(h)] == h for h in hidden)
        changes.append(
            Change(dotted, MASK if secret else _at(state, path), MASK if secret else _at(live, path))
        )
    return changes


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


def _ignored(dotted: str, patterns: Sequence[str]) -> bool:
    for pattern in patterns:
        if pattern == "*" or dotted == pattern or dotted.startswith(pattern + "."):
            return True
        if fnmatch.fnmatchcase(dotted, pattern):
            return True
    return False
