"""What a configuration says, statically: literals, ``var.x``, ``local.y``, ``count.index``, templates.

The pre-commit check must answer "does the staged configuration already say what the cloud now holds?"
without Terraform (no plan, no cloud call, well under a second). Bodies arrive as the workspace loader
gives them: literals as Python values, expressions as ``"${...}"`` text. What this module can follow is
followed: a variable to its winning ``*.tfvars`` entry, a ``TF_VAR_`` variable or its default (in a
module, to the calling block's argument), a local to its expression, ``count.index`` / ``each.key`` to the
instance's key (``each.value`` to its element of the resource's ``for_each``), and string templates made
of those. Conditionals, comparisons, arithmetic, collections and a few pure functions (``merge``,
``lookup``, …) go to :mod:`.terms`, on python-hcl2's parse tree. Anything else (another resource's
attribute, other functions) is an :class:`Unknown` carrying its source text, so the caller can say so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from typing import NamedTuple

from reconciler.guard import terms
from reconciler.guard.values import ABSENT
from reconciler.guard.values import Absent
from reconciler.guard.values import Unknown
from reconciler.guard.values import step_into
from reconciler.policy.expressions import closing
from reconciler.workspace import Configuration
from reconciler.workspace import ModuleCall
from reconciler.workspace.addresses import Key
from reconciler.workspace.addresses import ResourceAddress

_MAX_HOPS = 8
_REFERENCE = re.compile(r"(var|local|count|each)\.([A-Za-z_][\w-]*)")
_STEP = re.compile(r'\s*(?:\.([A-Za-z_][\w-]*)|\[\s*(-?[0-9]+)\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\])')
#: any var./local. reference inside an expression, for tracing what feeds a block
REFERENCES = re.compile(r"(?<![\w.-])(var|local)\.([A-Za-z_][\w-]*)")


class Scope(NamedTuple):
    """Where an expression is evaluated: a module instance, and the resource instance's key."""

    module: tuple[tuple[str, Key | None], ...]  # (name, instance key) per module step
    key: Key | None = None  # count.index / each.key of the resource instance, where known
    for_each: Any = None  # the resource's raw for_each expression, for each.value

    @classmethod
    def of(cls, address: ResourceAddress, for_each: Any = None) -> Scope:
        return cls(tuple((m.name, m.key) for m in address.module), address.key, for_each)

    @property
    def module_path(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.module)

    def parent(self) -> Scope:
        """The scope a module call's arguments are evaluated in: its caller, keyed by the call's key."""
        return Scope(self.module[:-1], self.module[-1][1] if self.module else None)


