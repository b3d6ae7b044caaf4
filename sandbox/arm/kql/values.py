"""KQL's dynamic values: how they print, compare, sort and group, and the operators and functions over them.

A missing property is null; comparing null yields null (neither true nor false); booleans and numbers
never compare equal. The tables here name every operator and function the language knows: the lexer and
parser accept exactly these names, the evaluator applies them.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

Compare = Callable[[Any, Any], bool | None]


def text(value: Any) -> str:
    """KQL's tostring(): null is the empty string, dynamic values are compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def same(a: Any, b: Any) -> bool:
    # Python says True == 1; KQL keeps booleans and numbers apart.
    return isinstance(a, bool) == isinstance(b, bool) and bool(a == b)


def same_ci(a: Any, b: Any) -> bool:
    return text(a).lower() == text(b).lower()


def has(a: Any, b: Any) -> bool:
    # `has` matches whole terms (runs of ASCII letters and digits), not arbitrary substrings.
    needle = text(b).lower()
    pattern = re.escape(needle)
    if needle[:1].isalnum():
        pattern = r"(?<![0-9a-z])" + pattern
    if needle[-1:].isalnum():
        pattern += r"(?![0-9a-z])"
    return re.search(pattern, text(a).lower()) is not None


def negate(test: Compare) -> Compare:
    def negated(a: Any, b: Any) -> bool | None:
        result = test(a, b)
        return None if result is None else not result

    return negated


def ordered(test: Callable[[Any, Any], bool]) -> Compare:
    """An ordering comparison: numbers with numbers, strings with strings, anything else is null."""

    def compare(a: Any, b: Any) -> bool | None:
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
        if numeric or (isinstance(a, str) and isinstance(b, str)):
            return test(a, b)
        return None

    return compare


def freeze(values: list[Any]) -> str:
    """A grouping key. Group keys may hold dicts and lists; JSON keeps 1, "1" and true distinct."""
    return json.dumps(values, sort_keys=True, default=str)


def sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (0, value)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, text(value))


def step(value: Any, key: str | int) -> Any:
    """One step down a property path (``.name`` or ``[index]``); null when it leads nowhere."""
    if isinstance(value, Mapping) and isinstance(key, str):
        return value.get(key)
    if isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
        return value[key]
    return None


STRING_TESTS: dict[str, Compare] = {
    "contains": lambda a, b: text(b).lower() in text(a).lower(),
    "contains_cs": lambda a, b: text(b) in text(a),
    "startswith": lambda a, b: text(a).lower().startswith(text(b).lower()),
    "startswith_cs": lambda a, b: text(a).startswith(text(b)),
    "endswith": lambda a, b: text(a).lower().endswith(text(b).lower()),
    "endswith_cs": lambda a, b: text(a).endswith(text(b)),
    "has": has,
}
COMPARISONS: dict[str, Compare] = {
    "==": same,
    "!=": negate(same),
    "=~": same_ci,
    "!~": negate(same_ci),
    "<": ordered(operator.lt),
    "<=": ordered(operator.le),
    ">": ordered(operator.gt),
    ">=": ordered(operator.ge),
    **STRING_TESTS,
    **{"!" + name: negate(test) for name, test in STRING_TESTS.items()},
}
#: name -> (equality, negated)
MEMBERSHIP: dict[str, tuple[Compare, bool]] = {
    "in": (same, False),
    "in~": (same_ci, False),
    "!in": (same, True),
    "!in~": (same_ci, True),
}
FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "tolower": lambda v: text(v).lower(),
    "toupper": lambda v: text(v).upper(),
    "tostring": text,
    "isempty": lambda v: v is None or v == "",
    "isnotempty": lambda v: not (v is None or v == ""),
    "isnull": lambda v: v is None,
    "isnotnull": lambda v: v is not None,
    "not": lambda v: None if v is None else v is not True,
}
