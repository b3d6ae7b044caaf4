"""``for_each`` over a map written as a literal: one instance's argument is changed in its own entry.

``for_each = var.vms`` with ``vms = { api = { size = "Standard_B1s" }, ... }`` in terraform.tfvars (or the
variable's default) and ``size = each.value.size``: the drift of ``azurerm_x.y["api"]`` is written in the
``api`` entry, which no other instance of the resource reads. Other resources iterating the same map read
that entry too, so it is edited only when none of them reads the drifted field. Otherwise, and whenever
the value is not a literal entry, the instance gets a conditional instead (see :mod:`.instances`).
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.propose.edits.body import Body
from reconciler.propose.edits.body import Editor
from reconciler.propose.edits.patch import Declined
from reconciler.propose.edits.sources import Owner
from reconciler.propose.edits.sources import Site
from reconciler.propose.edits.text import ScanError
from reconciler.propose.edits.text import blank_comments
from reconciler.propose.edits.text import indent_of
from reconciler.propose.edits.text import object_entries
from reconciler.propose.edits.values import parse_literal
from reconciler.propose.edits.values import render
from reconciler.workspace import ConfigBlock
from reconciler.workspace import Configuration

_EACH = re.compile(r'each\.value(?:\.([A-Za-z_][\w-]*)|\[\s*("(?:[^"\\]|\\.)*")\s*\])?')
_REFERENCE = re.compile(r"(var|local)\.([A-Za-z_][\w-]*)")


class Entries:
    def __init__(self, editor: Editor, config: Configuration) -> None:
        self.editor = editor
        self.config = config
        self.patch = editor.patch

    def set(self, body: Body, key: str, name: str, live: Any) -> bool:
        """Write ``live`` for argument ``name`` in instance ``key``'s own entry; False when the argument
        does not come from such an entry (nothing is edited then)."""
        if live is None:
            return False
        try:
            return self._set(body, key, name, live)
        except (Declined, ScanError):
            return False

    def _set(self, body: Body, key: str, name: str, live: Any) -> bool:
        text = self.editor.text(body)
        arg, each = self.editor.argument(body, name), self.editor.argument(body, "for_each")
        if arg is None or each is None:
            return False
        read = _EACH.fullmatch(text[arg.value_start : arg.value_end].strip())
        ref = _REFERENCE.fullmatch(text[each.value_start : each.value_end].strip())
        if read is None or ref is None:
            return False
        field: str | None = read.group(1)
        if read.group(2) is not None:
            literal = parse_literal(read.group(2))
            field = None if literal is None else str(literal.value)
            if field is None:
                return False
        owners = body.owners | self._iterating(ref.group(1), ref.group(2), body, field)
        label = f"{body.where}.for_each"
        site, _ = self.editor.sources.resolve(
            Site(body.file, each.value_start, each.value_end, body.module_path, label), owners, want_map=True
        )
        source = self.patch.text(site.file)
        if not source.startswith("{", site.start):
            return False
        entry = next((e for e in object_entries(source, site.start) if e.name == key), None)
        if entry is not None and field is not None and source.startswith("{", entry.value_start):
            entry = next((e for e in object_entries(source, entry.value_start) if e.name == field), None)
        elif field is not None:
            entry = None
        if entry is None:
            return False
        old = source[entry.value_start : entry.value_end]
        if parse_literal(old) is None:
            return False
        rendered = render(live, indent_of(source, entry.value_start), old)
        self.patch.replace(site.file, entry.value_start, entry.value_end, rendered)
        return True

    def _iterating(self, kind: str, name: str, body: Body, field: str | None) -> frozenset[Owner]:
        """The other resources that read ``kind.name`` only to iterate it, and never read ``field`` of
        their own entry (any field, for a whole entry): editing that field changes none of them."""
        blocks: dict[str, ConfigBlock] = {}
        lines: dict[str, list[int]] = {}
        for reader in self.editor.sources.readers(kind, name, body.module_path):
            block = next(
                (
                    b
                    for b in self.config.blocks
                    if b.module_path == body.module_path
                    and b.file == reader.file
                    and b.line <= reader.line <= b.end_line
                ),
                None,
            )
            if block is None:
                continue  # not a resource: the sharing check judges it
            blocks[block.address] = block
            lines.setdefault(block.address, []).append(reader.line)
        return frozenset(
            (b.file, b.line, b.end_line)
            for address, b in blocks.items()
            if self._only_iterates(b, lines[address], field)
        )

    def _only_iterates(self, block: ConfigBlock, lines: list[int], field: str | None) -> bool:
        span = block.arguments.get("for_each")
        if span is None or not all(span.line <= line <= span.end_line for line in lines):
            return False
        text = blank_comments(self.patch.text(block.file))
        code = "\n".join(text.splitlines()[block.line - 1 : block.end_line])
        if field is None:
            return re.search(r"\beach\.value\b", code) is None
        reads = rf'\beach\.value(?:\.{re.escape(field)}\b|\[\s*"{re.escape(field)}"\s*\]|(?![\w.\[]))'
        return re.search(reads, code) is None
