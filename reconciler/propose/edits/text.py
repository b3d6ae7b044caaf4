"""Where things are in HCL source text: arguments, blocks, object entries and their exact offsets.

Edits are made to the text itself (python-hcl2 regenerating a file loses comments and mangles heredocs),
so this is a small scanner rather than a parser: it knows enough of HCL's lexical structure (quoted
templates with ``${...}`` inside, heredocs, comments, brackets) to find where an argument's expression
starts and ends, where a block's braces are, and where each entry of an object literal is written.
Offsets are indexes into the file's text; ``end`` offsets are exclusive.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_OPENERS = {"{": "}", "[": "]", "(": ")"}


class Attribute(NamedTuple):
    """``name = expression`` in a body, or ``key = value`` in an object literal."""

    name: str | None  # None for an object key that is an expression
    start: int  # where the name (or key) starts
    value_start: int
    value_end: int
    line_start: int  # start of the first line (when only blanks precede the name on it, else ``start``)
    line_end: int  # after the newline that ends the last line (a trailing comment included)
    quoted: bool = False  # an object key written as a quoted string


class Nested(NamedTuple):
    """A block: ``type "label" { ... }``."""

    type: str
    labels: tuple[str, ...]
    start: int
    open: int  # the ``{``
    close: int  # the ``}``
    line_start: int
    line_end: int


Item = Attribute | Nested


class ScanError(ValueError):
    """Text the scanner does not understand (it was parsed fine by HCL, so: something unusual)."""


def skip_blank(text: str, pos: int, newlines: bool = True, end: int | None = None) -> int:
    """The first offset at or after ``pos`` that is not blank or a comment (newlines only if asked)."""
    limit = len(text) if end is None else end
    while pos < limit:
        ch = text[pos]
        if ch in " \t\r\ufeff" or (newlines and ch == "\n"):
            pos += 1
        elif ch == "#" or text.startswith("//", pos):
            nl = text.find("\n", pos)
            pos = limit if nl == -1 else (nl + 1 if newlines else nl)
        elif text.startswith("/*", pos):
            close = text.find("*/", pos + 2)
            if close == -1:
                raise ScanError("unterminated comment")
            pos = close + 2
        else:
            break
    return min(pos, limit)


def skip_string(text: str, pos: int) -> int:
    """``pos`` is at an opening ``"``: the offset after the closing one."""
    pos += 1
    while pos < len(text):
        ch = text[pos]
        if ch == "\\":
            pos += 2
        elif ch == '"':
            return pos + 1
        elif text.startswith(("$${", "%%{"), pos):
            pos += 3
        elif text.startswith(("${", "%{"), pos):
            pos = skip_bracketed(text, pos + 1)
        else:
            pos += 1
    raise ScanError("unterminated string")


def skip_heredoc(text: str, pos: int) -> int:
    """``pos`` is at ``<<``: the offset after the closing marker."""
    match = _HEREDOC.match(text, pos)
    if match is None:
        raise ScanError("bad heredoc")
    marker = match.group(1)
    pos = match.end()
    while True:
        nl = text.find("\n", pos)
        line = text[pos : len(text) if nl == -1 else nl]
        if line.strip() == marker:
            return pos + line.index(marker) + len(marker)
        if nl == -1:
            break
        pos = nl + 1
    raise ScanError(f"unterminated heredoc {marker}")


def skip_bracketed(text: str, pos: int) -> int:
    """``pos`` is at ``{``, ``[`` or ``(``: the offset after the matching closer."""
    closers = [_OPENERS[text[pos]]]
    pos += 1
    while pos < len(text):
        pos = skip_blank(text, pos)
        if pos >= len(text):
            break
        ch = text[pos]
        if ch == '"':
            pos = skip_string(text, pos)
        elif _HEREDOC.match(text, pos):
            pos = skip_heredoc(text, pos)
        elif ch in _OPENERS:
            closers.append(_OPENERS[ch])
            pos += 1
        elif ch in ")]}":
            if ch != closers.pop():
                raise ScanError(f"unbalanced {ch!r}")
            pos += 1
            if not closers:
                return pos
        else:
            pos += 1
    raise ScanError("unbalanced brackets")


def expression_end(text: str, pos: int, limit: int | None = None) -> int:
    """Where the expression starting at ``pos`` ends: a newline, ``,`` or a closer at depth 0.

    Trailing blanks are not part of it.
    """
    stop = len(text) if limit is None else limit
    last = pos
    while pos < stop:
        ch = text[pos]
        if ch in "\n,)]}" or ch == "#" or text.startswith(("//", "/*"), pos):
            break
        if ch in " \t\r":
            pos += 1
            continue
        if ch == '"':
            pos = skip_string(text, pos)
        elif _HEREDOC.match(text, pos):
            pos = skip_heredoc(text, pos)
        elif ch in _OPENERS:
            pos = skip_bracketed(text, pos)
        else:
            pos += 1
        last = pos
    return last


def line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def line_end(text: str, pos: int) -> int:
    """After the newline of the line holding ``pos`` (or the end of the text)."""
    nl = text.find("\n", pos)
    return len(text) if nl == -1 else nl + 1


def line_offset(text: str, line: int) -> int:
    """The offset where 1-based ``line`` starts."""
    pos = 0
    for _ in range(line - 1):
        nl = text.find("\n", pos)
        if nl == -1:
            raise ScanError(f"no line {line}")
        pos = nl + 1
    return pos


