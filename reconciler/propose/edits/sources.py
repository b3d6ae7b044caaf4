"""Where a value is written: following ``var.x`` and ``local.y`` to the literal that sets them.

A resource argument ``size = var.vm_size`` takes its value from the winning ``terraform.tfvars`` /
``*.auto.tfvars`` entry, else from the variable's default; in a module, from the calling block's argument.
``local.y`` takes it from the local's expression. Each hop must be used only by what is being codified:
a variable that other resources read would change them too. Then :class:`Shared` is raised, and the
caller writes the live value on the drifted resource itself (see :mod:`.body` and :mod:`.maps`).
"""

from __future__ import annotations

import posixpath
import re
from typing import NamedTuple

from reconciler.propose.edits.patch import Declined
from reconciler.propose.edits.patch import Patch
from reconciler.propose.edits.text import Nested
from reconciler.propose.edits.text import attribute_at
from reconciler.propose.edits.text import blank_comments
from reconciler.propose.edits.text import block_at
from reconciler.propose.edits.text import body_items
from reconciler.propose.edits.text import line_number
from reconciler.propose.edits.text import line_offset
from reconciler.propose.edits.values import parse_literal
from reconciler.workspace import Configuration
from reconciler.workspace import ModuleCall

_REFERENCE = re.compile(r'(var|local)\.([A-Za-z_][\w-]*)|"\$\{\s*(var|local)\.([A-Za-z_][\w-]*)\s*\}"')
_MAX_HOPS = 8

#: a construct that reads values: (file, first line, last line)
Owner = tuple[str, int, int]


class Shared(Declined):
    """The value comes from a variable or local that something else reads too."""


class Reader(NamedTuple):
    """Where a module's code reads ``var.x`` / ``local.y``, and the construct written there."""

    file: str
    line: int
    user: str | None  # a resource, local or module call address; None for outputs and variables


class Site(NamedTuple):
    """An expression's place in a file: ``[start, end)`` of ``file``'s text."""

    file: str
    start: int
    end: int
    module_path: tuple[str, ...]
    label: str  # for messages: "azurerm_x.y.size", "var.vm_size in terraform.tfvars"


