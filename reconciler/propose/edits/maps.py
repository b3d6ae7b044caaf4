"""Edits of a map argument (``tags``): its literal entries, or a ``merge()`` on the one drifted resource.

A map written as a literal that only the drifted resource reads is edited entry by entry where it is
written: keys changed in place, added in line with their neighbours, removed with their lines. A map read
from a variable or local that other resources read too stays as it is, and the drifted resource alone
gets ``merge(<what it reads>, { key = "live" })``. A ``merge(...)`` already written gets the keys in its
last argument when that is an object, else one more argument. ``merge`` cannot take a key away, so a key
removed live from a shared or merged map is declined.
"""

from __future__ import annotations

from typing import Any

from providers.azure.mapping.schema import Attr
from reconciler.propose.edits.body import Body
from reconciler.propose.edits.body import Editor
from reconciler.propose.edits.body import aligned_column
from reconciler.propose.edits.patch import Declined
from reconciler.propose.edits.sources import Owner
from reconciler.propose.edits.sources import Shared
from reconciler.propose.edits.sources import Site
from reconciler.propose.edits.text import Attribute
from reconciler.propose.edits.text import expression_end
from reconciler.propose.edits.text import indent_of
from reconciler.propose.edits.text import line_start
from reconciler.propose.edits.text import object_entries
from reconciler.propose.edits.text import skip_blank
from reconciler.propose.edits.text import skip_bracketed
from reconciler.propose.edits.values import key_text
from reconciler.propose.edits.values import render
from reconciler.propose.edits.values import render_object
from reconciler.propose.edits.values import scalar

_KEEP: Any = object()  # a map key the drift leaves alone


