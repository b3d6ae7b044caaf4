"""Rule ``builtin.no_inline_managed_children``: never write inline what a resource of its own manages.

azurerm lets a virtual network's subnets, an NSG's rules or a route table's routes be written inline or
as resources of their own, and documents that using both makes the two overwrite each other on every
apply. A proposal (from the rules or an LLM) that writes such a block (see
:class:`~providers.azure.mapping.base.Echo`) into a resource block, next to a resource in the plan that
manages one of the block's elements, is refused: the validating plan of such an edit is a no-op, so only
this rule catches it.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from providers.azure.mapping import MAPPINGS
from providers.azure.mapping.base import Echo
from reconciler.policy import edits as edit_files
from reconciler.policy.edits import Modules
from reconciler.policy.plan import Change
from state.proposal import FileEdit
from state.proposal import Violation

RULE = "builtin.no_inline_managed_children"
_WHY = "azurerm documents that inline blocks and separate resources overwrite each other"


def check(changes: Sequence[Change], edits: Sequence[FileEdit], modules: Modules) -> list[Violation]:
    owners = {_id(c): c.address for c in changes if _id(c)}
    found = []
    for file, line, address, echo in _written(edits, modules):
        for change in (c for c in changes if c.config_address == address):
            parent = _id(change)
            for element in change.after.get(echo.block) or ():
                if not isinstance(element, dict) or not parent:
                    continue
                owner = owners.get(echo.element_id(parent, element).lower())
                if owner is not None:
                    message = (
                        f'{file}:{line}: writes {echo.block} {{}} "{element.get("name")}" inline in '
                        f"{change.address}, which {owner} manages as its own resource; {_WHY}"
                    )
                    found.append(Violation(RULE, change.address, message))
    return found


def _written(edits: Sequence[FileEdit], modules: Modules) -> Iterator[tuple[str, int, str, Echo]]:
    """``(file, line, config address, echo)`` for each echo block an edit adds or changes in a resource."""
    for edit in edits:
        if edit.before == edit.after or not edit_files.is_configuration(edit.path):
            continue
        before = edit_files.readable_blocks(edit.path, edit.before) or ()
        after = edit_files.readable_blocks(edit.path, edit.after) or ()
        old = {(mode, local): block.body for mode, local, block in edit_files.resources(before)}
        for mode, local, block in edit_files.resources(after):
            mapping = MAPPINGS.get(block.labels[0])
            if mode != "managed" or mapping is None:
                continue
            for echo in mapping.echoes:
                written = _block(block.body, echo.block)
                if written and written != _block(old.get((mode, local), {}), echo.block):
                    for address in modules.addresses(edit.path, mode, local):
                        yield edit.path, block.span.line, address, echo


def _block(body: Mapping[str, Any], name: str) -> list[Any]:
    """What a body writes for nested block ``name``: its blocks and its ``dynamic`` blocks of that label."""
    value = body.get(name)
    written = list(value) if isinstance(value, list) else ([value] if value is not None else [])
    dynamic = body.get("dynamic")
    for item in dynamic if isinstance(dynamic, list) else [dynamic]:
        if isinstance(item, dict) and name in item:
            written.append({"dynamic": item[name]})
    return written


def _id(change: Change) -> str:
    value = change.after.get("id") or change.before.get("id")
    return value.lower() if isinstance(value, str) else ""
