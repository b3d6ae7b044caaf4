"""Function calls in configuration values: the ones that read the disk, the environment or secrets.

Terraform evaluates functions while it validates and plans, with the privileges of the process: ``file``
reads any file (``/proc/self/environ`` is the environment, credentials included), ``fileset`` lists
directories, ``templatefile`` renders a file, ``pathexpand`` reads ``$HOME``, and ``nonsensitive``
unmasks a sensitive value into the plan and its error messages. A provider-defined function
(``provider::x::f``) runs provider code. Values are read as the workspace readers give them: strings
with expressions wrapped in ``${...}``, so every call is found in some string of a body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

#: Functions a proposal may never add: they read files or the environment, or reveal sensitive values.
DENIED_FUNCTIONS = frozenset(
    {
        "file",
        "filebase64",
        "filebase64sha256",
        "filebase64sha512",
        "fileexists",
        "filemd5",
        "filesha1",
        "filesha256",
        "filesha512",
        "fileset",
        "templatefile",
        "templatestring",
        "pathexpand",
        "abspath",
        "nonsensitive",
    }
)
#: Provider namespaces whose functions are pure helpers (``provider::azurerm::parse_resource_id``).
ALLOWED_PROVIDER_FUNCTIONS = frozenset({"azurerm"})

_CALL = re.compile(r"(?<![\w.:-])((?:provider::[\w-]+::)?[A-Za-z_][\w-]*)\s*\(")


def denied_calls(text: str) -> Iterator[str]:
    """Each call of a denied function in ``text``, as written: ``file("/proc/self/environ")``."""
    for match in _CALL.finditer(text):
        name = match.group(1)
        if name.startswith("provider::"):
            if name.split("::")[1] in ALLOWED_PROVIDER_FUNCTIONS:
                continue
        elif name not in DENIED_FUNCTIONS:
            continue
        end = closing(text, match.end() - 1)
        yield name + text[match.end() - 1 : (len(text) if end is None else end + 1)]


def strings(value: Any) -> Iterator[str]:
    """Every string in a parsed value, map keys included (a key may be an expression)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


_PAIRS = {"(": ")", "{": "}", "[": "]"}


def closing(text: str, start: int) -> int | None:
    """The index of the bracket closing the one at ``start`` (None if unclosed), skipping quoted strings
    so that ``file(")")`` is one call."""
    opener, closer = text[start], _PAIRS[text[start]]
    depth = 0
    quote = False
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote = True
        elif ch == opener:
            depth += 1
        elif ch == closer:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None
