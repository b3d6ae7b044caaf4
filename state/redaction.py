"""Redaction by value: every known secret, however it is spelled, replaced by ``(sensitive)``.

Masking by path (``admin_password``, state's sensitive paths) hides a secret where it is expected. A secret
also travels where nobody expected it: Terraform quoting a value in an error, a tag set from a sensitive
variable, a tfvars line in a diff's context, a credential variable dumped by ``file("/proc/self/environ")``.
A :class:`Redactor` is built once per command from every secret the process knows and is applied at each
boundary where text leaves it: a validation step's detail, an LLM prompt, a report, a store write.

A secret is found as written and as string literals escape it (JSON, HCL's ``$${``, JSON inside JSON up
to three levels: a diagnostic quoting an answer quoting an edit). Values shorter than :data:`MIN_SECRET`
characters are never searched for: ``"dev"`` or ``"22"`` would be scrubbed out of every word and number
that contains them. Such values are masked by path only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from state.report import MASK

#: The shortest value redacted by value (see the module docstring).
MIN_SECRET = 6
_LEVELS = 3


class Redactor:
    """Scrubs a fixed set of secrets from text and from JSON-like values; its ``repr`` shows none."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = frozenset(s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET)
        spellings = {spelling for secret in self.secrets for spelling in _spellings(secret)}
        self._pattern = re.compile(_trie(spellings)) if spellings else None

    def __repr__(self) -> str:
        return f"Redactor({len(self.secrets)} secrets)"

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def with_secrets(self, more: Iterable[str]) -> Redactor:
        return Redactor(self.secrets | set(more))

    def redact(self, text: str) -> str:
        """``text`` with every spelling of every secret replaced by ``(sensitive)``."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)

    def scrub(self, value: Any) -> Any:
        """A JSON-like value with every string (keys too) redacted, and a number that is a secret masked."""
        if self._pattern is None:
            return value
        return self._scrub(value)

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {self.redact(str(k)): self._scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._scrub(v) for v in value]
        if isinstance(value, int | float) and not isinstance(value, bool) and str(value) in self.secrets:
            return MASK
        return value


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` without ``secrets`` (a one-off :class:`Redactor`)."""
    return Redactor(secrets).redact(text)


def _trie(words: Iterable[str]) -> str:
    """One expression matching any of ``words``, the longest where one extends another, shaped as a
    trie: at each position of a text the secrets sharing a prefix are tried once, not each in turn (a
    state with hundreds of access keys would otherwise cost hundreds of attempts per character)."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _branches(root)


def _branches(node: dict[str, Any]) -> str:
    branches = []
    for ch, child in sorted(node.items()):
        if ch == "":
            continue
        run = ch
        while len(child) == 1 and "" not in child:  # a chain without forks is one literal
            ((ch, child),) = child.items()
            run += ch
        branches.append(re.escape(run) + _branches(child))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    # A word ends here and longer ones go on: the greedy ? prefers the longer.
    return f"(?:{body})?" if "" in node else body


def _spellings(secret: str) -> set[str]:
    """The secret as written and as string literals escape it: JSON, HCL, and JSON inside JSON."""
    found = {secret}
    level = [secret]
    for _ in range(_LEVELS):
        level = [
            spelling
            for text in level
            for escaped in (json.dumps(text, ensure_ascii=False)[1:-1], json.dumps(text)[1:-1])
            for spelling in (escaped, escaped.replace("${", "$${").replace("%{", "%%{"))
        ]
        found.update(level)
    return found


def masked(values: Any, paths: Iterable[str]) -> tuple[Any, dict[str, Any]]:
    """A copy of ``values`` with the value at each dotted path (``admin_password``, ``tags.secret``,
    ``os_profile.0.password``) replaced by ``(sensitive)``, and the values it hid, by path."""
    paths = set(paths)
    if values is None or not paths:
        return values, {}
    copy = json.loads(json.dumps(values))
    hidden: dict[str, Any] = {}
    for path in sorted(paths, key=lambda p: p.count(".")):
        *parents, last = path.split(".")
        node = copy
        for step in parents:
            node = _child(node, step)
        if isinstance(node, dict) and node.get(last) not in (None, MASK):
            hidden[path] = node[last]
            node[last] = MASK
        elif (
            isinstance(node, list)
            and last.isdigit()
            and int(last) < len(node)
            and node[int(last)] is not None
        ):
            hidden[path] = node[int(last)]
            node[int(last)] = MASK
    return copy, hidden


def _child(node: Any, step: str) -> Any:
    if isinstance(node, dict):
        return node.get(step)
    if isinstance(node, list) and step.isdigit() and int(step) < len(node):
        return node[int(step)]
    return None
