"""What a resource block reads: its variables, locals, tfvars entries and the module calls that set them.

A drifted value may be written in the block itself or anywhere its expressions lead: ``var.size`` to the
variable's default and the tfvars entry that sets it, ``local.tags`` to the local, a module's variable to
the argument of the call in its parent. These regions are what an LLM is shown, and all that a codify
proposal may change (the static guardrails' locality check).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from reconciler.workspace.config import Configuration

_REF = re.compile(r"\b(var|local)\.([A-Za-z_][\w-]*)")

#: ``lines(file, line, end_line)``: the source text of those lines of a workspace file
Lines = Callable[[str, int, int], str]


class Region(NamedTuple):
    """Lines ``line``..``end_line`` of ``file`` that hold one thing the block reads (or the block)."""

    kind: str  # "managed" | "data" | "variable" | "local" | "tfvars" | "module"
    name: str  # the block's address, the variable's, local's or tfvars entry's name, the module call's
    module_path: tuple[str, ...]  # the module the thing is declared in
    file: str
    line: int
    end_line: int
    text: str

    @property
    def about(self) -> str:
        """``managed azurerm_x.y``, ``variable size``, ``local tags``, ``tfvars size``, ``module module.m``"""
        return f"{self.kind} {self.name}"


def reads(config: Configuration, address: str, lines: Lines) -> tuple[Region, ...]:
    """The block behind ``address``, then everything it reads, breadth first; () without a block."""
    block = config.block_for(address)
    if block is None:
        return ()
    found: dict[tuple[str, int], Region] = {}
    queue: list[Region] = []

    def add(kind: str, name: str, module_path: tuple[str, ...], file: str, line: int, end: int) -> None:
        if (file, line) in found:
            return
        region = Region(kind, name, module_path, file, line, end, lines(file, line, end))
        found[(file, line)] = region
        queue.append(region)

    add(block.mode, block.address, block.module_path, block.file, block.line, block.end_line)
    while queue:
        region = queue.pop(0)
        # A module call's arguments are expressions of its parent: they read the parent's names.
        module_path = region.module_path
        for kind, name in _REF.findall(region.text):
            if kind == "local":
                local = next(
                    (x for x in config.locals if x.name == name and x.module_path == module_path), None
                )
                if local is not None:
                    add("local", name, module_path, local.file, local.line, local.end_line)
                continue
            variable = config.variable(name, module_path)
            if variable is not None:
                add("variable", name, module_path, variable.file, variable.line, variable.end_line)
            if not module_path:
                entry = config.tfvar(name)
                if entry is not None:
                    add("tfvars", name, (), entry.file, entry.line, entry.end_line)
                continue
            # A module's variable is set by the call in its parent: that is where its value is written.
            parent, call_name = module_path[:-1], module_path[-1]
            for call in config.modules:
                if call.name == call_name and call.module_path == parent:
                    add("module", call.address, parent, call.file, call.line, call.end_line)
    return tuple(found.values())
