"""Many proposals' edits as one patch: independent edits of one file merged by their changed lines."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from state.proposal import FileEdit


def merge_edits(edits: Sequence[FileEdit]) -> tuple[list[FileEdit], list[FileEdit]]:
    """One edit per file from edits made independently against the same text; and the edits left out.

    Each proposal edits the file as it is, so two proposals for one file are merged by their changed line
    ranges; an edit overlapping one already taken is left out (apply it after the first, re-proposed).
    """
    by_file: dict[str, list[FileEdit]] = {}
    for edit in edits:
        by_file.setdefault(edit.path, []).append(edit)
    merged: list[FileEdit] = []
    left_out: list[FileEdit] = []
    for path, group in by_file.items():
        original = group[0].before
        lines = original.splitlines(keepends=True)
        taken: list[tuple[int, int, list[str]]] = []
        for edit in group:
            if edit.before != original:
                left_out.append(edit)
                continue
            after = edit.after.splitlines(keepends=True)
            ops = [
                (i1, i2, after[j1:j2])
                for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
                    None, lines, after, autojunk=False
                ).get_opcodes()
                if tag != "equal"
            ]
            if any(_overlaps(op, other) for op in ops for other in taken):
                left_out.append(edit)
                continue
            taken.extend(ops)
        result: list[str] = []
        position = 0
        for i1, i2, replacement in sorted(taken, key=lambda op: (op[0], op[1])):
            result.extend(lines[position:i1])
            result.extend(replacement)
            position = i2
        result.extend(lines[position:])
        merged.append(FileEdit(path, original, "".join(result)))
    return merged, left_out


def _overlaps(a: tuple[int, int, list[str]], b: tuple[int, int, list[str]]) -> bool:
    (a1, a2, _), (b1, b2, _) = a, b
    if a1 == a2 or b1 == b2:  # an insertion conflicts with anything at or around its point
        return b1 <= a1 <= b2 if a1 == a2 else a1 <= b1 <= a2
    return a1 < b2 and b1 < a2
