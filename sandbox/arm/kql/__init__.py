"""The subset of KQL that Azure Resource Graph clients send to the sandbox: lexer, parser, evaluator.

Grammar (keywords, operators and function names are case-insensitive; column names and property paths are
case-sensitive, as in KQL):

    query     := [table] ('|' operator)*            no table means Resources, as in ARG
    operator  := where expr
               | project item (',' item)*           item := [name '='] expr
               | project-away name (',' name)*
               | extend item (',' item)*
               | (order | sort) by expr [asc | desc] (',' ...)*       default desc, nulls last when desc
               | (take | limit) INT
               | count                              -> [{"Count": n}]
               | summarize [agg (',' agg)*] [by item (',' item)*]     agg := [name '='] count()
               | distinct item (',' item)*
    expr      := conj ('or' conj)*
    conj      := cmp ('and' cmp)*
    cmp       := operand [cmp_op operand | in_op '(' operand (',' operand)* ')']
    operand   := STRING | NUMBER | '-' NUMBER | true | false | null | '(' expr ')' | func '(' expr ')' | path
    path      := column ('.' NAME | '[' (STRING | INT) ']')*

Values follow KQL's dynamic semantics: a missing property is null, and comparing null yields null, which
`where` treats as false (so `tags.env != 'prod'` does not match untagged rows; use isempty()).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from sandbox.arm.kql.errors import GraphQueryError
from sandbox.arm.kql.evaluator import evaluate
from sandbox.arm.kql.parser import parse

__all__ = ["RESOURCE_COLUMNS", "GraphQueryError", "run_query"]

RESOURCE_COLUMNS = (
    "id", "name", "type", "tenantId", "kind", "location", "resourceGroup", "subscriptionId", "managedBy",
    "sku", "plan", "properties", "tags", "identity", "zones", "extendedLocation",
)  # fmt: skip


def run_query(query: str, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Evaluate `query` over Resource Graph rows and return the whole result in order; callers page it.

    Result rows are new dicts, but nested values (properties, tags) are the callers': pass rows built
    for this query, not stored state.
    """
    table = list(rows)
    # ARG's schema is fixed; extra keys a caller stored are kept queryable rather than rejected.
    columns = list(dict.fromkeys([*RESOURCE_COLUMNS, *(key for row in table for key in row)]))
    stages = parse(query, columns)
    return evaluate(stages, [{column: row.get(column) for column in columns} for row in table])
