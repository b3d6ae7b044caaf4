"""One instance of a ``count`` resource drifted: give that instance its own value, keep the others'.

An argument ``size = E`` becomes ``size = count.index == N ? "live" : E``; ``tags = E`` becomes
``tags = count.index == N ? merge(E, { key = "live" }) : E`` with only the keys that changed. A second
instance drifting later gets its own branch in front of the chain; the same instance drifting again has
its branch rewritten. The argument is edited in the resource block itself, never where ``E`` comes from
(a variable shared by every instance is exactly what must stay as it is).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from reconciler.propose.edits.body import Body, Editor
from reconciler.propose.edits.patch import Declined
from reconciler.propose.edits.text import Attribute, ScanError, skip_blank, skip_bracketed, skip_string
from reconciler.propose.edits.values import key_text, parse_literal, render, scalar
from reconciler.workspace.addresses import parse_address

_TEST = re.compile(r"count\.index\s*==\s*([0-9]+)\s*\?\s*")
_TOKEN = re.compile(r"[^\s:?]+")


class _Branch(NamedTuple):
    """``count.index == instance ? <value> :`` in front of the argument's expression."""

    instance: int
    value_start: int
    value_end: int


class _Chain(NamedTuple):
    branches: list[_Branch]
    fallback: int  # where the shared expression starts


def instance_index(address: str) -> int | None:
    """``N`` of ``azurerm_x.y[N]``; None for any other key (for_each) or none."""
    try:
        key = parse_address(address).key
    except ValueError:
        return None
    return key if isinstance(key, int) and not isinstance(key, bool) else None


class Instance:
    """Edits for instance ``index`` of the resource whose body is ``body``."""

    def __init__(self, editor: Editor, body: Body, index: int) -> None:
        self.editor = editor
        self.body = body
        self.index = index

    def set_scalar(self, name: str, live: Any) -> None:
        if live is None:
            raise Declined(f"{self.body.where}.{name} is unset live; rules write a value per instance only")
        arg = self._argument(name)
        text = self.editor.text(self.body)
        chain = self._chain(text, arg, name)
        mine = next((b for b in chain.branches if b.instance == self.index), None)
        if mine is not None:
            old = text[mine.value_start : mine.value_end]
            self.editor.patch.replace(self.body.file, mine.value_start, mine.value_end, render(live, "", old))
            return
        fallback = text[chain.fallback : arg.value_end]
        value = render(live, "", fallback if parse_literal(fallback) is not None else None)
        self._prepend(arg, value)

    def set_tags(self, name: str, changes: dict[str, Any]) -> None:
        removed = sorted(k for k, v in changes.items() if v is None)
        if removed:
            raise Declined(
                f"{self.body.where}.{name}: {', '.join(removed)} removed live; "
                "rules only add or change keys for one instance"
            )
        if any(not isinstance(v, str) for v in changes.values()):
            raise Declined(f"{self.body.where}.{name}: live values are not all strings")
        arg = self._argument(name)
        text = self.editor.text(self.body)
        chain = self._chain(text, arg, name)
        base = text[chain.fallback : arg.value_end]
        mine = next((b for b in chain.branches if b.instance == self.index), None)
        if mine is not None:
            merged = _merged_object(text, mine, base)
            if merged is None:
                raise Declined(f"{self.body.where}.{name}: instance {self.index}'s branch is not simple")
            start, end, written = merged
            self.editor.patch.replace(self.body.file, start, end, _inline({**written, **changes}))
            return
        self._prepend(arg, f"merge({base}, {_inline(changes)})")

    def _argument(self, name: str) -> Attribute:
        arg = self.editor.argument(self.body, name)
        if arg is None:
            raise Declined(
                f"{self.body.where}.{name} is not written; rules give one instance its own value "
                "only for an argument that is"
            )
        return arg

    def _prepend(self, arg: Attribute, value: str) -> None:
        self.editor.patch.insert(self.body.file, arg.value_start, f"count.index == {self.index} ? {value} : ")

    def _chain(self, text: str, arg: Attribute, name: str) -> _Chain:
        """The ``count.index == M ? v :`` branches a previous edit wrote, and the shared rest."""
        branches: list[_Branch] = []
        pos = arg.value_start
        while (test := _TEST.match(text, pos, arg.value_end)) is not None:
            start = test.end()
            try:
                if text.startswith('"', start):
                    end = skip_string(text, start)
                elif text.startswith("merge(", start):
                    end = skip_bracketed(text, start + len("merge"))
                else:
                    token = _TOKEN.match(text, start, arg.value_end)
                    end = start if token is None else token.end()
            except ScanError:
                end = start
            colon = skip_blank(text, end, end=arg.value_end)
            if end == start or not text.startswith(":", colon):
                raise self._unusual(name)
            branches.append(_Branch(int(test.group(1)), start, end))
            pos = skip_blank(text, colon + 1, end=arg.value_end)
        if "count.index ==" in text[pos : arg.value_end] and "?" in text[pos : arg.value_end]:
            raise self._unusual(name)
        return _Chain(branches, pos)

    def _unusual(self, name: str) -> Declined:
        return Declined(f"{self.body.where}.{name} is a conditional on count.index that rules cannot extend")


def _merged_object(text: str, branch: _Branch, base: str) -> tuple[int, int, dict[str, Any]] | None:
    """In ``merge(<base>, { ... })``: where the object is and what it writes, when it is that simple."""
    written = text[branch.value_start : branch.value_end]
    prefix = f"merge({base}, "
    if not written.startswith(prefix) or not written.endswith(")"):
        return None
    start = branch.value_start + len(prefix)
    end = branch.value_end - 1
    literal = parse_literal(text[start:end])
    if literal is None or not isinstance(literal.value, dict):
        return None
    return start, end, literal.value


def _inline(values: dict[str, Any]) -> str:
    return "{ " + ", ".join(f"{key_text(k)} = {scalar(v)}" for k, v in sorted(values.items())) + " }"
