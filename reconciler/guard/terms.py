"""HCL expressions beyond a plain reference, evaluated statically on python-hcl2's parse tree.

reconcile's own codify edits write conditionals (``count.index == 1 ? "Standard_B2s" : var.vm_size``,
``each.key == "web" ? … : …``) and merges (``merge(local.tags, { owner = "alice" })``); the pre-commit
check must read them as Terraform would, or every instance of a codified resource would look unknown.
This covers literals, strings with interpolations, tuples and objects, attribute and index steps,
``!``/``-``, arithmetic, comparisons, ``&&``/``||``, conditionals (only the chosen branch is evaluated,
as in Terraform) and the pure functions in :data:`FUNCTIONS`. References (``var.``, ``local.``,
``count.``, ``each.``) are resolved by the caller; anything else (another resource's attribute, an
unlisted function, a ``for`` expression, a splat) is :class:`Unknown`, and so is any expression using it.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

import hcl2
from lark import Token
from lark import Tree
from lark.exceptions import LarkError

from reconciler.guard.values import Absent
from reconciler.guard.values import Unknown
from reconciler.guard.values import step_into

#: resolves ``kind.name`` (kind: var, local, count, each) to a value, or Unknown
Resolve = Callable[[str, str], Any]


class _Unknowable(Exception):
    """Raised inside the walk: some part of the expression is only known to Terraform."""


def evaluate(text: str, resolve: Resolve) -> Any:
    """The value of the HCL expression ``text``; :class:`Unknown` (with ``text``) where it cannot be known."""
    try:
        tree = hcl2.parses_to_tree(f"x = {text}\n")
        attribute = tree.children[0].children[0]
        node = attribute.children[-1]
        value = _Walk(resolve).value(node)
    except (_Unknowable, LarkError, ValueError, TypeError, ArithmeticError, RecursionError):
        return Unknown(text)
    except (AttributeError, IndexError, KeyError):  # a tree shape this walk does not know: no guess
        return Unknown(text)
    return Unknown(text) if isinstance(value, Absent) else value


def _merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        if m is None:
            continue
        if not isinstance(m, dict):
            raise TypeError("merge of a non-map")
        out.update(m)
    return out


def _lookup(m: Any, key: Any, *default: Any) -> Any:
    if not isinstance(m, dict) or len(default) > 1:
        raise TypeError("lookup")
    if str(key) in m:
        return m[str(key)]
    if default:
        return default[0]
    raise _Unknowable  # Terraform fails the plan: not a value to compare


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    raise TypeError("not a primitive")


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise TypeError("a bool is not a number")
    number = float(value)
    return int(number) if number.is_integer() else number


def _coalesce(*values: Any) -> Any:
    return next((v for v in values if v is not None and v != ""), None)


#: the functions evaluated statically: pure, and what configurations and reconcile's edits use
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "merge": _merge,
    "lookup": _lookup,
    "tostring": _text,
    "tonumber": _number,
    "lower": lambda s: _string_arg(s).lower(),
    "upper": lambda s: _string_arg(s).upper(),
    "coalesce": _coalesce,
    "concat": lambda *lists: [x for items in lists for x in _list_arg(items)],
    "length": lambda v: len(v) if isinstance(v, str | list | dict) else _fail(),
}

_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": operator.mod,
}
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def _fail() -> Any:
    raise TypeError("unsupported")


def _string_arg(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _list_arg(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value


class _Walk:
    def __init__(self, resolve: Resolve) -> None:
        self.resolve = resolve

    def value(self, node: Tree[Any] | Token) -> Any:
        if isinstance(node, Token):
            raise _Unknowable
        kind = node.data
        parts = [c for c in node.children if not (isinstance(c, Tree) and c.data == "new_line_or_comment")]
        if kind == "expr_term":
            inner = [c for c in parts if isinstance(c, Tree)]
            if len(inner) != 1:
                raise _Unknowable
            return self.value(inner[0])
        if kind == "int_lit":
            return int(str(parts[0]))
        if kind == "float_lit":
            return _number(str(parts[0]))
        if kind == "literal_value":
            return {"true": True, "false": False, "null": None}[str(parts[0])]
        if kind == "string":
            return self._string(parts)
        if kind == "tuple":
            return [self.value(c) for c in parts if isinstance(c, Tree)]
        if kind == "object":
            return dict(self._element(c) for c in parts if isinstance(c, Tree) and c.data == "object_elem")
        if kind in ("get_attr_expr_term", "index_expr_term"):
            return self._traversal(node)
        if kind == "conditional":
            condition, yes, no = (c for c in parts if isinstance(c, Tree))
            chosen = self.value(condition)
            if not isinstance(chosen, bool):
                raise _Unknowable
            return self.value(yes if chosen else no)
        if kind == "binary_op":
            return self._binary(parts)
        if kind == "unary_op":
            sign, operand = str(parts[0]), self.value(parts[1])
            if sign == "!":
                if not isinstance(operand, bool):
                    raise _Unknowable
                return not operand
            return -_number(operand)
        if kind == "function_call":
            return self._call(parts)
        raise _Unknowable  # identifiers alone, for expressions, splats, heredocs, provider functions

    def _string(self, parts: list[Any]) -> str:
        out: list[str] = []
        for part in parts:
            if not (isinstance(part, Tree) and part.data == "string_part"):
                continue  # the quotes
            [piece] = part.children
            if isinstance(piece, Token):
                text = str(piece)
                if piece.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    out.append(text[1:])  # $${ is a literal ${
                else:
                    out.append(_ESCAPE.sub(_unescape, text))
            elif piece.data == "interpolation":
                [inner] = [c for c in piece.children if isinstance(c, Tree)]
                out.append(_text(self.value(inner)))
            else:
                raise _Unknowable  # a template directive
        return "".join(out)

    def _element(self, elem: Tree[Any]) -> tuple[str, Any]:
        key_node, value_node = (c for c in elem.children if isinstance(c, Tree))
        key_expr = next((c for c in key_node.children if isinstance(c, Tree)), None)
        if key_expr is None:  # a keyword used as a key
            return str(key_node.children[0]), self.value(value_node)
        bare = key_expr.children[0] if key_expr.data == "expr_term" and len(key_expr.children) == 1 else None
        if isinstance(bare, Tree) and bare.data == "identifier":
            key = str(bare.children[0])  # `{ owner = … }`: the name itself
        else:
            key = _text(self.value(key_expr))
        return key, self.value(value_node)

    def _traversal(self, node: Tree[Any]) -> Any:
        """``root.step[index]…``: a reference the caller resolves, or a literal's element."""
        steps: list[Tree[Any]] = []
        while isinstance(node, Tree) and node.data in ("get_attr_expr_term", "index_expr_term"):
            base, step = node.children
            steps.append(step)
            node = base
        steps.reverse()
        root = node.children[0] if isinstance(node, Tree) and node.data == "expr_term" else None
        if isinstance(root, Tree) and root.data == "identifier":
            kind = str(root.children[0])
            if kind not in ("var", "local", "count", "each") or not steps or steps[0].data != "get_attr":
                raise _Unknowable  # another resource, a data source, a module output, path/terraform
            value = self.resolve(kind, str(self._step(steps[0])))
            steps = steps[1:]
        else:
            value = self.value(node)
        for step in steps:
            value = step_into(value, self._step(step))
        if isinstance(value, Unknown | Absent):
            raise _Unknowable
        return value

    def _step(self, step: Tree[Any]) -> str | int:
        if step.data == "get_attr":
            return str(step.children[-1].children[0])
        if step.data == "short_index":
            return int(str(step.children[-1]))
        [inner] = [c for c in step.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        key = self.value(inner)
        if isinstance(key, bool) or not isinstance(key, int | float | str):
            raise _Unknowable
        return int(key) if isinstance(key, int | float) else key

    def _binary(self, parts: list[Any]) -> Any:
        left_node, term = parts
        op = str(term.children[0].children[0])
        right_node = next(
            c for c in term.children[1:] if isinstance(c, Tree) and c.data != "new_line_or_comment"
        )
        left = self.value(left_node)
        if op in ("&&", "||"):
            if not isinstance(left, bool):
                raise _Unknowable
            if (op == "&&" and not left) or (op == "||" and left):
                return left
            right = self.value(right_node)
            if not isinstance(right, bool):
                raise _Unknowable
            return right
        right = self.value(right_node)
        if op in ("==", "!="):
            same = _equal(left, right)
            return same if op == "==" else not same
        if op in _ORDER:
            return _ORDER[op](_number(left), _number(right))
        return _number(_ARITHMETIC[op](_number(left), _number(right)))

    def _call(self, parts: list[Any]) -> Any:
        name = str(parts[0].children[0])
        function = FUNCTIONS.get(name)
        if function is None or any(isinstance(p, Token) and p.type == "COLONS" for p in parts):
            raise _Unknowable
        arguments = next((p for p in parts if isinstance(p, Tree) and p.data == "arguments"), None)
        if arguments is not None and any(
            isinstance(c, Token) and c.type == "ELLIPSIS" for c in arguments.children
        ):
            raise _Unknowable  # f(list...) expands at plan time
        values = [
            self.value(c)
            for c in (arguments.children if arguments is not None else ())
            if isinstance(c, Tree) and c.data != "new_line_or_comment"
        ]
        return function(*values)


def _equal(left: Any, right: Any) -> bool:
    """Terraform's ``==``: same type and value (1 == 1.0, but 1 != "1")."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return float(left) == float(right)
    return type(left) is type(right) and bool(left == right)


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "uU" and len(code) > 1:
        return chr(int(code[1:], 16))
    return {"n": "\n", "t": "\t", "r": "\r"}.get(code, code)


__all__ = ["FUNCTIONS", "evaluate"]
