"""Runs a syntax tree over rows.

Expressions compile once to closures, then run per row. Logic is three-valued as in KQL: ``and``/``or``
give null when the answer depends on a null side, and ``where`` keeps only rows whose predicate is true.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from functools import singledispatch
from typing import Any

from sandbox.arm.kql import syntax as s
from sandbox.arm.kql.values import COMPARISONS
from sandbox.arm.kql.values import FUNCTIONS
from sandbox.arm.kql.values import MEMBERSHIP
from sandbox.arm.kql.values import freeze
from sandbox.arm.kql.values import sort_key
from sandbox.arm.kql.values import step

Row = dict[str, Any]
Eval = Callable[[Mapping[str, Any]], Any]


def evaluate(stages: tuple[s.Stage, ...], rows: list[Row]) -> list[Row]:
    for stage in stages:
        rows = _run(stage, rows)
    return rows


# -- expressions --------------------------------------------------------------------------------------


@singledispatch
def compile_expr(expr: s.Expr) -> Eval:
    raise TypeError(f"not an expression: {expr!r}")


@compile_expr.register
def _literal(expr: s.Literal) -> Eval:
    value = expr.value
    return lambda row: value


@compile_expr.register
def _path(expr: s.Path) -> Eval:
    column, keys = expr.column, expr.keys

    def apply(row: Mapping[str, Any]) -> Any:
        value = row.get(column)
        for key in keys:
            value = step(value, key)
        return value

    return apply


@compile_expr.register
def _function(expr: s.Function) -> Eval:
    function, argument = FUNCTIONS[expr.name], compile_expr(expr.argument)
    return lambda row: function(argument(row))


@compile_expr.register
def _comparison(expr: s.Comparison) -> Eval:
    test, f, g = COMPARISONS[expr.operator], compile_expr(expr.left), compile_expr(expr.right)

    def apply(row: Mapping[str, Any]) -> bool | None:
        a, b = f(row), g(row)
        return None if a is None or b is None else test(a, b)

    return apply


@compile_expr.register
def _membership(expr: s.Membership) -> Eval:
    (equal, negated), f = MEMBERSHIP[expr.operator], compile_expr(expr.left)
    options = [compile_expr(option) for option in expr.options]

    def apply(row: Mapping[str, Any]) -> bool | None:
        a = f(row)
        if a is None:
            return None
        found = any(b is not None and equal(a, b) for b in (g(row) for g in options))
        return found != negated

    return apply


@compile_expr.register
def _and(expr: s.And) -> Eval:
    return _connective(expr.left, expr.right, decisive=False)


@compile_expr.register
def _or(expr: s.Or) -> Eval:
    return _connective(expr.left, expr.right, decisive=True)


def _connective(left: s.Expr, right: s.Expr, decisive: bool) -> Eval:
    """``and`` (decided by a false side) or ``or`` (by a true side); null when a null side could tip it."""
    f, g = compile_expr(left), compile_expr(right)

    def apply(row: Mapping[str, Any]) -> bool | None:
        a = f(row)
        if a is decisive:
            return decisive
        b = g(row)
        if b is decisive:
            return decisive
        return (not decisive) if a is (not decisive) and b is (not decisive) else None

    return apply


def _items(items: tuple[s.Item, ...]) -> list[tuple[str, Eval]]:
    return [(item.name, compile_expr(item.expr)) for item in items]


# -- operators ----------------------------------------------------------------------------------------


@singledispatch
def _run(stage: s.Stage, rows: list[Row]) -> list[Row]:
    raise TypeError(f"not an operator: {stage!r}")


@_run.register
def _where(stage: s.Where, rows: list[Row]) -> list[Row]:
    predicate = compile_expr(stage.predicate)
    return [row for row in rows if predicate(row) is True]


@_run.register
def _project(stage: s.Project, rows: list[Row]) -> list[Row]:
    items = _items(stage.items)
    return [{name: fn(row) for name, fn in items} for row in rows]


@_run.register
def _project_away(stage: s.ProjectAway, rows: list[Row]) -> list[Row]:
    return [{k: v for k, v in row.items() if k not in stage.columns} for row in rows]


@_run.register
def _extend(stage: s.Extend, rows: list[Row]) -> list[Row]:
    items = _items(stage.items)
    out = []
    for row in rows:
        extended = dict(row)
        for name, fn in items:
            extended[name] = fn(extended)  # later items may use earlier ones, as in KQL
        out.append(extended)
    return out


@_run.register
def _order_by(stage: s.OrderBy, rows: list[Row]) -> list[Row]:
    # Stable sorts applied from the last key to the first give a lexicographic order.
    for key, descending in reversed(stage.keys):
        rows = _sort(rows, compile_expr(key), descending)
    return rows


@_run.register
def _take(stage: s.Take, rows: list[Row]) -> list[Row]:
    return rows[: stage.limit]


@_run.register
def _count(stage: s.Count, rows: list[Row]) -> list[Row]:
    return [{"Count": len(rows)}]


@_run.register
def _summarize(stage: s.Summarize, rows: list[Row]) -> list[Row]:
    # Without `by`: one row, even over nothing.
    groups = _group(rows, _items(stage.by)) if stage.by else [({}, len(rows))]
    return [{**group, **dict.fromkeys(stage.aggregates, count)} for group, count in groups]


@_run.register
def _distinct(stage: s.Distinct, rows: list[Row]) -> list[Row]:
    return [group for group, _ in _group(rows, _items(stage.items))]


def _sort(rows: list[Row], key: Eval, descending: bool) -> list[Row]:
    keyed = [(key(row), row) for row in rows]
    present = [pair for pair in keyed if pair[0] is not None]
    present.sort(key=lambda pair: sort_key(pair[0]), reverse=descending)
    missing = [row for value, row in keyed if value is None]
    ordered = [row for _, row in present]
    # KQL's defaults: nulls last when descending, first when ascending.
    return ordered + missing if descending else missing + ordered


def _group(rows: list[Row], items: list[tuple[str, Eval]]) -> list[tuple[Row, int]]:
    """Rows of the `items` columns, one per distinct combination in first-seen order, with their counts."""
    groups: dict[str, tuple[Row, int]] = {}
    for row in rows:
        values = {name: fn(row) for name, fn in items}
        key = freeze(list(values.values()))
        first, count = groups.get(key, (values, 0))
        groups[key] = (first, count + 1)
    return list(groups.values())
