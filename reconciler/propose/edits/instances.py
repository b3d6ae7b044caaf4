"""One instance of a ``count`` or ``for_each`` resource drifted: it gets its own value, the rest keep theirs.

The instance is named by a test: ``count.index == N`` or ``each.key == "k"``. An argument ``size = E``
becomes ``size = <test> ? "live" : E``; ``tags = E`` becomes ``tags = <test> ? merge(E, { key = "live" }) :
E`` with only the keys that changed. A second instance drifting later gets its own branch in front of the
chain; the same instance drifting again has its branch rewritten. Arguments of nested blocks work alike.
A nested block gone on one instance becomes ``dynamic "x" { for_each = <test> ? [] : [1] content { ... } }``
(one that appeared on one instance: ``<test> ? [1] : []``), when the block is written once, literally.
The argument is edited in the resource block itself, never where ``E`` comes from (a variable shared by
every instance is exactly what must stay as it is).
"""

from __future__ import annotations

import re
from typing import Any
from typing import NamedTuple

from providers.azure.mapping.schema import Block
from reconciler.propose.edits.body import Body
from reconciler.propose.edits.body import Editor
from reconciler.propose.edits.body import render_block
from reconciler.propose.edits.maps import inline
from reconciler.propose.edits.maps import merge_arguments
from reconciler.propose.edits.patch import Declined
from reconciler.propose.edits.text import Attribute
from reconciler.propose.edits.text import Nested
from reconciler.propose.edits.text import ScanError
from reconciler.propose.edits.text import indent_of
from reconciler.propose.edits.text import line_end
from reconciler.propose.edits.text import line_start
from reconciler.propose.edits.text import skip_blank
from reconciler.propose.edits.text import skip_bracketed
from reconciler.propose.edits.text import skip_string
from reconciler.propose.edits.values import parse_literal
from reconciler.propose.edits.values import render
from reconciler.workspace.addresses import Key
from reconciler.workspace.addresses import parse_address
from reconciler.workspace.addresses import quote

_TEST = re.compile(r'(?:count\.index\s*==\s*([0-9]+)|each\.key\s*==\s*("(?:[^"\\]|\\.)*"))\s*\?\s*')
_ANY_TEST = re.compile(r"(?:count\.index|each\.key)\s*==")
_TOKEN = re.compile(r"[^\s:?]+")


class _Branch(NamedTuple):
    """``<test> ? <value> :`` in front of the argument's expression."""

    key: Key
    value_start: int
    value_end: int


class _Chain(NamedTuple):
    branches: list[_Branch]
    fallback: int  # where the shared expression starts


def instance_key(address: str) -> Key | None:
    """``N`` of ``azurerm_x.y[N]``, ``"k"`` of ``azurerm_x.y["k"]``; None without a key."""
    try:
        return parse_address(address).key
    except ValueError:
        return None


def condition(key: Key) -> str:
    """The test that is true for instance ``key`` only."""
    return f"count.index == {key}" if isinstance(key, int) else f"each.key == {quote(key)}"


