"""HCL literal values: read one from source text, and write one back in the style of what it replaces.

A literal is what the rules may rewrite: a string without templates, a number, a bool, ``null``, and
lists and objects of those. Anything else (a reference, a function call, ``"${var.a}-${var.b}"``) is an
expression, which rules never replace with a literal.
"""

from __future__ import annotations

import re
from typing import Any
from typing import NamedTuple

from reconciler.propose.edits.text import ScanError
from reconciler.propose.edits.text import expression_end
from reconciler.propose.edits.text import indent_of
from reconciler.propose.edits.text import skip_blank
from reconciler.propose.edits.text import skip_string
from reconciler.workspace.addresses import quote

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # dashes are allowed, but people quote them
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class Literal(NamedTuple):
    value: Any


class _NotLiteral(Exception):
    pass


def parse_literal(text: str) -> Literal | None:
    """The value of ``text`` when it is a literal expression, else None."""
    try:
        value, pos = _parse(text, 0)
        if skip_blank(text, pos) != len(text):
            return None
    except (_NotLiteral, ScanError, IndexError):
        return None
    return Literal(value)


def _parse(text: str, pos: int) -> tuple[Any, int]:
    pos = skip_blank(text, pos)
    ch = text[pos]
    if ch == '"':
        end = skip_string(text, pos)
        return _unescape(text[pos + 1 : end - 1]), end
    if ch == "[":
        return _parse_list(text, pos + 1)
    if ch == "{":
        return _parse_object(text, pos + 1)
    number = _NUMBER.match(text, pos)
    if number is not None and not _WORD.match(text, number.end()):
        digits = number.group()
        return (float(digits) if number.group(1) or number.group(2) else int(digits)), number.end()
    word = _WORD.match(text, pos)
    if word is not None and word.group() in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[word.group()], word.end()
    raise _NotLiteral


def _parse_list(text: str, pos: int) -> tuple[list[Any], int]:
    out: list[Any] = []
    while True:
        pos = skip_blank(text, pos)
        if text[pos] == "]":
            return out, pos + 1
        value, pos = _parse(text, pos)
        out.append(value)
        pos = skip_blank(text, pos)
        if text[pos] == ",":
            pos += 1
        elif text[pos] != "]":
            raise _NotLiteral


def _parse_object(text: str, pos: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    while True:
        pos = skip_blank(text, pos)
        if text[pos] == "}":
            return out, pos + 1
        if text[pos] == ",":
            pos += 1
            continue
        if text[pos] == '"':
            end = skip_string(text, pos)
            key = _unescape(text[pos + 1 : end - 1])
        else:
            word = _WORD.match(text, pos)
            if word is None:
                raise _NotLiteral
            key, end = word.group(), word.end()
        pos = skip_blank(text, end, newlines=False)
        if text[pos] not in "=:":
            raise _NotLiteral
        out[key], pos = _parse(text, pos + 1)


def _unescape(raw: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\":
            marker = raw[i + 1 : i + 2]
            if marker in _ESCAPES:
                out.append(_ESCAPES[marker])
                i += 2
                continue
            width = {"u": 4, "U": 8}.get(marker)
            if width is None:
                raise _NotLiteral
            out.append(chr(int(raw[i + 2 : i + 2 + width], 16)))
            i += 2 + width
        elif raw.startswith(("$${", "%%{"), i):
            out.append(ch + "{")
            i += 3
        elif raw.startswith(("${", "%{"), i):
            raise _NotLiteral  # a template: an expression
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# -- writing values ----------------------------------------------------------------------------------


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return quote(value)
    raise TypeError(f"not a scalar: {value!r}")


def key_text(key: str, quoted: bool = False) -> str:
    """An object key: bare when it can be (and its neighbours are bare), else quoted."""
    if quoted or not _IDENTIFIER.fullmatch(key) or key in ("true", "false", "null"):
        return quote(key)
    return key


def render(value: Any, indent: str, like: str | None = None) -> str:
    """``value`` as HCL, written where a line starts with ``indent``, in the style of ``like`` (old text)."""
    old = parse_literal(like) if like is not None else None
    if isinstance(value, list):
        return _render_list(value, indent, like if old is not None and isinstance(old.value, list) else None)
    if isinstance(value, dict):
        return render_object(value, indent)
    if old is not None and like is not None and not isinstance(old.value, list | dict):
        return _like_scalar(value, like.lstrip()[:1] == '"', old.value)
    return scalar(value)


def _like_scalar(value: Any, was_quoted: bool, was: Any) -> str:
    if isinstance(value, str):
        if not was_quoted and isinstance(was, bool) and value in ("true", "false"):
            return value
        if not was_quoted and _is_number(was) and _NUMBER.fullmatch(value):
            return value
        return quote(value)
    if was_quoted and value is not None:
        return quote(scalar(value))  # "32" stays a quoted number
    return scalar(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _render_list(values: list[Any], indent: str, like: str | None) -> str:
    old = parse_literal(like).value if like is not None else None  # type: ignore[union-attr]
    first_like: str | None = None
    if isinstance(old, list) and old and like is not None:
        inner = skip_blank(like, like.index("[") + 1)
        first_like = like[inner : expression_end(like, inner)]
    parts = [render(v, indent, first_like if not isinstance(v, list | dict) else None) for v in values]
    if like is not None and "\n" in like.strip() and parts:
        inner = skip_blank(like, like.index("[") + 1)
        element_indent = indent_of(like, inner) if inner < len(like) and like[inner] != "]" else indent + "  "
        trailing = "," if re.search(r",\s*(#[^\n]*\s*)*\]\s*$", like) else ""
        body = ",\n".join(element_indent + p for p in parts)
        return f"[\n{body}{trailing}\n{indent}]"
    if any("\n" in p for p in parts):
        body = ",\n".join(f"{indent}  {p}" for p in parts)
        return f"[\n{body},\n{indent}]"
    return "[" + ", ".join(parts) + "]"


def render_object(values: dict[str, Any], indent: str, quoted_keys: bool = False) -> str:
    if not values:
        return "{}"
    inner = indent + "  "
    keys = {k: key_text(k, quoted_keys) for k in values}
    width = max(len(k) for k in keys.values())
    lines = [f"{inner}{keys[k].ljust(width)} = {render(v, inner)}" for k, v in values.items()]
    return "{\n" + "\n".join(lines) + f"\n{indent}}}"


def format_arguments(pairs: list[tuple[str, str]], indent: str) -> str:
    """``name = value`` lines as ``terraform fmt`` lays them out: ``=`` aligned within each run of
    single-line arguments (a multi-line value ends a run)."""
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(n) for n, _ in run), default=0)
        lines.extend(f"{indent}{n.ljust(width)} = {v}" for n, v in run)
        run.clear()

    for name, value in pairs:
        if "\n" in value:
            flush()
            lines.append(f"{indent}{name} = {value}")
        else:
            run.append((name, value))
    flush()
    return "".join(line + "\n" for line in lines)
