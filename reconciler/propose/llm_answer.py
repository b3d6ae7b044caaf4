"""What the LLM answered, checked against our schema and turned into :class:`FileEdit`s.

The answer schema (``response_format`` JSON object; a fenced ```json block is accepted too)::

    {"strategy": "codify" | "revert" | "decline",
     "edits": [{"file": "main.tf", "find": "<exact text, once in that file>", "replace": "<text>"}],
     "explanation": "<plain words for the operator>"}

Anything else is a *rejection*, never an exception: :class:`LlmAnswer` with ``rejection`` set to one precise
reason, which the next attempt receives as feedback. Edits apply in order to the real file texts of the
task, so every byte outside the replaced text stays as it was.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any
from typing import Literal
from typing import NamedTuple

from reconciler.propose.llm_prompt import LlmTask
from state.proposal import FileEdit
from state.redaction import redact
from state.report import MASK

AnswerStrategy = Literal["codify", "revert", "decline"]
STRATEGIES: tuple[AnswerStrategy, ...] = ("codify", "revert", "decline")
_KEYS = ("strategy", "edits", "explanation")
_EDIT_KEYS = ("file", "find", "replace")
_FENCE = re.compile(r"```(?:json|JSON)?[ \t]*\n(.*?)\n[ \t]*```", re.DOTALL)
_NEW_FILE_SUFFIXES = (".tf", ".tf.json", ".tfvars")


class LlmAnswer(NamedTuple):
    """One answer. ``ok`` when usable: then ``edits`` hold whole-file before/after texts."""

    strategy: AnswerStrategy | None  # None when the answer could not be read that far
    edits: tuple[FileEdit, ...]
    explanation: str
    raw: str  # the model's text, fed back on the next attempt
    rejection: str | None = None  # why it cannot be used: one line, safe to send back

    @property
    def ok(self) -> bool:
        return self.rejection is None


class _Edit(NamedTuple):
    file: str
    find: str
    replace: str


def read_answer(raw: str, task: LlmTask) -> LlmAnswer:
    """Check ``raw`` against the schema and the task, and apply its edits to the task's files."""
    doc = _decode(raw)
    if isinstance(doc, str):
        return rejected(raw, doc)
    checked = _check(doc)
    if isinstance(checked, str):
        return rejected(raw, checked)
    strategy, edits, explanation = checked
    reason = _fits(strategy, edits, task)
    if reason is not None:
        return LlmAnswer(strategy, (), explanation, raw, reason)
    applied = _apply(edits, task)
    if isinstance(applied, str):
        return LlmAnswer(strategy, (), explanation, raw, redact(applied, task.secrets))
    return LlmAnswer(strategy, applied, explanation, raw)


def rejected(raw: str, reason: str) -> LlmAnswer:
    return LlmAnswer(None, (), "", raw, reason)


def _decode(raw: str) -> dict[str, Any] | str:
    candidates = [raw.strip(), *(m.group(1) for m in _FENCE.finditer(raw))]
    other: str | None = None
    for text in candidates:
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        if isinstance(doc, dict):
            return doc
        other = other or type(doc).__name__
    if other is not None:
        return f"the answer is JSON but not an object (got {other}); answer with one JSON object"
    if not raw.strip():
        return "the answer is empty; answer with one JSON object"
    return "the answer is not JSON; answer with one JSON object and nothing else"