class Instance:
    """Edits for instance ``key`` of a resource, in its body or its nested blocks' bodies."""

    def __init__(self, editor: Editor, key: Key) -> None:
        self.editor = editor
        self.key = key
        self.test = condition(key)

    def set_scalar(self, body: Body, name: str, live: Any) -> None:
        if live is None:
            raise Declined(f"{body.where}.{name} is unset live; rules write a value per instance only")
        arg = self.editor.argument(body, name)
        if arg is None:
            # Not written: the others keep what leaving it out means.
            self.editor.add_attribute(body, name, f"{self.test} ? {render(live, '')} : null")
            return
        text = self.editor.text(body)
        chain = self._chain(body, text, arg, name)
        mine = next((b for b in chain.branches if b.key == self.key), None)
        if mine is not None:
            old = text[mine.value_start : mine.value_end]
            self.editor.patch.replace(body.file, mine.value_start, mine.value_end, render(live, "", old))
            return
        fallback = text[chain.fallback : arg.value_end]
        value = render(live, "", fallback if parse_literal(fallback) is not None else None)
        self._prepend(body, arg, value)

    def set_tags(self, body: Body, name: str, changes: dict[str, Any]) -> None:
        removed = sorted(k for k, v in changes.items() if v is None)
        if removed:
            raise Declined(
                f"{body.where}.{name}: {', '.join(removed)} removed live; "
                "rules only add or change keys for one instance"
            )
        if any(not isinstance(v, str) for v in changes.values()):
            raise Declined(f"{body.where}.{name}: live values are not all strings")
        arg = self.editor.argument(body, name)
        if arg is None:
            raise Declined(
                f"{body.where}.{name} is not written; rules give one instance its own value "
                "only for an argument that is"
            )
        text = self.editor.text(body)
        chain = self._chain(body, text, arg, name)
        mine = next((b for b in chain.branches if b.key == self.key), None)
        if mine is not None:
            merged = _merged_object(text, mine)
            if merged is None:
                raise Declined(f"{body.where}.{name}: the branch for {self.test} is not simple")
            start, end, written = merged
            self.editor.patch.replace(body.file, start, end, inline({**written, **changes}))
            return
        self._prepend(body, arg, _merged(text, chain.fallback, arg.value_end, inline(changes)))

    # -- nested blocks on one instance ------------------------------------------------------------------

    def drop_block(self, body: Body, nested: Nested) -> None:
        """The block written once is gone on this instance: a ``dynamic`` block without it there."""
        text = self.editor.text(body)
        if nested.labels:
            raise Declined(f"{body.where}.{nested.type} has labels")
        if "<<" in text[nested.open : nested.close]:
            raise Declined(f"{body.where}.{nested.type} holds a heredoc; rules do not re-indent it")
        content = ""
        if text[nested.open + 1 : nested.close].strip():
            if (
                text[nested.open + 1 : line_end(text, nested.open)].strip()
                or text[line_start(text, nested.close) : nested.close].strip()
            ):
                raise Declined(f"{body.where}.{nested.type}: its braces share lines with what is inside")
            lines = text[line_end(text, nested.open) : line_start(text, nested.close)].replace("\r\n", "\n")
            # One level deeper, inside content { }; blank lines stay blank.
            content = "".join(
                "  " + line if line.strip() else line.lstrip(" \t")
                for line in lines.splitlines(keepends=True)
            )
        indent = indent_of(text, nested.start)
        inner = f"{indent}  content {{\n{content}{indent}  }}" if content else f"{indent}  content {{}}"
        self.editor.patch.replace(
            body.file,
            nested.start,
            nested.close + 1,
            f'dynamic "{nested.type}" {{\n{indent}  for_each = {self.test} ? [] : [1]\n{inner}\n{indent}}}',
        )

    def add_block(self, body: Body, block: Block, element: dict[str, Any]) -> None:
        """A block that appeared on this instance only: a ``dynamic`` block there and nowhere else."""
        text = self.editor.text(body)
        items = self.editor.items(body)
        indent = indent_of(text, items[0].start) if items else indent_of(text, body.open) + "  "
        content = render_block("content", block.items, element, indent + "  ")
        self.editor.add_block(
            body,
            "dynamic",
            f'{indent}dynamic "{block.name}" {{\n{indent}  for_each = {self.test} ? [1] : []\n'
            f"{content}{indent}}}\n",
        )

    # -- the chain of tests in front of an argument -----------------------------------------------------

    def _prepend(self, body: Body, arg: Attribute, value: str) -> None:
        self.editor.patch.insert(body.file, arg.value_start, f"{self.test} ? {value} : ")

    def _chain(self, body: Body, text: str, arg: Attribute, name: str) -> _Chain:
        """The ``<test> ? v :`` branches a previous edit wrote, and the shared rest."""
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
                raise self._unusual(body, name)
            branches.append(_Branch(_key(test), start, end))
            pos = skip_blank(text, colon + 1, end=arg.value_end)
        rest = text[pos : arg.value_end]
        if _ANY_TEST.search(rest) and "?" in rest:
            raise self._unusual(body, name)
        return _Chain(branches, pos)

    def _unusual(self, body: Body, name: str) -> Declined:
        return Declined(f"{body.where}.{name} is a conditional on the instance that rules cannot extend")


def _merged(text: str, start: int, end: int, extra: str) -> str:
    """``merge(<E>, extra)``; a ``merge(a, b)`` written there gets ``extra`` as one more argument."""
    base = text[start:end]
    if base.startswith("merge(") and merge_arguments(text, start, end):
        return f"{base[:-1].rstrip().rstrip(',')}, {extra})"
    return f"merge({base}, {extra})"


def _key(test: re.Match[str]) -> Key:
    if test.group(1) is not None:
        return int(test.group(1))
    literal = parse_literal(test.group(2))
    return str(literal.value) if literal is not None else test.group(2)


def _merged_object(text: str, branch: _Branch) -> tuple[int, int, dict[str, Any]] | None:
    """In a branch ``merge(<base>, { ... })``: where the object is and what it writes, when it is that
    simple."""
    if not text.startswith("merge(", branch.value_start):
        return None
    args = merge_arguments(text, branch.value_start, branch.value_end)
    if args is None or len(args) < 2:
        return None
    start, end = args[-1]
    literal = parse_literal(text[start:end])
    if literal is None or not isinstance(literal.value, dict):
        return None
    return start, end, literal.value
