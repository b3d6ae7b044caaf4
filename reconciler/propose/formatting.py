"""``terraform fmt`` folded into a proposal's edits, so every patched file passes ``terraform fmt -check``.

Terraform's own formatter (through the engine) runs on each edited file as it was before the edit and as
it is after. A file that was fmt-clean before takes the formatter's result whole: an added argument may
re-align its neighbours, and that is what ``fmt -check`` asks for. A file that was not clean before keeps
the layout its authors chose: only the formatter's changes that fall inside the lines the edit wrote are
taken, so a proposal never reformats a user's file behind their back. Each note says which happened.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from reconciler.terraform import Terraform
from state.proposal import FileEdit

#: What ``terraform fmt`` formats; other edited files (``.tf.json``) are left as they are.
SUFFIXES = (".tf", ".tfvars", ".tftest.hcl")


class Formatted(NamedTuple):
    edits: tuple[FileEdit, ...]
    #: one line per edited file the formatter had a say in, e.g. "main.tf: formatted with terraform fmt"
    notes: tuple[str, ...]
    #: the notes worth a reader's attention: files that were not fmt-clean before the edit
    caveats: tuple[str, ...]


def format_edits(tf: Terraform, edits: Sequence[FileEdit], scratch: Path) -> Formatted:
    """The edits with Terraform's formatting folded in; ``scratch`` is an empty directory to work in."""
    targets = [(i, e) for i, e in enumerate(edits) if e.path.endswith(SUFFIXES)]
    if not targets:
        return Formatted(tuple(edits), (), ())
    scratch.mkdir(parents=True, exist_ok=True)
    names: list[Path] = []
    for i, edit in targets:
        suffix = next(s for s in SUFFIXES if edit.path.endswith(s))
        for side, text in (("before", edit.before), ("after", edit.after)):
            name = Path(f"{side}{i}{suffix}")
            # Terraform writes LF; CRLF files are formatted as LF and get their own line endings back.
            (scratch / name).write_bytes(_lf(text).encode("utf-8"))
            names.append(name)
    tf.fmt(scratch, names)
    out = list(edits)
    notes: list[str] = []
    caveats: list[str] = []
    for i, edit in targets:
        suffix = next(s for s in SUFFIXES if edit.path.endswith(s))
        before = (scratch / f"before{i}{suffix}").read_bytes().decode("utf-8")
        after = (scratch / f"after{i}{suffix}").read_bytes().decode("utf-8")
        text, note, caveat = fold(edit, before, after)
        out[i] = edit._replace(after=text)
        if note:
            (caveats if caveat else notes).append(f"{edit.path}: {note}")
    return Formatted(tuple(out), tuple(notes + caveats), tuple(caveats))


def fold(edit: FileEdit, before_formatted: str, after_formatted: str) -> tuple[str, str, bool]:
    """The edited text with the formatting that may go in, what was done (or ""), and whether the file
    was not fmt-clean before the edit."""
    before, after = _lf(edit.before), _lf(edit.after)
    newline = "\r\n" if "\r\n" in edit.after else "\n"
    if after_formatted == after:
        return edit.after, "", False
    if before_formatted == before or not edit.before:
        return after_formatted.replace("\n", newline), "formatted with terraform fmt", False
    text, skipped = _inside_edited_lines(before, after, after_formatted)
    if text == after:
        note = "was not fmt-clean before this edit; its formatting is left as it was"
    elif skipped:
        note = "was not fmt-clean before this edit; only the edited lines were formatted"
    else:
        note = "was not fmt-clean before this edit; the formatter changed only the edited lines"
    return text.replace("\n", newline), note, True


def _inside_edited_lines(before: str, after: str, formatted: str) -> tuple[str, bool]:
    """``after`` with the formatter's changes that lie inside lines the edit wrote; and whether any
    change outside them was left out."""
    old, new, pretty = (t.splitlines(keepends=True) for t in (before, after, formatted))
    edited = [
        (j1, j2)
        for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
        if tag != "equal" and j2 > j1
    ]
    out: list[str] = []
    position = 0
    skipped = False
    for i1, i2, j1, j2 in _hunks(new, pretty):
        if not (i2 > i1 and any(start <= i1 and i2 <= end for start, end in edited)):
            skipped = True
            continue
        out.extend(new[position:i1])
        out.extend(pretty[j1:j2])
        position = i2
    out.extend(new[position:])
    return "".join(out), skipped


def _hunks(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    """The changed line ranges; a run of lines replaced one for one (re-aligned) is one hunk a line."""
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            out += [(i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1)]
        elif tag != "equal":
            out.append((i1, i2, j1, j2))
    return out


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")
