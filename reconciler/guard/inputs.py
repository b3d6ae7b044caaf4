"""Which files feed a resource: its block, and every variable, local, ``*.tfvars`` entry and module
argument its expressions read, followed transitively.

A commit that edits any of them is working on that resource, so an out-of-band change to it that the
commit does not codify is one the commit's next apply would revert (see :mod:`reconciler.guard.verdict`).
"""

from __future__ import annotations

from typing import Any

from reconciler.guard.expression import REFERENCES
from reconciler.guard.expression import module_call
from reconciler.workspace import ConfigBlock
from reconciler.workspace import Configuration

Ref = tuple[str, str, tuple[str, ...]]  # ("var" | "local", name, module path)


def inputs(config: Configuration, block: ConfigBlock) -> dict[str, list[str]]:
    """File (relative to the workspace root) → what in it feeds ``block``, nearest first."""
    found: dict[str, list[str]] = {block.file: [f"the block of {block.address}, line {block.line}"]}
    path = block.module_path
    for depth in range(len(path), 0, -1):
        call = module_call(config, path[:depth])
        if call is not None:
            found.setdefault(call.file, []).append(f"the module block {call.address}, line {call.line}")
    pending: list[Ref] = [(k, n, path) for k, n in _references(block.body)]
    seen: set[Ref] = set()
    while pending:
        ref = pending.pop(0)
        if ref in seen:
            continue
        seen.add(ref)
        kind, name, module_path = ref
        if kind == "local":
            for local in config.locals:
                if local.name == name and local.module_path == module_path:
                    found.setdefault(local.file, []).append(f"local.{name}, line {local.line}")
                    pending += [(k, n, module_path) for k, n in _references(local.value)]
            continue
        var = config.variable(name, module_path)
        if var is not None:
            found.setdefault(var.file, []).append(f"var.{name}, line {var.line}")
        if not module_path:
            for entry in config.tfvars:
                if entry.name == name:
                    found.setdefault(entry.file, []).append(f"var.{name}, line {entry.line}")
            continue
        call = module_call(config, module_path)
        if call is not None and name in call.body:
            found.setdefault(call.file, []).append(f"argument {name} of {call.address}, line {call.line}")
            pending += [(k, n, module_path[:-1]) for k, n in _references(call.body[name])]
    return found


def _references(raw: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(raw, str):
        if "${" in raw:
            out += [(m.group(1), m.group(2)) for m in REFERENCES.finditer(raw)]
    elif isinstance(raw, list):
        for item in raw:
            out += _references(item)
    elif isinstance(raw, dict):
        for value in raw.values():
            out += _references(value)
    return out