class Evaluator:
    """Evaluates raw body values of one workspace's configuration; records where values came from."""

    def __init__(self, config: Configuration, environ: Mapping[str, str]) -> None:
        self.config = config
        self.environ = environ
        self.via: list[str] = []  # "var.vm_size = terraform.tfvars:4", in the order followed

    def value(self, raw: Any, scope: Scope, hops: int = 0) -> Any:
        """``raw`` with every expression evaluated, or replaced by :class:`Unknown` where it cannot be."""
        if isinstance(raw, str):
            return self._string(raw, scope, hops) if "${" in raw or "%{" in raw else raw
        if isinstance(raw, list):
            return [self.value(item, scope, hops) for item in raw]
        if isinstance(raw, dict):
            return {k: self.value(v, scope, hops) for k, v in raw.items()}
        return raw

    def dynamic(self, raw: Any, name: str, scope: Scope) -> Any:
        """The blocks a ``dynamic "name"`` block makes (``raw``: the body's ``dynamic`` list), one per
        element of its ``for_each``; :data:`ABSENT` when there is none. Content using the iterator
        (``name.value``) is unknown; the number of blocks is known when the ``for_each`` is."""
        for entry in raw if isinstance(raw, list) else ():
            if not (isinstance(entry, dict) and isinstance(entry.get(name), dict)):
                continue
            spec = entry[name]
            items = self.value(spec.get("for_each"), scope)
            if not isinstance(items, list | dict):
                return Unknown(f'dynamic "{name}"')
            contents = spec.get("content")
            content = contents[0] if isinstance(contents, list) and contents else {}
            return [self.value(content, scope) for _ in range(len(items))]
        return ABSENT

    # -- templates and expressions --------------------------------------------------------------------

    def _string(self, raw: str, scope: Scope, hops: int) -> Any:
        parts = _template_parts(raw)
        if parts is None:
            return Unknown(raw)
        if len(parts) == 1 and isinstance(parts[0], Interpolation):
            return self.expression(parts[0].expression, scope, hops)
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.expression(part.expression, scope, hops)
            if value is None or isinstance(value, Unknown | Absent | list | dict):
                return Unknown(raw)
            out.append(_as_text(value))
        return "".join(out)

    def expression(self, text: str, scope: Scope, hops: int = 0) -> Any:
        """The value of an expression; :class:`Unknown` where only Terraform could compute it."""
        expr = text.strip()
        if hops >= _MAX_HOPS:
            return Unknown(expr)
        head = _REFERENCE.match(expr)
        if head is None:
            return self._term(expr, scope, hops)
        kind, name = head.groups()
        steps: list[str | int] = []
        pos = head.end()
        while pos < len(expr):
            step = _STEP.match(expr, pos)
            if step is None:
                return self._term(expr, scope, hops)
            attr, index, key = step.groups()
            steps.append(attr if attr is not None else int(index) if index is not None else _unquote(key))
            pos = step.end()
        value = self._reference(kind, name, scope, hops)
        for s in steps:
            value = step_into(value, s)
        return Unknown(expr) if isinstance(value, Absent) else value

    def _term(self, expr: str, scope: Scope, hops: int) -> Any:
        """Anything but a plain reference (the common case, read without a parser)."""
        return terms.evaluate(expr, lambda kind, name: self._reference(kind, name, scope, hops + 1))

    def _reference(self, kind: str, name: str, scope: Scope, hops: int) -> Any:
        if kind == "count":
            ok = name == "index" and isinstance(scope.key, int)
            return scope.key if ok else Unknown(f"count.{name}")
        if kind == "each":
            if name == "key" and scope.key is not None:
                return scope.key
            if name == "value" and scope.key is not None and scope.for_each is not None:
                # The for_each collection, evaluated where the resource is (it cannot use each.*).
                collection = self.value(scope.for_each, scope._replace(key=None, for_each=None), hops + 1)
                if isinstance(collection, dict):
                    return collection.get(str(scope.key), Unknown("each.value"))
                if isinstance(collection, list) and scope.key in collection:
                    return scope.key  # a set of strings: each.value is each.key
            return Unknown(f"each.{name}")
        if kind == "local":
            return self._local(name, scope, hops)
        return self.variable(name, scope, hops)

    def _local(self, name: str, scope: Scope, hops: int) -> Any:
        path = scope.module_path
        local = next((x for x in self.config.locals if x.name == name and x.module_path == path), None)
        if local is None:
            return Unknown(f"local.{name}")
        self.via.append(f"local.{name} = {local.file}:{local.line}")
        # Locals cannot use count.index: they are evaluated once per module instance.
        return self.value(local.value, scope._replace(key=None), hops + 1)

    def variable(self, name: str, scope: Scope, hops: int = 0) -> Any:
        """The value Terraform gives ``var.name`` in ``scope`` (without -var flags, which no file shows)."""
        var = self.config.variable(name, scope.module_path)
        if var is None:
            return Unknown(f"var.{name}")
        if var.sensitive:
            return Unknown(f"var.{name} (sensitive)")  # a secret is never read, let alone shown
        if scope.module:
            call = module_call(self.config, scope.module_path)
            if call is not None and name in call.body:
                self.via.append(f"var.{name} = argument of {call.address} at {call.file}:{call.line}")
                return self.value(call.body[name], scope.parent(), hops + 1)
        else:
            entry = self.config.tfvar(name)
            if entry is not None:
                self.via.append(f"var.{name} = {entry.file}:{entry.line}")
                return self.value(entry.value, scope, hops + 1)
            env = self.environ.get(f"TF_VAR_{name}")
            if env is not None:
                self.via.append(f"var.{name} = TF_VAR_{name}")
                return env if var.type in (None, "string") else Unknown(f"TF_VAR_{name}")
        if var.has_default:
            line = var.default_span.line if var.default_span else var.line
            self.via.append(f"var.{name} = its default, {var.file}:{line}")
            return self.value(var.default, scope, hops + 1)
        return Unknown(f"var.{name} (no value in any file)")


def module_call(config: Configuration, module_path: tuple[str, ...]) -> ModuleCall | None:
    """The ``module`` block that instantiates ``module_path``."""
    return next(
        (c for c in config.modules if c.module_path == module_path[:-1] and c.name == module_path[-1]), None
    )


# -- template parsing ---------------------------------------------------------------------------------


class Interpolation(NamedTuple):
    expression: str


def _template_parts(text: str) -> list[str | Interpolation] | None:
    """Literal text and ``${...}`` interpolations; None for directives (``%{``) or unbalanced braces."""
    parts: list[str | Interpolation] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("$${", i) or text.startswith("%%{", i):
            literal.append(text[i] + "{")
            i += 3
            continue
        if text.startswith("%{", i):
            return None
        if text.startswith("${", i):
            end = closing(text, i + 1)
            if end is None:
                return None
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(Interpolation(text[i + 2 : end]))
            i = end + 1
            continue
        literal.append(text[i])
        i += 1
    if literal:
        parts.append("".join(literal))
    return parts


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unquote(key: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), key)
