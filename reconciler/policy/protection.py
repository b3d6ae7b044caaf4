"""Rule ``builtin.no_destroy_protected``: no proposal destroys or replaces a protected resource.

A resource is protected by any of: a ``protected = "true"`` tag on what exists now (the plan's ``before``,
key and value in any case, as Azure compares tag names); ``lifecycle { prevent_destroy = true }`` in the
workspace or in a file as the proposal found it (removing the block removes the lifecycle with it, so
the configuration after the edit cannot tell); an address glob in ``policy.protected``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from reconciler.policy import edits as edit_files
from reconciler.policy.plan import Change
from reconciler.policy.plan import format_path
from reconciler.workspace.config import Configuration
from state.proposal import FileEdit
from state.proposal import Violation

RULE = "builtin.no_destroy_protected"


class Guards:
    """Where ``prevent_destroy`` is set: configuration address → ``file:line``."""

    def __init__(self, workspace: Configuration, edits: Sequence[FileEdit]) -> None:
        self.exact: dict[str, str] = {}
        # Blocks of a file no loaded module reads (a module directory the workspace does not call):
        # matched on "type.name" in any module, since protecting too much beats destroying.
        self.anywhere: dict[str, str] = {}
        for loaded in workspace.blocks:
            if loaded.mode == "managed" and edit_files.prevents_destroy(loaded.body):
                self.exact.setdefault(loaded.address, f"{loaded.file}:{loaded.line}")
        modules = edit_files.Modules(workspace)
        for edit in edits:
            if not edit_files.is_configuration(edit.path):
                continue
            # The user's own file; one that does not parse was refused by validation before us.
            parsed = edit_files.readable_blocks(edit.path, edit.before) or ()
            for mode, local, block in edit_files.resources(parsed):
                if mode != "managed" or not edit_files.prevents_destroy(block.body):
                    continue
                where = f"{edit.path}:{block.span.line}"
                if not modules.paths(edit.path):
                    self.anywhere.setdefault(local, where)
                for address in modules.addresses(edit.path, mode, local):
                    self.exact.setdefault(address, where)

    def where(self, config_address: str) -> str | None:
        found = self.exact.get(config_address)
        if found is None:
            local = ".".join(config_address.rsplit(".", 2)[-2:])
            found = self.anywhere.get(local)
        return found


def check(changes: Sequence[Change], globs: Sequence[str], guards: Guards) -> list[Violation]:
    found = []
    patterns = [(g, _glob(g)) for g in globs]
    for change in changes:
        if not change.destroys:
            continue
        reasons = []
        tag = _protected_tag(change.before)
        if tag is not None:
            reasons.append(f'tag {tag[0]} = "{tag[1]}"')
        where = guards.where(change.config_address)
        if where is not None:
            reasons.append(f"lifecycle prevent_destroy ({where})")
        for text, pattern in patterns:
            if pattern.fullmatch(change.address) or pattern.fullmatch(change.config_address):
                reasons.append(f'policy.protected "{text}"')
                break
        if reasons:
            why = ""
            if change.replace_paths and change.actions != ("delete",):
                paths = ", ".join(format_path(p) for p in change.replace_paths)
                why = f" because {paths} cannot change in place"
            by = ", ".join(reasons)
            message = f"{change.address} would be {change.verb()}{why}; it is protected by {by}"
            found.append(Violation(RULE, change.address, message))
    return found


def _protected_tag(values: Mapping[str, Any]) -> tuple[str, str] | None:
    tags = values.get("tags")
    if not isinstance(tags, dict):
        return None
    for key, value in tags.items():
        if key.lower() == "protected" and isinstance(value, str) and value.strip().lower() == "true":
            return key, value
    return None


def _glob(pattern: str) -> re.Pattern[str]:
    """``*`` and ``?`` are wildcards; brackets stay literal so ``x.y["k"]`` is written as Terraform does."""
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.S)
