"""KQL source text to tokens: names, string and number literals, operators and symbols.

Brackets are checked for balance here, before parsing, so the error names the bracket at fault rather
than whatever the parser would trip over later.
"""

from __future__ import annotations

import re
from typing import Any
from typing import NamedTuple

from sandbox.arm.kql.errors import GraphQueryError
from sandbox.arm.kql.values import STRING_TESTS


class Token(NamedTuple):
    kind: str  # "name", "string", "number", "op" or "end"
    text: str  # as written in the query
    value: Any  # the decoded literal for strings and numbers
    pos: int


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_SYMBOLS = ("==", "!=", "=~", "!~", "<=", ">=", "(", ")", "[", "]", ",", ".", "|", "=", "<", ">", "-")
_NEGATED_WORDS = {"!" + name for name in STRING_TESTS} | {"!in", "!in~"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
_CLOSERS = {")": "(", "]": "["}


def tokenize(query: str) -> list[Token]:
    """The tokens of ``query``, ending with an ``end`` token at its length."""
    tokens: list[Token] = []
    i = 0
    while i < len(query):
        ch = query[i]
        if ch.isspace():
            i += 1
        elif query.startswith("//", i):
            end = query.find("\n", i)
            i = len(query) if end < 0 else end
        elif ch in "'\"" or (ch == "@" and query[i + 1 : i + 2] in ("'", '"')):
            token = _read_string(query, i)
            tokens.append(token)
            i += len(token.text)
        elif number := _NUMBER.match(query, i):
            text = number.group()
            value = float(text) if any(c in text for c in ".eE") else int(text)
            tokens.append(Token("number", text, value, i))
            i = number.end()
        elif name := _NAME.match(query, i):
            word = name.group()
            if word.lower() == "in" and query[name.end() : name.end() + 1] == "~":
                word += "~"
            tokens.append(Token("op" if word.endswith("~") else "name", word, None, i))
            i += len(word)
        elif ch == "!" and (name := _NAME.match(query, i + 1)):
            word = "!" + name.group() + ("~" if query[name.end() : name.end() + 1] == "~" else "")
            if word.lower() not in _NEGATED_WORDS:
                raise GraphQueryError(f"unknown operator '{word}' at position {i}", i)
            tokens.append(Token("op", word, None, i))
            i += len(word)
        else:
            symbol = next((s for s in _SYMBOLS if query.startswith(s, i)), None)
            if symbol is None:
                raise GraphQueryError(f"unexpected character '{ch}' at position {i}", i)
            tokens.append(Token("op", symbol, None, i))
            i += len(symbol)
    tokens.append(Token("end", "", None, len(query)))
    _check_balanced(tokens)
    return tokens


def _read_string(query: str, start: int) -> Token:
    verbatim = query[start] == "@"  # @'C:\path' takes backslashes literally
    i = start + 1 if verbatim else start
    quote = query[i]
    chars: list[str] = []
    i += 1
    while i < len(query):
        ch = query[i]
        if ch == quote:
            return Token("string", query[start : i + 1], "".join(chars), start)
        if ch == "\\" and not verbatim and i + 1 < len(query):
            chars.append(_ESCAPES.get(query[i + 1], query[i + 1]))
            i += 2
        else:
            chars.append(ch)
            i += 1
    raise GraphQueryError(
        f"unterminated string literal at position {start}: {query[start : start + 20]}", start
    )


def _check_balanced(tokens: list[Token]) -> None:
    open_brackets: list[Token] = []
    for tok in tokens:
        if tok.kind != "op":
            continue
        if tok.text in ("(", "["):
            open_brackets.append(tok)
        elif tok.text in _CLOSERS:
            if not open_brackets or open_brackets[-1].text != _CLOSERS[tok.text]:
                raise GraphQueryError(
                    f"unbalanced parentheses: unexpected '{tok.text}' at position {tok.pos}", tok.pos
                )
            open_brackets.pop()
    if open_brackets:
        tok = open_brackets[-1]
        raise GraphQueryError(
            f"unbalanced parentheses: '{tok.text}' at position {tok.pos} is never closed", tok.pos
        )
