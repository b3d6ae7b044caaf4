"""Edits inside one block body: set or add an argument, add or remove a nested block (maps: :mod:`.maps`).

Whatever is added is laid out like its neighbours (their indentation, their ``=`` column) so the diff is
the drifted lines and nothing else. An argument read from a variable or local that other resources read
too gets the live literal on this resource only: the shared value stays as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import NamedTuple

from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import Kind
from reconciler.propose.edits.patch import Declined
from reconciler.propose.edits.patch import Patch
from reconciler.propose.edits.sources import Owner
from reconciler.propose.edits.sources import Shared
from reconciler.propose.edits.sources import Site
from reconciler.propose.edits.sources import Sources
from reconciler.propose.edits.text import Attribute
from reconciler.propose.edits.text import Nested
from reconciler.propose.edits.text import body_items
from reconciler.propose.edits.text import indent_of
from reconciler.propose.edits.text import line_end
from reconciler.propose.edits.text import line_start
from reconciler.propose.edits.values import format_arguments
from reconciler.propose.edits.values import render

_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection", "dynamic"})


class Body(NamedTuple):
    """The inside of a block: between the braces at ``open`` and ``close`` of ``file``."""

    file: str
    open: int
    close: int
    module_path: tuple[str, ...]
    where: str  # for messages: azurerm_x.y, azurerm_x.y.os_disk[0]
    owners: frozenset[Owner]


class Editor:
    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self.patch: Patch = sources.patch

    def text(self, body: Body) -> str:
        return self.patch.text(body.file)

    def items(self, body: Body) -> list[Attribute | Nested]:
        return body_items(self.text(body), body.open + 1, body.close)

    def argument(self, body: Body, name: str) -> Attribute | None:
        found = [i for i in self.items(body) if isinstance(i, Attribute) and i.name == name]
        return found[-1] if found else None

    def nested(self, body: Body, name: str) -> list[Nested]:
        items = self.items(body)
        if any(isinstance(i, Nested) and i.type == "dynamic" and i.labels == (name,) for i in items):
            raise Declined(f"{body.where}.{name} is written as a dynamic block")
        return [i for i in items if isinstance(i, Nested) and i.type == name]

    def child(self, body: Body, nested: Nested, index: int) -> Body:
        return body._replace(
            open=nested.open, close=nested.close, where=f"{body.where}.{nested.type}[{index}]"
        )

    def resolve(
        self, body: Body, arg: Attribute, label: str, want_map: bool = False
    ) -> tuple[Site, frozenset[Owner]]:
        site = Site(body.file, arg.value_start, arg.value_end, body.module_path, label)
        return self.sources.resolve(site, body.owners, want_map)

    def here(self, body: Body, arg: Attribute, label: str) -> Site:
        """The argument's own expression, as the place to write this resource's value (the value it reads
        is shared with others, which must not change)."""
        site = Site(body.file, arg.value_start, arg.value_end, body.module_path, label)
        self.sources.check_editable(site)
        return site

    # -- arguments ------------------------------------------------------------------------------------

    def set_attribute(self, body: Body, attr: Attr, live: Any) -> None:
        """Make argument ``attr`` of ``body`` say ``live``, where its value is written."""
        if attr.sensitive:
            raise Declined(f"{body.where}.{attr.name} is sensitive; rules do not write secrets")
        arg = self.argument(body, attr.name)
        unset = live is None or live == attr.kind.empty
        if arg is None:
            if unset or (attr.default is not None and attr.same(live, attr.default)):
                return  # left out, the argument already means what is live
            self.add_attribute(body, attr.name, render(live, indent_of(self.text(body), body.open) + "  "))
            return
        try:
            site, _ = self.resolve(body, arg, f"{body.where}.{attr.name}")
        except Shared:
            site = self.here(body, arg, f"{body.where}.{attr.name}")
        if live is None:
            if site.file != body.file or site.start != arg.value_start:
                raise Declined(
                    f"{body.where}.{attr.name} is unset live, but its value comes from {site.label}"
                )
            self.remove(body, arg)
            return
        text = self.patch.text(site.file)
        old = text[site.start : site.end]
        self.patch.replace(site.file, site.start, site.end, render(live, indent_of(text, site.start), old))

    def add_attribute(self, body: Body, name: str, value: str) -> None:
        text = self.text(body)
        items = self.items(body)
        leading: list[Attribute] = []
        for item in items:
            if isinstance(item, Nested):
                break
            leading.append(item)
        if not leading:
            if text[body.open + 1 : line_end(text, body.open)].strip():
                raise Declined(f"{body.where} is written on one line")
            indent = indent_of(text, items[0].start) if items else indent_of(text, body.open) + "  "
            self.patch.insert(body.file, line_end(text, body.open), f"{indent}{name} = {value}\n")
            return
        anchor = leading[-1]
        self._own_lines(body, anchor)
        column = aligned_column(text, leading, lambda a: text.index("=", a.start))
        indent = indent_of(text, anchor.start)
        if column is None or "\n" in value:
            column = 0
        pad = " " * max(1, column - len(indent) - len(name))
        self.patch.insert(body.file, anchor.line_end, f"{indent}{name}{pad}= {value}\n")

    # -- nested blocks --------------------------------------------------------------------------------

    def remove(self, body: Body, item: Attribute | Nested) -> None:
        """Remove an argument or a block with its lines, and a blank line that would be left doubled."""
        text = self.text(body)
        self._own_lines(body, item)
        start, end = item.line_start, item.line_end
        before = text[line_start(text, start - 1) : start] if start > 0 else ""
        after = text[end : line_end(text, end)]
        if before.strip() == "" and start > 0 and (after.strip() == "" or after.strip().startswith("}")):
            start = line_start(text, start - 1)
        elif before.rstrip().endswith("{") and after.strip() == "" and end < len(text):
            end = line_end(text, end)
        self.patch.replace(body.file, start, end, "")

    def add_block(self, body: Body, name: str, block: str) -> None:
        """Insert ``block`` (indented lines) after the last block of its type, or else the last item."""
        text = self.text(body)
        items = self.items(body)
        same = [i for i in items if isinstance(i, Nested) and i.type == name]
        others = [i for i in items if not (isinstance(i, Nested) and i.type in _META_BLOCKS)]
        anchor = same[-1] if same else others[-1] if others else None
        if anchor is None:
            if text[body.open + 1 : line_end(text, body.open)].strip():
                raise Declined(f"{body.where} is written on one line")
            self.patch.insert(body.file, line_end(text, body.open), block)
            return
        self._own_lines(body, anchor)
        self.patch.insert(body.file, anchor.line_end, "\n" + block)

    def _own_lines(self, body: Body, item: Attribute | Nested) -> None:
        text = self.text(body)
        last = item.close if isinstance(item, Nested) else item.value_end
        if item.line_start != line_start(text, item.start) or item.line_end <= last:
            raise Declined(
                f"{body.where}: {item.type if isinstance(item, Nested) else item.name} shares its line"
            )


def aligned_column(text: str, items: Sequence[Attribute], sep_at: Any) -> int | None:
    """The column of ``=`` in the run of one-line items that ends the list (``terraform fmt`` aligns
    runs), or None when there is no such run or it does not line up."""
    run: list[Attribute] = []
    for item in reversed(items):
        if "\n" in text[item.start : item.value_end] or (run and item.line_end != run[-1].line_start):
            break
        run.append(item)
    columns = {sep_at(i) - line_start(text, i.start) for i in run}
    return columns.pop() if len(columns) == 1 else None


def render_block(
    name: str, items: tuple[Item, ...], values: dict[str, Any], indent: str, order: Sequence[str] = ()
) -> str:
    """A nested block holding ``values``: what a user writes (no computed, null or default values)."""
    inner = indent + "  "
    pairs: list[tuple[str, str]] = []
    for attr in items:
        if not isinstance(attr, Attr) or not writable(attr, values.get(attr.name)):
            continue
        if attr.sensitive:
            raise Declined(f"{name}.{attr.name} is sensitive; rules do not write secrets")
        pairs.append((attr.name, render(values[attr.name], inner)))
    rank = {n: i for i, n in enumerate(order)}
    pairs.sort(key=lambda p: rank.get(p[0], len(rank)))
    blocks = []
    for sub in items:
        if isinstance(sub, Block):
            for element in values.get(sub.name) or []:
                if isinstance(element, dict):
                    blocks.append(render_block(sub.name, sub.items, element, inner))
    body = format_arguments(pairs, inner) + "".join(
        ("\n" if pairs or i else "") + b for i, b in enumerate(blocks)
    )
    return f"{indent}{name} {{\n{body}{indent}}}\n"


def writable(attr: Attr, value: Any) -> bool:
    """Whether a user would write ``value`` for ``attr``: settable, not null or empty, not the default."""
    if attr.computed and not (attr.optional or attr.required):
        return False
    if value is None or value == attr.kind.empty or (attr.kind is Kind.STRING and value == ""):
        return False
    return attr.default is None or not attr.same(value, attr.default)
