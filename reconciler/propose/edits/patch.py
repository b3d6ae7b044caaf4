"""Replacements collected against the workspace's files as read, turned into whole-file edits at the end.

Every offset a rule computes refers to a file's original text, so edits for several changes can be
gathered independently; two that touch the same bytes mean the rules have lost track, and the drift
goes to the LLM instead. Bytes outside the replacements, line endings and a byte-order mark included,
are kept exactly.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import NamedTuple

from reconciler.errors import WorkspaceError
from reconciler.workspace.hclfile import parse_hcl
from state.proposal import FileEdit


class Decline(NamedTuple):
    """Rules cannot make this edit safely; ``reason`` says why in one line (the LLM takes it from here)."""

    reason: str


class Declined(Exception):
    """Raised deep inside the rules; the public functions turn it into a :class:`Decline`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Replacement(NamedTuple):
    start: int
    end: int
    seq: int
    text: str


class Patch:
    """Text replacements in the files under ``root`` (paths relative to it, POSIX)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._texts: dict[str, str] = {}
        self._new: dict[str, str] = {}
        self._replacements: dict[str, list[_Replacement]] = {}

    def text(self, path: str) -> str:
        """The file's text as read (never with edits applied); bytes kept, CRLF included."""
        if path not in self._texts:
            try:
                self._texts[path] = (self.root / path).read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise Declined(f"{path}: cannot read it ({e})") from e
        return self._texts[path]

    def newline(self, path: str) -> str:
        return "\r\n" if "\r\n" in self.text(path) else "\n"

    def replace(self, path: str, start: int, end: int, text: str) -> None:
        """Replace ``[start, end)``; ``text`` uses ``\\n``, written with the file's own line endings."""
        self.text(path)
        edits = self._replacements.setdefault(path, [])
        edits.append(_Replacement(start, end, len(edits), text.replace("\n", self.newline(path))))

    def insert(self, path: str, at: int, text: str) -> None:
        self.replace(path, at, at, text)

    def create(self, path: str, text: str) -> None:
        """A new file, or text appended to an existing one."""
        self._new[path] = text

    def edits(self) -> list[FileEdit]:
        """The edits, each file's result checked to parse; raises :class:`Declined` when they collide."""
        out: list[FileEdit] = []
        for path, replacements in sorted(self._replacements.items()):
            before = self._texts[path]
            ordered = sorted(replacements, key=lambda r: (r.start, r.end, r.seq))
            for a, b in itertools.pairwise(ordered):
                if a.end > b.start:
                    raise Declined(
                        f"{path}: two edits overlap at line {before.count(chr(10), 0, b.start) + 1}"
                    )
            after = before
            for r in reversed(ordered):
                after = after[: r.start] + r.text + after[r.end :]
            if after != before:
                out.append(FileEdit(path, before, after))
        for path, text in sorted(self._new.items()):
            before = self.text(path) if (self.root / path).is_file() else ""
            gap = "" if not before or before.endswith("\n\n") else "\n" if before.endswith("\n") else "\n\n"
            out.append(FileEdit(path, before, before + gap + text))
        for edit in out:
            check_parses(edit.path, edit.after)
        return out


def check_parses(path: str, text: str) -> None:
    """Raise :class:`Declined` when the edited text is no longer HCL (a bug in the rules, never shipped)."""
    if path.endswith(".json"):
        return
    try:
        parse_hcl(text, path)
    except WorkspaceError as e:
        raise Declined(f"the edit would not parse: {e}") from e
