"""Codify a changed resource: edit the configuration so it describes what is live.

Each :class:`~state.report.Change` is walked down the type's schema to the text that sets it:
a top-level argument, a map entry, an argument of a nested block, a whole nested block, an element of a
set-like block (``security_rule``). Values written through ``var.x`` / ``local.y`` are changed where they
are written (see :mod:`.sources`), unless other resources read them too: then this resource alone gets the
live value (a literal, or ``merge()`` for a map; see :mod:`.maps`). One drifted instance of a ``count`` or
``for_each`` resource gets its own value (see :mod:`.instances`), or its own entry of the map it iterates
(see :mod:`.each`). What rules cannot do safely is declined with the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from providers.azure.mapping import MAPPINGS
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import Kind
from reconciler.drift.compare import compare
from reconciler.propose.edits.body import Body
from reconciler.propose.edits.body import Editor
from reconciler.propose.edits.body import render_block
from reconciler.propose.edits.each import Entries
from reconciler.propose.edits.instances import Instance
from reconciler.propose.edits.instances import instance_key
from reconciler.propose.edits.maps import Maps
from reconciler.propose.edits.patch import Decline
from reconciler.propose.edits.patch import Declined
from reconciler.propose.edits.patch import Patch
from reconciler.propose.edits.sources import Sources
from reconciler.propose.edits.text import Nested
from reconciler.propose.edits.text import ScanError
from reconciler.propose.edits.text import block_at
from reconciler.propose.edits.text import indent_of
from reconciler.propose.edits.text import line_number
from reconciler.propose.edits.values import parse_literal
from reconciler.workspace import ConfigBlock
from reconciler.workspace import Configuration
from state.proposal import FileEdit
from state.report import Change
from state.report import Drift
from state.report import masked


def codify(
    configuration: Configuration, drift: Drift, state_values: Mapping[str, Any]
) -> list[FileEdit] | Decline:
    """The edits that make ``configuration`` describe the live values of ``drift``'s changes.

    ``state_values`` are the resource instance's attributes in state (used where a change names a whole
    block without its elements). An empty list means the configuration already says what is live.
    """
    try:
        return _Codify(configuration, drift, state_values).edits()
    except Declined as e:
        return Decline(e.reason)
    except ScanError as e:
        return Decline(f"{drift.address}: cannot follow its source text ({e})")


class _Codify:
    def __init__(self, config: Configuration, drift: Drift, state_values: Mapping[str, Any]) -> None:
        self.config = config
        self.drift = drift
        self.state_values = state_values
        self.patch = Patch(config.root)
        self.sources = Sources(config, self.patch)
        self.editor = Editor(self.sources)
        self.maps: dict[tuple[str, int, str], tuple[Body, Attr, dict[str, Any]]] = {}
        self.block: ConfigBlock | None = None
        self.top = -1  # where the resource block's body opens
        self.instance: Instance | None = None  # the drifted instance of a count or for_each resource

    def edits(self) -> list[FileEdit]:
        drift = self.drift
        if drift.kind != "changed" or drift.address is None:
            raise Declined(f"only changed resources are codified, not {drift.kind} ones")
        block = self.config.block_for(drift.address)
        if block is None:
            raise Declined(f"{drift.address} has no resource block in the configuration")
        mapping = MAPPINGS.get(block.type)
        if mapping is None:
            raise Declined(f"{block.type} has no schema here")
        self._check_block(block)
        text = self.patch.text(block.file)
        found = block_at(text, block.line)
        if found is None:
            raise Declined(f"{block.address}: cannot find its block at {block.file}:{block.line}")
        self.block, self.top = block, found.open
        body = Body(
            block.file,
            found.open,
            found.close,
            block.module_path,
            drift.address,
            frozenset({(block.file, block.line, block.end_line)}),
        )
        for change in whole_sets(mapping.schema, drift.changes, self.state_values):
            if masked(change.state) or masked(change.live):
                raise Declined(f"{drift.address}.{change.path} is sensitive; rules do not write secrets")
            if block.ignore_changes == "all" or any(
                change.path == p or change.path.startswith(p + ".") for p in block.ignore_changes
            ):
                continue  # Terraform does not act on it either
            steps = change.path.split(".")
            if self.instance is not None:
                self.instance_change(body, mapping.schema, steps, change.state, change.live)
            else:
                self.walk(body, mapping.schema, steps, change.state, change.live)
        for map_body, attr, changes in self.maps.values():
            if self.instance is not None:
                self.instance.set_tags(map_body, attr.name, changes)
            else:
                Maps(self.editor).set(map_body, attr, changes)
        return self.patch.edits()

    def _check_block(self, block: ConfigBlock) -> None:
        if block.file.endswith(".json") or block.construct_path is not None:
            raise Declined(f"{block.address} is written in JSON ({block.file}); rules edit HCL only")
        single = block.has_count and block.body.get("count") == 1 and not block.has_for_each
        if (block.has_count or block.has_for_each) and not single:
            key = instance_key(self.drift.address or "")
            if key is not None and isinstance(key, int) == block.has_count:
                self.instance = Instance(self.editor, key)
        if (block.has_count or block.has_for_each) and not single and self.instance is None:
            how = "count" if block.has_count else "for_each"
            raise Declined(
                f"{block.address} uses {how}: its arguments are shared by every instance, "
                f"and only {self.drift.address} drifted"
            )
        self.sources.check_instances(block.module_path)

    # -- walking a change down the schema -------------------------------------------------------------

    def walk(self, body: Body, items: tuple[Item, ...], steps: list[str], state: Any, live: Any) -> None:
        item = next((i for i in items if i.name == steps[0]), None)
        if item is None:
            raise Declined(f"{body.where}.{steps[0]} is not an attribute of the schema")
        if isinstance(item, Attr):
            self._check_written_here(body, item)
            if item.kind is Kind.MAP_STRING and len(steps) <= 2:
                self.map_change(body, item, steps[1] if len(steps) == 2 else None, state, live)
            elif len(steps) == 1:
                self.editor.set_attribute(body, item, live)
            else:
                raise Declined(f"{body.where}: cannot edit inside {'.'.join(steps)}")
            return
        if len(steps) == 1:
            if (
                state is None
                and isinstance(self.state_values.get(item.name), list)
                and body.where == self.drift.address
            ):
                state = self.state_values[item.name]
            self.whole_block(body, item, _elements(state), _elements(live))
            return
        if not steps[1].isdigit():
            raise Declined(f"{body.where}: {'.'.join(steps)} is not a block path")
        index = int(steps[1])
        configured = self.editor.nested(body, item.name)
        if len(steps) == 2 and state is None and isinstance(live, dict) and index == len(configured):
            self.add_blocks(body, item, [live], configured)
        elif len(steps) == 2 and live is None and index < len(configured):
            self.editor.remove(body, configured[index])
        elif len(steps) > 2 and index < len(configured) and not item.set_nested:
            self.walk(self.editor.child(body, configured[index], index), item.items, steps[2:], state, live)
        else:
            raise Declined(f"{body.where}: {'.'.join(steps)} does not match the configured blocks")

    def _check_written_here(self, body: Body, item: Attr) -> None:
        block = self.block
        if block and body.open == self.top and item.name in block.body and item.name not in block.arguments:
            raise Declined(f"{block.address}.{item.name} is set in an override file")

    def instance_change(
        self, body: Body, items: tuple[Item, ...], steps: list[str], state: Any, live: Any
    ) -> None:
        """One instance of a count or for_each resource: its own scalars, tags and nested blocks."""
        assert self.instance is not None  # only called for one instance
        item = next((i for i in items if i.name == steps[0]), None)
        if isinstance(item, Block):
            self.instance_block(body, item, steps, state, live)
            return
        is_map = isinstance(item, Attr) and item.kind is Kind.MAP_STRING and len(steps) <= 2
        scalar = isinstance(item, Attr) and item.kind in _SCALARS and len(steps) == 1
        if not isinstance(item, Attr) or not (is_map or scalar):
            raise Declined(
                f"{self.drift.address}.{'.'.join(steps)}: rules give one instance its own value only "
                "for arguments with one value, tags and nested blocks"
            )
        if item.sensitive:
            raise Declined(f"{body.where}.{item.name} is sensitive; rules do not write secrets")
        self._check_written_here(body, item)
        if is_map:
            self.map_change(body, item, steps[1] if len(steps) == 2 else None, state, live)
            return
        key = self.instance.key
        if isinstance(key, str) and Entries(self.editor, self.config).set(body, key, item.name, live):
            return  # written in the instance's own entry of the map it iterates
        self.instance.set_scalar(body, item.name, live)

    def instance_block(self, body: Body, block: Block, steps: list[str], state: Any, live: Any) -> None:
        """A nested block of one instance: its arguments, or the whole block gone or new there."""
        assert self.instance is not None
        where = f"{self.drift.address}.{'.'.join(steps)}"
        if block.set_nested:
            raise Declined(f"{where}: rules give one instance its own blocks only for list blocks")
        configured = self.editor.nested(body, block.name)
        index = int(steps[1]) if len(steps) > 1 and steps[1].isdigit() else None
        if len(steps) > 2 and index is not None and index < len(configured):
            child = self.editor.child(body, configured[index], index)
            self.instance_change(child, block.items, steps[2:], state, live)
            return
        if len(steps) == 1:
            if state is None and isinstance(self.state_values.get(block.name), list):
                state = self.state_values[block.name]
            before, after = _elements(state), _elements(live)
        elif len(steps) == 2 and index is not None:
            before = [state] if isinstance(state, dict) else []
            after = [live] if isinstance(live, dict) else []
        else:
            raise Declined(f"{where} is not a block path")
        if before and not after and len(configured) == 1 and index in (None, 0):
            self.instance.drop_block(body, configured[0])
        elif after and not before and not configured and len(after) == 1:
            self.instance.add_block(body, block, after[0])
        elif before and len(before) == len(after) == len(configured) and index is None:
            for i, (nested, old, new) in enumerate(zip(configured, before, after, strict=True)):
                child = self.editor.child(body, nested, i)
                for change in compare(block.items, old, new):
                    steps = change.path.split(".")
                    self.instance_change(child, block.items, steps, change.state, change.live)
        else:
            raise Declined(
                f"{where}: rules give one instance its own {block.name} blocks only when one is written "
                f"(literally) and it is gone, or none is and one appeared; {len(configured)} are written"
            )

    def map_change(self, body: Body, attr: Attr, key: str | None, state: Any, live: Any) -> None:
        slot = self.maps.setdefault((body.file, body.open, attr.name), (body, attr, {}))[2]
        if key is not None:
            slot[key] = live
            return
        before, after = state if isinstance(state, dict) else {}, live if isinstance(live, dict) else {}
        for k in sorted(set(before) | set(after)):
            if before.get(k) != after.get(k):
                slot[k] = after.get(k)

    # -- nested blocks --------------------------------------------------------------------------------

    def whole_block(
        self, body: Body, block: Block, state: list[dict[str, Any]], live: list[dict[str, Any]]
    ) -> None:
        configured = self.editor.nested(body, block.name)
        if block.set_nested:
            self.set_elements(body, block, configured, state, live)
        elif not live:
            for nested in configured:
                self.editor.remove(body, nested)
        elif not configured:
            self.add_blocks(body, block, live, configured)
        elif len(configured) == len(live) == len(state):
            for i, (nested, before, after) in enumerate(zip(configured, state, live, strict=True)):
                self.element(self.editor.child(body, nested, i), block, before, after)
        else:
            raise Declined(
                f"{body.where}: {len(configured)} {block.name} blocks are written, {len(live)} are live"
            )

    def element(self, body: Body, block: Block, before: dict[str, Any], after: dict[str, Any]) -> None:
        """Edit one configured block from the state element it wrote to the live one."""
        for change in compare(block.items, before, after):
            if masked(change.live):
                raise Declined(f"{body.where}.{change.path} is sensitive; rules do not write secrets")
            self.walk(body, block.items, change.path.split("."), change.state, change.live)

    def set_elements(
        self,
        body: Body,
        block: Block,
        configured: list[Nested],
        state: list[dict[str, Any]],
        live: list[dict[str, Any]],
    ) -> None:
        """A set of blocks (``security_rule``): remove what was lost, edit what changed, add the new."""
        if block.computed and not configured and state:
            raise Declined(f"{body.where} writes no {block.name} blocks: they are managed elsewhere")
        written = [self._literals(body, n) for n in configured]
        keyed = any(i.name == "name" for i in block.items)
        gained: list[dict[str, Any]] = []
        for after in live:
            before = _matching(block, state, after, keyed)
            if before is None:
                gained.append(after)
            elif compare(block.items, before, after):
                i = self._configured(body, block, written, before, keyed)
                self.element(self.editor.child(body, configured[i], i), block, before, after)
        for before in state:
            if _matching(block, live, before, keyed) is None:
                self.editor.remove(body, configured[self._configured(body, block, written, before, keyed)])
        self.add_blocks(body, block, gained, configured)

    def _configured(
        self, body: Body, block: Block, written: list[dict[str, Any]], element: dict[str, Any], keyed: bool
    ) -> int:
        if keyed:
            found = [i for i, values in enumerate(written) if values.get("name") == element.get("name")]
        else:
            # Without a key, a block matches on the literal arguments it writes; it must write some.
            found = [
                i
                for i, values in enumerate(written)
                if values
                and all(
                    a.same(values[a.name], element.get(a.name))
                    for a in block.items
                    if isinstance(a, Attr) and a.name in values
                )
            ]
        if len(found) == 1:
            return found[0]
        what = f"{block.name} block named {element.get('name')!r}" if keyed else f"{block.name} block"
        if not found:
            raise Declined(f"{body.where}: no {what} matching the state is written in the configuration")
        raise Declined(f"{body.where}: {len(found)} {what}s match the state; rules cannot tell which")

    def _literals(self, body: Body, nested: Nested) -> dict[str, Any]:
        """The literal arguments a configured block writes (its ``name`` must be one, to be matched)."""
        text = self.patch.text(body.file)
        out: dict[str, Any] = {}
        for item in self.editor.items(self.editor.child(body, nested, 0)):
            if isinstance(item, Nested):
                continue
            literal = parse_literal(text[item.value_start : item.value_end])
            if literal is not None:
                out[str(item.name)] = literal.value
            elif item.name == "name":
                line = line_number(text, item.start)
                raise Declined(
                    f"{body.where}: a {nested.type} block's name is an expression ({body.file}:{line})"
                )
        return out

    def add_blocks(
        self, body: Body, block: Block, elements: list[dict[str, Any]], configured: list[Nested]
    ) -> None:
        if not elements:
            return
        text = self.patch.text(body.file)
        order: list[str] = []
        if configured:
            sibling = self.editor.child(body, configured[0], 0)
            order = [str(i.name) for i in self.editor.items(sibling) if not isinstance(i, Nested)]
        items = self.editor.items(body)
        indent = indent_of(text, items[0].start) if items else indent_of(text, body.open) + "  "
        for element in elements:
            self.editor.add_block(
                body, block.name, render_block(block.name, block.items, element, indent, order)
            )


_SCALARS = (Kind.STRING, Kind.NUMBER, Kind.BOOL)


_ELEMENT = re.compile(r'^([A-Za-z_]\w*)\[("(?:[^"\\]|\\.)*")\](?:\.(\w+))?$')


def whole_sets(
    schema: tuple[Item, ...], changes: Sequence[Change], state_values: Mapping[str, Any]
) -> list[Change]:
    """Element-by-element changes of a keyed set (as scans report them) as one change of the whole set.

    The live set is the state's with each reported element added, removed or changed, so the rules edit
    the written blocks exactly as if the scan had reported the set as one value.
    """
    out: list[Change] = []
    sets: dict[str, dict[str, dict[str, Any]]] = {}
    for change in changes:
        match = _ELEMENT.match(change.path)
        block = next(
            (i for i in schema if match and isinstance(i, Block) and i.key and i.name == match[1]), None
        )
        if match is None or block is None:
            out.append(change)
            continue
        elements = sets.setdefault(
            block.name, {str(e.get(block.key)): dict(e) for e in _elements(state_values.get(block.name))}
        )
        key, field = json.loads(match[2]), match[3]
        if field is not None and key in elements:
            elements[key][field] = change.live
        elif change.live is None:
            elements.pop(key, None)
        else:
            elements[key] = dict(change.live)
    for name, elements in sets.items():
        out.append(Change(name, _elements(state_values.get(name)), list(elements.values())))
    return out


def _elements(value: Any) -> list[dict[str, Any]]:
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []


def _matching(block: Block, elements: list[dict[str, Any]], element: dict[str, Any], keyed: bool) -> Any:
    for other in elements:
        if keyed and other.get("name") == element.get("name"):
            return other
        if not keyed and not compare(block.items, other, element):
            return other
    return None
