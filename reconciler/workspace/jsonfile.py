"""Terraform's JSON syntax (``.tf.json``, ``.tfvars.json``, CDK's ``cdk.tf.json``) with line numbers.

The ``json`` module gives no positions, so a small scanner walks the structure of the document's upper
levels (where blocks and their arguments live), recording each member's lines, and hands deeper values to
the C scanner. Property names ``//`` are comments to Terraform; CDK keeps its construct metadata there.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

from reconciler.errors import WorkspaceError
from reconciler.workspace.syntax import Lines
from reconciler.workspace.syntax import ParsedFile
from reconciler.workspace.syntax import RawAttribute
from reconciler.workspace.syntax import RawBlock
from reconciler.workspace.syntax import Span

Path_ = tuple[str | int, ...]
COMMENT = "//"
# Block types and how many labels each has; others (moved, import, check...) carry nothing we read.
_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1, "locals": 0}
# Blocks and their top-level arguments sit at most this deep (labels and arrays of blocks included).
_SPAN_DEPTH = 8
_WS = " \t\n\r"
# Both exist (in C where possible) but typeshed does not declare them.
_scanstring: Callable[[str, int], tuple[str, int]] = getattr(json.decoder, "scanstring")  # noqa: B009
_make_scanner: Callable[[json.JSONDecoder], Callable[[str, int], tuple[Any, int]]] = getattr(  # noqa: B009
    json.scanner, "make_scanner"
)


def parse_json_config(text: str, shown: str) -> ParsedFile:
    """Parse a ``.tf.json`` file into blocks with the lines they span."""
    doc, spans = _load(text, shown)
    if not isinstance(doc, dict):
        raise WorkspaceError.at(shown, 1, "a Terraform JSON file must hold one object")
    blocks: list[RawBlock] = []
    for kind, value in doc.items():
        if kind in _LABELS:
            for path, labels, body in _blocks(value, (kind,), _LABELS[kind], shown, spans):
                blocks.append(_block(kind, labels, body, path, spans))
    return ParsedFile(shown, tuple(blocks), ())


def parse_json_tfvars(text: str, shown: str) -> ParsedFile:
    """Parse a ``.tfvars.json`` file: one object of variable values."""
    doc, spans = _load(text, shown)
    if not isinstance(doc, dict):
        raise WorkspaceError.at(shown, 1, "a variables file must hold one object")
    attributes = tuple(
        RawAttribute(name, value, spans.get((name,), Span(1, 1)))
        for name, value in doc.items()
        if name != COMMENT
    )
    return ParsedFile(shown, (), attributes)


def _load(text: str, shown: str) -> tuple[Any, dict[Path_, Span]]:
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        raise WorkspaceError.at(shown, e.lineno, f"invalid JSON: {e.msg}") from e
    return _SpanScanner(text).document()


def _blocks(
    value: Any, path: Path_, labels_left: int, shown: str, spans: dict[Path_, Span]
) -> Iterator[tuple[Path_, tuple[str, ...], dict[str, Any]]]:
    """Each block body under a block type, with its path in the document and its labels."""
    if isinstance(value, list):
        # Any level may be an array of objects, meaning several of the same.
        for i, item in enumerate(value):
            yield from _blocks(item, (*path, i), labels_left, shown, spans)
        return
    if not isinstance(value, dict):
        line = spans.get(path, Span(1, 1)).line
        raise WorkspaceError.at(shown, line, f"{_describe(path)} must be a JSON object")
    if labels_left == 0:
        yield path, (), value
        return
    for label, inner in value.items():
        if label == COMMENT:
            continue
        for inner_path, labels, body in _blocks(inner, (*path, label), labels_left - 1, shown, spans):
            yield inner_path, (label, *labels), body


def _block(
    kind: str, labels: tuple[str, ...], body: dict[str, Any], path: Path_, spans: dict[Path_, Span]
) -> RawBlock:
    construct_path = None
    meta = body.get(COMMENT)
    if isinstance(meta, dict) and isinstance(meta.get("metadata"), dict):
        found = meta["metadata"].get("path")
        construct_path = found if isinstance(found, str) else None
    clean = {k: v for k, v in body.items() if k != COMMENT}
    arguments = {k: spans[(*path, k)] for k in clean if (*path, k) in spans}
    # A block in an array has no name of its own: its span is the array element's.
    span = spans.get(path, Span(1, 1))
    return RawBlock(kind, labels, clean, span, arguments, construct_path)


def _describe(path: Path_) -> str:
    return " > ".join(f'"{p}"' if isinstance(p, str) else f"[{p}]" for p in path)


class _SpanScanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = Lines(text)
        self.spans: dict[Path_, Span] = {}
        self.scan = _make_scanner(json.JSONDecoder())

    def document(self) -> tuple[Any, dict[Path_, Span]]:
        value, _ = self.value(self.skip(0), ())
        return value, self.spans

    def skip(self, pos: int) -> int:
        text = self.text
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        return pos

    def value(self, pos: int, path: Path_) -> tuple[Any, int]:
        """The value starting at ``pos`` and where it ends; records the spans below it."""
        ch = self.text[pos]
        if len(path) >= _SPAN_DEPTH or ch not in "{[":
            return self.scan(self.text, pos)
        if ch == "{":
            return self.object(pos, path)
        return self.array(pos, path)

    def object(self, pos: int, path: Path_) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        pos = self.skip(pos + 1)
        if self.text[pos] == "}":
            return result, pos + 1
        while True:
            key_start = pos
            key, pos = _scanstring(self.text, pos + 1)
            pos = self.skip(self.skip(pos) + 1)  # past the colon
            value, end = self.value(pos, (*path, key))
            self.spans[(*path, key)] = Span(self.lines.line(key_start), self.lines.line(end - 1))
            result[key] = value
            pos = self.skip(end)
            if self.text[pos] == "}":
                return result, pos + 1
            pos = self.skip(pos + 1)  # past the comma

    def array(self, pos: int, path: Path_) -> tuple[list[Any], int]:
        result: list[Any] = []
        pos = self.skip(pos + 1)
        if self.text[pos] == "]":
            return result, pos + 1
        while True:
            index = len(result)
            value, end = self.value(pos, (*path, index))
            self.spans[(*path, index)] = Span(self.lines.line(pos), self.lines.line(end - 1))
            result.append(value)
            pos = self.skip(end)
            if self.text[pos] == "]":
                return result, pos + 1
            pos = self.skip(pos + 1)
