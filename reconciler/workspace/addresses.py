"""Terraform resource addresses, written exactly as Terraform writes them.

``azurerm_x.y``, ``data.azurerm_x.y``, ``azurerm_x.y[0]``, ``azurerm_x.y["key"]``,
``module.net.azurerm_subnet.this``, ``module.a["k"].module.b[1].azurerm_x.y``. String keys use HCL's quoting
(Terraform's ``toHCLQuotedString``): ``"`` and ``\\`` escaped, ``\\n \\r \\t``, ``${`` and ``%{`` doubled to
``$${`` and ``%%{``, other unprintable characters as ``\\uXXXX``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

Key = int | str

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\"}
_UNESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_PLAIN = re.compile(r'[^"\\$%]*')
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class ModuleStep(NamedTuple):
    """One ``module.NAME[KEY]`` step of a module instance address."""

    name: str
    key: Key | None = None


class ResourceAddress(NamedTuple):
    """A parsed resource (instance) address; ``str()`` gives Terraform's spelling back."""

    module: tuple[ModuleStep, ...]
    mode: str  # "managed" or "data"
    type: str
    name: str
    key: Key | None = None

    def __str__(self) -> str:
        return format_address(format_module(self.module), self.mode, self.type, self.name, self.key)

    @property
    def module_path(self) -> tuple[str, ...]:
        """Module names without instance keys, e.g. ``("net", "sub")``."""
        return tuple(step.name for step in self.module)

    @property
    def config_address(self) -> str:
        """The address of the configuration block: no instance keys anywhere."""
        return config_address(self.module_path, self.mode, self.type, self.name)


def quote(text: str) -> str:
    """``text`` as an HCL quoted string, the way Terraform prints instance keys."""
    if _PLAIN.fullmatch(text) and text.isprintable():
        return f'"{text}"'  # the usual key; state files can hold many thousands
    out = ['"']
    for i, ch in enumerate(text):
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch in "$%":
            out.append(ch * 2 if text[i + 1 : i + 2] == "{" else ch)
        elif not ch.isprintable():
            out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def format_key(key: Key | None) -> str:
    """``[0]``, ``["key"]``, or nothing for a resource without count or for_each."""
    if key is None:
        return ""
    # bool is an int to Python, never a key to Terraform.
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    return f"[{quote(str(key))}]"


def format_module(steps: tuple[ModuleStep, ...]) -> str:
    return ".".join(f"module.{s.name}{format_key(s.key)}" for s in steps)


def format_address(module: str, mode: str, type_: str, name: str, key: Key | None = None) -> str:
    """A resource instance address from its parts; ``module`` is e.g. ``module.net[0]`` or ``""``."""
    local = f"{'data.' if mode == 'data' else ''}{type_}.{name}{format_key(key)}"
    return f"{module}.{local}" if module else local


def config_address(module_path: tuple[str, ...], mode: str, type_: str, name: str) -> str:
    """A configuration block's address: ``module.a.module.b.azurerm_x.y``."""
    return format_address(".".join(f"module.{m}" for m in module_path), mode, type_, name)


def parse_address(text: str) -> ResourceAddress:
    """Parse a resource or resource instance address; raises ``ValueError`` if it is not one."""
    parser = _Parser(text)
    module: list[ModuleStep] = []
    while parser.peek_word("module"):
        parser.expect_word("module")
        parser.expect(".")
        name = parser.name()
        module.append(ModuleStep(name, parser.key()))
        parser.expect(".")
    mode = "managed"
    if parser.peek_word("data"):
        parser.expect_word("data")
        parser.expect(".")
        mode = "data"
    type_ = parser.name()
    parser.expect(".")
    name = parser.name()
    key = parser.key()
    parser.end()
    return ResourceAddress(tuple(module), mode, type_, name, key)


def parse_module(text: str) -> tuple[ModuleStep, ...]:
    """Parse a module instance address such as ``module.net[0].module.sub``; ``""`` is the root."""
    if not text:
        return ()
    parser = _Parser(text)
    steps: list[ModuleStep] = []
    while True:
        parser.expect_word("module")
        parser.expect(".")
        name = parser.name()
        steps.append(ModuleStep(name, parser.key()))
        if parser.at_end():
            return tuple(steps)
        parser.expect(".")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> ValueError:
        return ValueError(f"not a resource address: {self.text!r} ({what} at offset {self.pos})")

    def at_end(self) -> bool:
        return self.pos == len(self.text)

    def end(self) -> None:
        if not self.at_end():
            raise self.fail("unexpected text")

    def peek_word(self, word: str) -> bool:
        # "module." and "data." are keywords only when a dot follows; a type may start with them.
        return self.text.startswith(word + ".", self.pos)

    def expect_word(self, word: str) -> None:
        if not self.text.startswith(word, self.pos):
            raise self.fail(f"expected {word!r}")
        self.pos += len(word)

    def expect(self, ch: str) -> None:
        if self.text[self.pos : self.pos + 1] != ch:
            raise self.fail(f"expected {ch!r}")
        self.pos += 1

    def name(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.fail("expected a name")
        self.pos = match.end()
        return match.group()

    def key(self) -> Key | None:
        if self.text[self.pos : self.pos + 1] != "[":
            return None
        self.pos += 1
        if self.text[self.pos : self.pos + 1] == '"':
            key: Key = self.string()
        else:
            digits = re.compile(r"-?[0-9]+").match(self.text, self.pos)
            if digits is None:
                raise self.fail("expected a key")
            self.pos = digits.end()
            key = int(digits.group())
        self.expect("]")
        return key

    def string(self) -> str:
        self.expect('"')
        out: list[str] = []
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == '"':
                self.pos += 1
                return "".join(out)
            if ch == "\\":
                out.append(self._escape())
                continue
            if ch in "$%" and text.startswith(ch * 2 + "{", self.pos):
                out.append(ch)
                self.pos += 2
                continue
            out.append(ch)
            self.pos += 1
        raise self.fail("unterminated string")

    def _escape(self) -> str:
        marker = self.text[self.pos + 1 : self.pos + 2]
        if marker in _UNESCAPES:
            self.pos += 2
            return _UNESCAPES[marker]
        width = {"u": 4, "U": 8}.get(marker)
        digits = self.text[self.pos + 2 : self.pos + 2 + (width or 0)]
        if width is None or len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise self.fail("bad escape")
        self.pos += 2 + width
        return chr(int(digits, 16))
