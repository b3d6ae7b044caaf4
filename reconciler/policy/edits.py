"""A proposal's files read as configuration: its blocks before and after, and which module each file is.

The edits carry whole-file texts, so both sides are parsed with the workspace's own readers
(:mod:`reconciler.workspace.hclfile`, :mod:`reconciler.workspace.jsonfile`). A file is a module by its
directory: the root's, or each local or installed module call loaded from it.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from typing import Any

from reconciler.errors import WorkspaceError
from reconciler.workspace.addresses import config_address
from reconciler.workspace.config import Configuration
from reconciler.workspace.config import lifecycle
from reconciler.workspace.hclfile import parse_hcl
from reconciler.workspace.jsonfile import parse_json_config
from reconciler.workspace.syntax import RawBlock


def is_configuration(path: str) -> bool:
    """Terraform reads blocks from these; ``.tfvars`` files only set values."""
    return path.endswith(".tf") or path.endswith(".tf.json")


def blocks(path: str, text: str) -> tuple[RawBlock, ...]:
    """The top-level blocks of one configuration file; raises ``WorkspaceError`` if it cannot be read."""
    if not text.strip():
        return ()
    parsed = parse_json_config(text, path) if path.endswith(".json") else parse_hcl(text, path)
    return parsed.blocks


def readable_blocks(path: str, text: str) -> tuple[RawBlock, ...] | None:
    """:func:`blocks`, or None for a file python-hcl2 cannot read."""
    try:
        return blocks(path, text)
    except WorkspaceError:
        return None


def resources(parsed: tuple[RawBlock, ...]) -> Iterator[tuple[str, str, RawBlock]]:
    """``(mode, "type.name", block)`` for each ``resource`` and ``data`` block."""
    for block in parsed:
        if block.kind in ("resource", "data") and len(block.labels) == 2:
            mode = "managed" if block.kind == "resource" else "data"
            yield mode, f"{block.labels[0]}.{block.labels[1]}", block


def prevents_destroy(body: dict[str, Any]) -> bool:
    """``lifecycle { prevent_destroy = true }`` (Terraform accepts only a literal there)."""
    value = lifecycle(body).get("prevent_destroy")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


class Modules:
    """Which module paths the files of each directory are loaded as, in a loaded workspace."""

    def __init__(self, workspace: Configuration) -> None:
        root_dir = _posix_dir(os.path.relpath(workspace.workdir, workspace.root))
        self._by_dir: dict[str, list[tuple[str, ...]]] = {root_dir: [()]}
        for call in workspace.modules:
            if call.directory is not None:
                path = (*call.module_path, call.name)
                self._by_dir.setdefault(_posix_dir(call.directory), []).append(path)

    def paths(self, file: str) -> list[tuple[str, ...]]:
        """The module paths ``file`` (relative to the root) belongs to; empty when none loads it."""
        return list(self._by_dir.get(_posix_dir(posixpath.dirname(file)), ()))

    def addresses(self, file: str, mode: str, local: str) -> list[str]:
        """Configuration addresses of block ``local`` (``type.name``) in ``file``; at the root if unknown."""
        type_, name = local.split(".", 1)
        paths = self.paths(file)
        if not paths:
            return [config_address((), mode, type_, name)]
        return [config_address(p, mode, type_, name) for p in paths]


def _posix_dir(path: str) -> str:
    text = path.replace(os.sep, "/").strip("/")
    return "" if text in ("", ".") else posixpath.normpath(text)
