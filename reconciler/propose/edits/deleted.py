"""Accept a resource deleted out of band: its block gives way to a ``removed {}`` block (Terraform ≥ 1.7).

``destroy = false`` makes Terraform forget the instance rather than plan to create it again (or destroy
anything). The ``removed`` block stands where the resource block stood, so comments above it still make
sense and the diff shows one block exchanged for another.
"""

from __future__ import annotations

import re

from reconciler.propose.edits.patch import Decline
from reconciler.propose.edits.patch import Declined
from reconciler.propose.edits.patch import Patch
from reconciler.propose.edits.sources import Site
from reconciler.propose.edits.sources import Sources
from reconciler.propose.edits.text import ScanError
from reconciler.propose.edits.text import blank_comments
from reconciler.propose.edits.text import block_at
from reconciler.propose.edits.text import indent_of
from reconciler.propose.edits.text import line_number
from reconciler.workspace import Configuration
from state.proposal import FileEdit
from state.report import Drift


def removed_block(address: str, indent: str = "") -> str:
    """A ``removed`` block that forgets ``address`` (a resource address without instance keys)."""
    return (
        f"removed {{\n{indent}  from = {address}\n\n{indent}  lifecycle {{\n"
        f"{indent}    destroy = false\n{indent}  }}\n{indent}}}"
    )


def accept_deleted(configuration: Configuration, drift: Drift) -> list[FileEdit] | Decline:
    """Remove the deleted resource's block and record its removal with ``removed { from = ... }``."""
    try:
        return _accept(configuration, drift)
    except Declined as e:
        return Decline(e.reason)
    except ScanError as e:
        return Decline(f"{drift.address}: cannot follow its source text ({e})")


def _accept(config: Configuration, drift: Drift) -> list[FileEdit]:
    if drift.kind != "deleted" or drift.address is None:
        raise Declined(f"only deleted resources are accepted, not {drift.kind} ones")
    block = config.block_for(drift.address)
    if block is None:
        raise Declined(f"{drift.address} has no resource block in the configuration")
    if block.file.endswith(".json") or block.construct_path is not None:
        raise Declined(f"{block.address} is written in JSON ({block.file}); rules edit HCL only")
    if block.has_count or block.has_for_each:
        how = "count" if block.has_count else "for_each"
        raise Declined(f"{block.address} uses {how}: removing its block would forget every instance")
    patch = Patch(config.root)
    sources = Sources(config, patch)
    sources.check_instances(block.module_path)
    local = f"{block.type}.{block.name}"
    # Other code still reading the resource would no longer validate.
    pattern = re.compile(rf"(?<![\w.-]){re.escape(local)}(?![\w-])")
    for file in sources.module_files(block.module_path):
        code = blank_comments(patch.text(file))
        for hit in pattern.finditer(code):
            line = line_number(code, hit.start())
            if file == block.file and block.line <= line <= block.end_line:
                continue
            user = sources.user_at(block.module_path, file, line) or "an output"
            raise Declined(f"{block.address} is still referenced by {user} ({file}:{line})")
    text = patch.text(block.file)
    found = block_at(text, block.line)
    if found is None:
        raise Declined(f"{block.address}: cannot find its block at {block.file}:{block.line}")
    if block.module_path:
        sources.check_editable(Site(block.file, found.start, found.start, block.module_path, block.address))
    patch.replace(
        block.file, found.start, found.close + 1, removed_block(local, indent_of(text, found.start))
    )
    return patch.edits()