def line_number(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def indent_of(text: str, pos: int) -> str:
    """The blanks that start the line holding ``pos``."""
    start = line_start(text, pos)
    return text[start : start + len(text[start:]) - len(text[start:].lstrip(" \t"))]


def _own_line_start(text: str, start: int) -> int:
    begin = line_start(text, start)
    return begin if not text[begin:start].strip() else start


def _own_line_end(text: str, end: int, limit: int) -> int:
    """After the newline ending the line of ``end`` when only blanks, a comment or a ``,`` follow."""
    pos = end
    while pos < limit and text[pos] in " \t\r,":
        pos += 1
    if pos < limit and (text[pos] == "#" or text.startswith("//", pos)):
        pos = text.find("\n", pos)
        pos = limit if pos == -1 else pos
    if pos < limit and text[pos] == "\n":
        return pos + 1
    return len(text) if pos >= len(text) else end


def body_items(text: str, start: int, end: int) -> list[Item]:
    """The arguments and blocks between ``start`` and ``end`` (a block's braces, or a whole file)."""
    items: list[Item] = []
    pos = start
    while True:
        pos = skip_blank(text, pos, end=end)
        if pos >= end:
            return items
        name = _NAME.match(text, pos)
        if name is None:
            raise ScanError(f"unexpected {text[pos]!r} at line {line_number(text, pos)}")
        after = skip_blank(text, name.end(), newlines=False, end=end)
        if text.startswith("=", after) and not text.startswith("==", after):
            value = skip_blank(text, after + 1, newlines=False, end=end)
            value_end = expression_end(text, value, end)
            items.append(
                Attribute(
                    name.group(),
                    name.start(),
                    value,
                    value_end,
                    _own_line_start(text, name.start()),
                    _own_line_end(text, value_end, end),
                )
            )
            pos = value_end
            continue
        labels: list[str] = []
        while after < end and text[after] != "{":
            if text[after] == '"':
                close = skip_string(text, after)
                labels.append(text[after + 1 : close - 1])
            else:
                label = _NAME.match(text, after)
                if label is None:
                    raise ScanError(f"unexpected {text[after]!r} at line {line_number(text, after)}")
                labels.append(label.group())
                close = label.end()
            after = skip_blank(text, close, newlines=False, end=end)
        if after >= end:
            raise ScanError(f"block {name.group()} has no body")
        close = skip_bracketed(text, after) - 1
        items.append(
            Nested(
                name.group(),
                tuple(labels),
                name.start(),
                after,
                close,
                _own_line_start(text, name.start()),
                _own_line_end(text, close + 1, end),
            )
        )
        pos = close + 1


def object_entries(text: str, open_: int) -> list[Attribute]:
    """The entries of the object literal whose ``{`` is at ``open_`` (``key = value`` or ``key: value``)."""
    end = skip_bracketed(text, open_) - 1
    entries: list[Attribute] = []
    pos = open_ + 1
    while True:
        pos = skip_blank(text, pos, end=end)
        if pos < end and text[pos] == ",":
            pos += 1
            continue
        if pos >= end:
            return entries
        quoted = text[pos] == '"'
        key: str | None
        if quoted:
            key_end = skip_string(text, pos)
            raw = text[pos + 1 : key_end - 1]
            key = None if "${" in raw.replace("$${", "") or "\\" in raw else raw
        elif (name := _NAME.match(text, pos)) is not None:
            key_end, key = name.end(), name.group()
        else:
            key_end, key = expression_end(text, pos, end), None
        sep = skip_blank(text, key_end, newlines=False, end=end)
        if sep >= end or text[sep] not in "=:":
            raise ScanError(f"object entry without a value at line {line_number(text, pos)}")
        value = skip_blank(text, sep + 1, newlines=False, end=end)
        value_end = expression_end(text, value, end)
        entries.append(
            Attribute(
                key,
                pos,
                value,
                value_end,
                _own_line_start(text, pos),
                _own_line_end(text, value_end, end),
                quoted,
            )
        )
        pos = value_end


def block_at(text: str, line: int, start: int = 0, end: int | None = None) -> Nested | None:
    """The block (among the items between ``start`` and ``end``) that starts on ``line``."""
    for item in body_items(text, start, len(text) if end is None else end):
        if isinstance(item, Nested) and line_number(text, item.start) == line:
            return item
    return None


def attribute_at(text: str, line: int, start: int = 0, end: int | None = None) -> Attribute | None:
    """The argument (among the items between ``start`` and ``end``) that starts on ``line``."""
    for item in body_items(text, start, len(text) if end is None else end):
        if isinstance(item, Attribute) and line_number(text, item.start) == line:
            return item
    return None


def blank_comments(text: str) -> str:
    """``text`` with every comment replaced by spaces (offsets and newlines kept), for searching code."""
    out = list(text)
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == '"':
            pos = skip_string(text, pos)
        elif ch == "#" or text.startswith(("//", "/*"), pos):
            stop = skip_blank(text, pos, newlines=False)
            for i in range(pos, stop):
                if out[i] != "\n":
                    out[i] = " "
            pos = max(stop, pos + 1)
        elif _HEREDOC.match(text, pos):
            pos = skip_heredoc(text, pos)
        else:
            pos += 1
    return "".join(out)
