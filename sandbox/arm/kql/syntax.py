"""The syntax tree the parser builds and the evaluator runs: expressions, and one node per operator."""

from __future__ import annotations

from typing import Any
from typing import NamedTuple

# -- expressions --------------------------------------------------------------------------------------


class Literal(NamedTuple):
    value: Any


class Path(NamedTuple):
    """A column and the property steps below it: ``properties.disks[0].name``."""

    column: str
    keys: tuple[str | int, ...]


class Function(NamedTuple):
    name: str  # lowercase, a key of values.FUNCTIONS
    argument: Expr


class Comparison(NamedTuple):
    operator: str  # lowercase, a key of values.COMPARISONS
    left: Expr
    right: Expr


class Membership(NamedTuple):
    operator: str  # lowercase, a key of values.MEMBERSHIP
    left: Expr
    options: tuple[Expr, ...]


class And(NamedTuple):
    left: Expr
    right: Expr


class Or(NamedTuple):
    left: Expr
    right: Expr


Expr = Literal | Path | Function | Comparison | Membership | And | Or


class Item(NamedTuple):
    """A named output column: ``name = expr``, or the name KQL derives for an unaliased expression."""

    name: str
    expr: Expr


# -- operators (the stages of a query) ----------------------------------------------------------------


class Where(NamedTuple):
    predicate: Expr


class Project(NamedTuple):
    items: tuple[Item, ...]


class ProjectAway(NamedTuple):
    columns: tuple[str, ...]


class Extend(NamedTuple):
    items: tuple[Item, ...]  # later items may use earlier ones


class OrderBy(NamedTuple):
    keys: tuple[tuple[Expr, bool], ...]  # (key, descending)


class Take(NamedTuple):
    limit: int


class Count(NamedTuple):
    pass


class Summarize(NamedTuple):
    aggregates: tuple[str, ...]  # the columns of count() aggregations
    by: tuple[Item, ...]


class Distinct(NamedTuple):
    items: tuple[Item, ...]


Stage = Where | Project | ProjectAway | Extend | OrderBy | Take | Count | Summarize | Distinct