class Maps:
    def __init__(self, editor: Editor) -> None:
        self.editor = editor
        self.sources = editor.sources
        self.patch = editor.patch

    def set(self, body: Body, attr: Attr, changes: dict[str, Any]) -> None:
        """Set (or with None, remove) keys of map argument ``attr`` of ``body``'s resource alone."""
        arg = self.editor.argument(body, attr.name)
        if arg is None:
            new = {k: v for k, v in changes.items() if v is not None}
            if new:
                indent = indent_of(self.editor.text(body), body.open) + "  "
                self.editor.add_attribute(body, attr.name, render_object(new, indent))
            return
        label = f"{body.where}.{attr.name}"
        try:
            site, owners = self.editor.resolve(body, arg, label, want_map=True)
        except Shared as e:
            here = self.editor.here(body, arg, label)
            self._no_removals(here, changes, e.reason.split(";")[0])
            self._merge_onto(here, changes)
            return
        if self.patch.text(site.file).startswith("merge(", site.start):
            self._into_merge(site, owners, changes)
        else:
            self._literal(site, owners, changes)

    # -- merge() --------------------------------------------------------------------------------------

    def _no_removals(self, site: Site, changes: dict[str, Any], why: str) -> None:
        removed = sorted(k for k, v in changes.items() if v is None)
        if removed:
            raise Declined(
                f"{site.label}: {', '.join(removed)} removed live, and {why}: "
                "merge() cannot take a key away for one resource"
            )

    def _merge_onto(self, site: Site, changes: dict[str, Any]) -> None:
        written = self.patch.text(site.file)[site.start : site.end]
        self.patch.replace(site.file, site.start, site.end, f"merge({written}, {inline(changes)})")

    def _into_merge(self, site: Site, owners: frozenset[Owner], changes: dict[str, Any]) -> None:
        self._no_removals(site, changes, "the map is a merge() of several")
        text = self.patch.text(site.file)
        args = merge_arguments(text, site.start, site.end)
        if args is None or not args:
            raise Declined(f"{site.label} is a merge() rules cannot follow")
        start, end = args[-1]
        if text.startswith("{", start):
            label = f"{site.label} (the last argument of its merge)"
            self._literal(Site(site.file, start, end, site.module_path, label), owners, changes)
        else:
            self.patch.insert(site.file, end, f", {inline(changes)}")

    # -- a literal map ----------------------------------------------------------------------------------

    def _literal(self, site: Site, owners: frozenset[Owner], changes: dict[str, Any]) -> None:
        text = self.patch.text(site.file)
        written = text[site.start : site.end]
        if written.strip() == "null":
            entries = []
        elif written.startswith("{"):
            entries = object_entries(text, site.start)
        else:
            raise Declined(f"{site.label} is not a map")
        if any(e.name is None for e in entries):
            raise Declined(f"{site.label} has keys written as expressions")
        names = {e.name for e in entries if e.name is not None}
        remaining = [n for n in names if changes.get(n, _KEEP) is not None]
        if not entries or not (remaining or any(v is not None for v in changes.values())):
            final = {k: v for k, v in changes.items() if v is not None}
            self.patch.replace(
                site.file, site.start, site.end, render_object(final, indent_of(text, site.start))
            )
            return
        one_line = "\n" not in text[site.start : site.end]
        kept: list[str] = []
        for entry in entries:
            live = changes.get(entry.name, _KEEP) if entry.name is not None else _KEEP
            written = text[entry.start : entry.value_end]
            if live is None:
                if not one_line:
                    self._remove_entry(site, entry)
                continue
            if live is not _KEEP:
                label = f"{site.label}.{entry.name}"
                where = Site(site.file, entry.value_start, entry.value_end, site.module_path, label)
                try:
                    value, _ = self.sources.resolve(where, owners)
                except Shared:
                    value = where  # the entry is this resource's own: it gets the live value itself
                vtext = self.patch.text(value.file)
                old = vtext[value.start : value.end]
                if one_line and value == where:
                    written = text[entry.start : entry.value_start] + render(live, "", old)
                else:
                    rendered = render(live, indent_of(vtext, value.start), old)
                    self.patch.replace(value.file, value.start, value.end, rendered)
            kept.append(written)
        added = [(k, v) for k, v in changes.items() if v is not None and k not in names]
        if one_line:
            # The whole map is one line: write that line again, entries kept as written.
            quoted = all(e.quoted for e in entries)
            sep = text[_separator(text, entries[0])]
            kept += [f"{key_text(k, quoted)} {sep} {render(v, '')}" for k, v in added]
            pad = " " if text[site.start + 1 : site.start + 2] == " " else ""
            self.patch.replace(site.file, site.start, site.end, "{" + pad + ", ".join(kept) + pad + "}")
            return
        for key, live in added:
            self._add_entry(site, entries, key, live)

    def _add_entry(self, site: Site, entries: list[Attribute], key: str, live: Any) -> None:
        text = self.patch.text(site.file)
        last = entries[-1]
        if last.line_end <= last.value_end:
            raise Declined(f"{site.label}: the map's closing brace shares a line with an entry")
        name = key_text(key, all(e.quoted for e in entries))
        own = [e for e in entries if e.line_end > e.value_end]
        column = aligned_column(text, own, lambda e: _separator(text, e))
        indent = indent_of(text, last.start)
        value = render(live, indent)
        if column is None or "\n" in value:
            column = 0
        pad = " " * max(1, column - len(indent) - len(name))
        self.patch.insert(
            site.file, last.line_end, f"{indent}{name}{pad}{text[_separator(text, last)]} {value}\n"
        )

    def _remove_entry(self, site: Site, entry: Attribute) -> None:
        text = self.patch.text(site.file)
        if entry.line_end <= entry.value_end or entry.line_start != line_start(text, entry.start):
            raise Declined(f"{site.label}: {entry.name} shares its line with another entry")
        self.patch.replace(site.file, entry.line_start, entry.line_end, "")


def merge_arguments(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """Where each argument of the ``merge(...)`` written at ``[start, end)`` is; None if that is not
    all that is written there (``merge(a, b).key``)."""
    open_ = start + len("merge")
    close = skip_bracketed(text, open_) - 1
    if close + 1 != end:
        return None
    args = []
    pos = open_ + 1
    while (pos := skip_blank(text, pos, end=close)) < close:
        arg_end = expression_end(text, pos, close)
        if arg_end == pos:
            return None
        args.append((pos, arg_end))
        pos = skip_blank(text, arg_end, end=close)
        if pos < close and text[pos] == ",":
            pos += 1
    return args


def inline(values: dict[str, Any]) -> str:
    """A one-line object: ``{ owner = "alice", "cost-center" = "7" }`` (keys sorted)."""
    return "{ " + ", ".join(f"{key_text(k)} = {scalar(v)}" for k, v in sorted(values.items())) + " }"


def _separator(text: str, entry: Attribute) -> int:
    colon = text.rfind(":", entry.start, entry.value_start)
    equals = text.rfind("=", entry.start, entry.value_start)
    return max(colon, equals)