def _check(doc: dict[str, Any]) -> tuple[AnswerStrategy, list[_Edit], str] | str:
    extra = sorted(set(doc) - set(_KEYS))
    if extra:
        return f"unexpected key {_show(extra[0])} (the keys are {', '.join(_KEYS)})"
    strategy = doc.get("strategy")
    if strategy not in STRATEGIES:
        return f"strategy must be one of {', '.join(STRATEGIES)} (got {_show(strategy)})"
    explanation = doc.get("explanation", "")
    if not isinstance(explanation, str):
        return "explanation must be a string"
    items = doc.get("edits", [])
    if not isinstance(items, list):
        return "edits must be a list of {file, find, replace} objects"
    edits: list[_Edit] = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            return f"edit {n} must be an object with file, find and replace"
        extra = sorted(set(item) - set(_EDIT_KEYS))
        if extra:
            return f"edit {n}: unexpected key {_show(extra[0])} (the keys are {', '.join(_EDIT_KEYS)})"
        for key in _EDIT_KEYS:
            if not isinstance(item.get(key), str):
                return f"edit {n}: {key} must be a string"
        edits.append(_Edit(item["file"], item["find"], item["replace"]))
    return strategy, edits, explanation


def _fits(strategy: AnswerStrategy, edits: list[_Edit], task: LlmTask) -> str | None:
    if strategy != "codify" and edits:
        return f"strategy {strategy} takes no edits (got {len(edits)})"
    if strategy == "codify" and not edits:
        return "strategy codify needs at least one edit"
    if strategy == "codify" and task.strategy == "revert":
        return "asked to revert, not to codify: answer strategy revert with no edits, or decline"
    if strategy == "revert" and task.strategy == "codify":
        return "asked to codify, not to revert: answer strategy codify with edits, or decline"
    return None


def _apply(edits: list[_Edit], task: LlmTask) -> tuple[FileEdit, ...] | str:
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for n, edit in enumerate(edits, 1):
        where = f"edit {n} ({_show(edit.file, quote=False)})"
        bad_path = _bad_path(edit.file)
        if bad_path:
            return f"{where}: {bad_path}"
        if MASK in edit.find:
            return f"{where}: find contains {MASK}, a value hidden from you; choose text around it"
        if MASK in edit.replace:
            return f"{where}: replace writes {MASK}; leave hidden values as they are"
        if redact(edit.replace, task.secrets) != edit.replace:
            return f"{where}: replace would write a secret value into the code"
        if edit.file not in after:
            if edit.file in task.files:
                before[edit.file] = after[edit.file] = task.files[edit.file]
            elif task.allow_new_files and edit.find == "" and edit.file.endswith(_NEW_FILE_SUFFIXES):
                before[edit.file] = after[edit.file] = ""
            else:
                editable = ", ".join(sorted(task.files)) or "none"
                return f"{where}: not an editable file (editable: {editable})"
        text = after[edit.file]
        if edit.find == "":
            if text:
                return f"{where}: find is empty; quote the exact text to replace"
            after[edit.file] = edit.replace
            continue
        count = text.count(edit.find)
        if count == 0:
            return f"{where}: the find text does not occur in the file; copy it verbatim from the source"
        if count > 1:
            return (
                f"{where}: the find text occurs {count} times; include neighbouring lines so it occurs once"
            )
        after[edit.file] = text.replace(edit.find, edit.replace, 1)
    changed = tuple(FileEdit(p, before[p], after[p]) for p in after if after[p] != before[p])
    if not changed:
        return "the edits change nothing"
    return changed


def _bad_path(file: str) -> str | None:
    if not file:
        return "file is empty"
    if "\\" in file or "\0" in file or re.match(r"^[A-Za-z]:", file):
        return "file must be a POSIX path relative to the workspace"
    path = PurePosixPath(file)
    if path.is_absolute():
        return "file must be relative to the workspace, not absolute"
    if any(part in ("..", ".") for part in file.split("/")) or str(path) != file:
        return "file must be a plain relative path inside the workspace (no '..', '.' or '//')"
    if any(part.startswith(".") for part in path.parts):
        return "file must not be inside a hidden folder or be a hidden file"
    return None


def _show(value: object, limit: int = 60, *, quote: bool = True) -> str:
    """A value from the answer, on one short line (reasons are fed back and shown to users)."""
    text = json.dumps(value, ensure_ascii=False) if quote or not isinstance(value, str) else value
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