class Sources:
    def __init__(self, config: Configuration, patch: Patch) -> None:
        self.config = config
        self.patch = patch

    def resolve(
        self, site: Site, owners: frozenset[Owner], want_map: bool = False, hops: int = 0
    ) -> tuple[Site, frozenset[Owner]]:
        """Where the literal is written that ``site``'s expression takes its value from, and who reads it.

        With ``want_map``, an object constructor (``{ owner = var.owner }``) or a ``merge(...)`` is as good
        as a literal: its entries are edited one by one (see :mod:`.maps`).
        """
        expr = self.patch.text(site.file)[site.start : site.end]
        if parse_literal(expr) is not None or (want_map and expr.startswith(("{", "merge("))):
            self.check_editable(site)
            return site, owners
        ref = _REFERENCE.fullmatch(expr.strip())
        if ref is None or hops >= _MAX_HOPS:
            flat = " ".join(expr.split())
            shown = flat if len(flat) <= 60 else flat[:57] + "..."
            raise Declined(f"{site.label} is the expression `{shown}`; rules do not rewrite expressions")
        kind, name = (ref.group(1), ref.group(2)) if ref.group(1) else (ref.group(3), ref.group(4))
        self.check_unshared(kind, name, site.module_path, owners)
        if kind == "local":
            nxt, owner = self._local(name, site.module_path)
        else:
            nxt, owner = self._variable(name, site.module_path)
        return self.resolve(nxt, owners | {owner}, want_map, hops + 1)

    def _local(self, name: str, module_path: tuple[str, ...]) -> tuple[Site, Owner]:
        local = next((x for x in self.config.locals if x.name == name and x.module_path == module_path), None)
        if local is None:
            raise Declined(f"local.{name} is not defined")
        text = self.patch.text(local.file)
        start = line_offset(text, local.line)
        block = next(
            (
                i
                for i in body_items(text, 0, len(text))
                if isinstance(i, Nested) and i.type == "locals" and i.open < start < i.close
            ),
            None,
        )
        attr = None if block is None else attribute_at(text, local.line, block.open + 1, block.close)
        if attr is None:
            raise Declined(f"local.{name}: cannot find where it is written ({local.file}:{local.line})")
        site = Site(local.file, attr.value_start, attr.value_end, module_path, f"local.{name}")
        return site, (local.file, local.line, local.end_line)

    def _variable(self, name: str, module_path: tuple[str, ...]) -> tuple[Site, Owner]:
        var = self.config.variable(name, module_path)
        if var is None:
            raise Declined(f"var.{name} is not declared")
        if var.sensitive:
            raise Declined(f"var.{name} is sensitive; rules do not write secrets")
        owner: Owner = (var.file, var.line, var.end_line)
        if not module_path:
            entry = self.config.tfvar(name)
            if entry is not None:
                if entry.file.endswith(".json"):
                    raise Declined(f"var.{name} is set in {entry.file}, a JSON file")
                text = self.patch.text(entry.file)
                attr = attribute_at(text, entry.line)
                if attr is None:
                    raise Declined(f"var.{name}: cannot find it in {entry.file}:{entry.line}")
                return Site(
                    entry.file, attr.value_start, attr.value_end, (), f"{name} in {entry.file}"
                ), owner
        else:
            call = self.call(module_path)
            text = self.patch.text(call.file)
            block = block_at(text, call.line)
            if block is None:
                raise Declined(f"{call.address}: cannot find its block ({call.file}:{call.line})")
            for item in body_items(text, block.open + 1, block.close):
                if not isinstance(item, Nested) and item.name == name:
                    label = f"argument {name} of {call.address}"
                    site = Site(call.file, item.value_start, item.value_end, module_path[:-1], label)
                    return site, (call.file, call.line, call.end_line)
        if var.default_span is None:
            raise Declined(f"var.{name} has no value in the configuration (set with -var or TF_VAR_{name}?)")
        text = self.patch.text(var.file)
        block = block_at(text, var.line)
        attr = (
            None if block is None else attribute_at(text, var.default_span.line, block.open + 1, block.close)
        )
        if attr is None:
            raise Declined(f"var.{name}: cannot find its default ({var.file}:{var.default_span.line})")
        return Site(
            var.file, attr.value_start, attr.value_end, module_path, f"the default of var.{name}"
        ), owner

    # -- who else reads a value -----------------------------------------------------------------------

    def check_unshared(
        self, kind: str, name: str, module_path: tuple[str, ...], owners: frozenset[Owner]
    ) -> None:
        """Raise :class:`Shared` when something outside ``owners`` reads ``var.name`` / ``local.name``."""
        for reader in self.readers(kind, name, module_path):
            if reader.user is None or any(
                o[0] == reader.file and o[1] <= reader.line <= o[2] for o in owners
            ):
                continue
            raise Shared(
                f"{kind}.{name} is also read by {reader.user} ({reader.file}:{reader.line}); "
                "editing it would change that too"
            )

    def readers(self, kind: str, name: str, module_path: tuple[str, ...]) -> list[Reader]:
        """Every place the module at ``module_path`` reads ``var.name`` / ``local.name`` (not comments)."""
        pattern = re.compile(rf"(?<![\w.-]){kind}\.{re.escape(name)}(?![\w-])")
        out = []
        for file in self.module_files(module_path):
            code = blank_comments(self.patch.text(file))
            for hit in pattern.finditer(code):
                line = line_number(code, hit.start())
                out.append(Reader(file, line, self.user_at(module_path, file, line)))
        return out

    def user_at(self, module_path: tuple[str, ...], file: str, line: int) -> str | None:
        """The resource, local or module call written at ``file:line`` (outputs and variables are not)."""
        for b in self.config.blocks:
            if b.module_path == module_path and b.file == file and b.line <= line <= b.end_line:
                return b.address
        for loc in self.config.locals:
            if loc.module_path == module_path and loc.file == file and loc.line <= line <= loc.end_line:
                return f"local.{loc.name}"
        for c in self.config.modules:
            if c.module_path == module_path and c.file == file and c.line <= line <= c.end_line:
                return c.address
        return None

    def module_files(self, module_path: tuple[str, ...]) -> list[str]:
        directory = self.module_dir(module_path)
        return [
            f
            for f in self.config.files
            if posixpath.dirname(f) == directory and f.endswith((".tf", ".tf.json"))
        ]

    def module_dir(self, module_path: tuple[str, ...]) -> str:
        if not module_path:
            workdir = self.config.workdir.relative_to(self.config.root).as_posix()
            return "" if workdir == "." else workdir
        directory = self.call(module_path).directory
        if directory is None:
            raise Declined(f"module.{'.module.'.join(module_path)} is not loaded")
        return posixpath.normpath(directory)

    def call(self, module_path: tuple[str, ...]) -> ModuleCall:
        for c in self.config.modules:
            if c.module_path == module_path[:-1] and c.name == module_path[-1]:
                return c
        raise Declined(f"module.{'.module.'.join(module_path)} has no module block")

    # -- whether a file may be edited for one instance ------------------------------------------------

    def check_instances(self, module_path: tuple[str, ...]) -> None:
        """Decline when the modules on ``module_path`` have several instances (count / for_each)."""
        for depth in range(1, len(module_path) + 1):
            call = self.call(module_path[:depth])
            if call.has_count or call.has_for_each:
                how = "count" if call.has_count else "for_each"
                raise Declined(f"{call.address} is called with {how}: its instances share this code")

    def check_editable(self, site: Site) -> None:
        """Decline edits in a module's files when the module is installed or used by several calls."""
        self.check_instances(site.module_path)
        for depth in range(1, len(site.module_path) + 1):
            call = self.call(site.module_path[:depth])
            directory = posixpath.normpath(call.directory or "")
            if directory.startswith(".terraform/") or "/.terraform/" in directory:
                raise Declined(
                    f"{call.address} is an installed module ({call.source}); edit its source instead"
                )
            others = [
                c.address for c in self.config.modules if c is not call and c.directory == call.directory
            ]
            if others:
                raise Declined(
                    f"{site.label} is in {directory}, which {call.address} shares with {', '.join(others)}"
                )
