"""Tokens to a syntax tree, checking names as it goes.

Column names are resolved against the schema each stage leaves (``project`` narrows it, ``extend`` and
``summarize`` add to or replace it), so an unknown column is refused with its position before anything
runs. Every error names the offending token.
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.arm.kql import syntax as s
from sandbox.arm.kql.errors import GraphQueryError
from sandbox.arm.kql.lexer import Token
from sandbox.arm.kql.lexer import tokenize
from sandbox.arm.kql.values import COMPARISONS
from sandbox.arm.kql.values import FUNCTIONS
from sandbox.arm.kql.values import MEMBERSHIP


def parse(query: str, columns: list[str]) -> tuple[s.Stage, ...]:
    """The stages of ``query`` over a table with ``columns``; a query without a table reads Resources."""
    return _Parser(tokenize(query), columns).parse()


def _describe(tok: Token) -> str:
    return "end of query" if tok.kind == "end" else f"'{tok.text}' at position {tok.pos}"


def _unexpected(tok: Token, expected: str) -> GraphQueryError:
    return GraphQueryError(f"expected {expected} but found {_describe(tok)}", tok.pos)


class _Parser:
    def __init__(self, tokens: list[Token], columns: list[str]) -> None:
        self._tokens = tokens
        self._i = 0
        self._columns = columns  # the schema at the current stage, for rejecting unknown column names

    def parse(self) -> tuple[s.Stage, ...]:
        first = self._peek()
        if first.kind == "end":
            raise GraphQueryError("empty query", 0)
        stages: list[s.Stage] = []
        word = self._word(first)
        if word == "resources":
            self._advance()
        elif word in _OPERATORS:
            stages.append(self._operator())
        elif first.kind == "name":
            raise GraphQueryError(
                f"unknown table '{first.text}' at position {first.pos}; only Resources is supported",
                first.pos,
            )
        else:
            raise _unexpected(first, "a table name")
        while self._peek().kind != "end":
            self._expect_symbol("|")
            stages.append(self._operator())
        return tuple(stages)

    # tokens

    def _peek(self, ahead: int = 0) -> Token:
        return self._tokens[min(self._i + ahead, len(self._tokens) - 1)]

    def _advance(self) -> Token:
        tok = self._peek()
        if tok.kind != "end":
            self._i += 1
        return tok

    @staticmethod
    def _word(tok: Token) -> str:
        return tok.text.lower() if tok.kind == "name" else ""

    def _at_symbol(self, symbol: str, ahead: int = 0) -> bool:
        tok = self._peek(ahead)
        return tok.kind == "op" and tok.text == symbol

    def _expect_symbol(self, symbol: str) -> Token:
        if not self._at_symbol(symbol):
            raise _unexpected(self._peek(), f"'{symbol}'")
        return self._advance()

    def _expect_name(self, what: str) -> Token:
        if self._peek().kind != "name":
            raise _unexpected(self._peek(), what)
        return self._advance()

    def _comma(self) -> bool:
        if self._at_symbol(","):
            self._advance()
            return True
        return False

    def _column(self, tok: Token) -> str:
        if tok.text not in self._columns:
            near = [c for c in self._columns if c.lower() == tok.text.lower()]
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise GraphQueryError(f"unknown column '{tok.text}' at position {tok.pos}{hint}", tok.pos)
        return tok.text

    # operators

    def _operator(self) -> s.Stage:
        tok = self._expect_name("an operator")
        name = tok.text
        # KQL spells some operators with hyphens (project-away, mv-expand); the tokenizer splits them.
        while self._at_symbol("-") and self._peek().pos == tok.pos + len(name):
            self._advance()
            name += "-" + self._expect_name("an operator").text
        build = _OPERATORS.get(name.lower())
        if build is None:
            raise GraphQueryError(f"unknown operator '{name}' at position {tok.pos}", tok.pos)
        stage = build(self)
        if not (self._at_symbol("|") or self._peek().kind == "end"):
            raise _unexpected(self._peek(), "'|' or end of query")
        return stage

    def _where(self) -> s.Where:
        return s.Where(self._expr())

    def _project(self) -> s.Project:
        items = self._items()
        self._columns = [item.name for item in items]
        return s.Project(items)

    def _project_away(self) -> s.ProjectAway:
        dropped = [self._column(self._expect_name("a column name"))]
        while self._comma():
            dropped.append(self._column(self._expect_name("a column name")))
        self._columns = [c for c in self._columns if c not in dropped]
        return s.ProjectAway(tuple(dropped))

    def _extend(self) -> s.Extend:
        return s.Extend(self._items(extend=True))

    def _order(self) -> s.OrderBy:
        if self._word(self._peek()) != "by":
            raise _unexpected(self._peek(), "'by'")
        self._advance()
        keys: list[tuple[s.Expr, bool]] = []
        while True:
            key = self._expr()
            descending = True  # KQL's default for order by
            if self._word(self._peek()) in ("asc", "desc"):
                descending = self._word(self._advance()) == "desc"
            keys.append((key, descending))
            if not self._comma():
                return s.OrderBy(tuple(keys))

    def _take(self) -> s.Take:
        tok = self._advance()
        if tok.kind != "number" or not isinstance(tok.value, int):
            raise _unexpected(tok, "a row count")
        return s.Take(tok.value)

    def _count(self) -> s.Count:
        self._columns = ["Count"]
        return s.Count()

    def _summarize(self) -> s.Summarize:
        aggregates: list[str] = []
        while self._word(self._peek()) != "by" and not self._at_symbol("|") and self._peek().kind != "end":
            alias = self._alias()
            tok = self._expect_name("an aggregation")
            if tok.text.lower() != "count":
                raise GraphQueryError(
                    f"unsupported aggregation '{tok.text}' at position {tok.pos}; only count() is supported",
                    tok.pos,
                )
            self._expect_symbol("(")
            self._expect_symbol(")")
            aggregates.append(alias or "count_")
            if not self._comma():
                break
        by: tuple[s.Item, ...] = ()
        if self._word(self._peek()) == "by":
            self._advance()
            by = self._items()
        elif not aggregates:
            raise _unexpected(self._peek(), "an aggregation or 'by'")
        self._columns = [item.name for item in by] + aggregates
        return s.Summarize(tuple(aggregates), by)

    def _distinct(self) -> s.Distinct:
        items = self._items()
        self._columns = [item.name for item in items]
        return s.Distinct(items)

    def _alias(self) -> str | None:
        if self._peek().kind == "name" and self._at_symbol("=", ahead=1):
            alias = self._advance().text
            self._advance()
            return alias
        return None

    def _items(self, extend: bool = False) -> tuple[s.Item, ...]:
        items: list[s.Item] = []
        unnamed = 0
        while True:
            alias = self._alias()
            expr = self._expr()
            name = alias or _derived_name(expr)
            if name is None:
                unnamed += 1
                name = f"Column{unnamed}"
            items.append(s.Item(name, expr))
            if extend and name not in self._columns:
                self._columns = [*self._columns, name]
            if not self._comma():
                return tuple(items)

    # expressions

    def _expr(self) -> s.Expr:
        return self._chain("or", s.Or, self._conjunction)

    def _conjunction(self) -> s.Expr:
        return self._chain("and", s.And, self._comparison)

    def _chain(
        self, word: str, node: Callable[[s.Expr, s.Expr], s.Expr], operand: Callable[[], s.Expr]
    ) -> s.Expr:
        """``operand (word operand)*``, grouped from the left."""
        left = operand()
        while self._word(self._peek()) == word:
            self._advance()
            left = node(left, operand())
        return left

    def _comparison(self) -> s.Expr:
        left = self._operand()
        tok = self._peek()
        op = tok.text.lower() if tok.kind in ("name", "op") else ""
        if op in COMPARISONS:
            self._advance()
            return s.Comparison(op, left, self._operand())
        if op in MEMBERSHIP:
            self._advance()
            self._expect_symbol("(")
            options = [self._operand()]
            while self._comma():
                options.append(self._operand())
            self._expect_symbol(")")
            return s.Membership(op, left, tuple(options))
        return left

    def _operand(self) -> s.Expr:
        tok = self._advance()
        word = self._word(tok)
        if tok.kind in ("string", "number"):
            return s.Literal(tok.value)
        if tok.kind == "op" and tok.text == "-" and self._peek().kind == "number":
            return s.Literal(-self._advance().value)
        if tok.kind == "op" and tok.text == "(":
            inner = self._expr()
            self._expect_symbol(")")
            return inner
        if word in ("true", "false", "null"):
            return s.Literal({"true": True, "false": False, "null": None}[word])
        if tok.kind != "name" or word in ("and", "or") or word in COMPARISONS or word in MEMBERSHIP:
            raise _unexpected(tok, "an expression")
        if self._at_symbol("("):
            return self._call(tok)
        return self._path(tok)

    def _call(self, tok: Token) -> s.Function:
        name = tok.text.lower()
        if name not in FUNCTIONS:
            raise GraphQueryError(f"unknown function '{tok.text}' at position {tok.pos}", tok.pos)
        self._expect_symbol("(")
        argument = self._expr()
        self._expect_symbol(")")
        return s.Function(name, argument)

    def _path(self, tok: Token) -> s.Path:
        column = self._column(tok)
        keys: list[str | int] = []
        while self._at_symbol(".") or self._at_symbol("["):
            if self._advance().text == ".":
                keys.append(self._expect_name("a property name").text)
                continue
            sign = 1
            if self._at_symbol("-"):  # arr[-1] counts from the end
                self._advance()
                sign = -1
            key = self._advance()
            if key.kind == "string" and sign == 1:
                keys.append(key.value)
            elif key.kind == "number" and isinstance(key.value, int):
                keys.append(sign * key.value)
            else:
                raise _unexpected(key, "a property name or array index")
            self._expect_symbol("]")
        return s.Path(column, tuple(keys))


def _derived_name(expr: s.Expr) -> str | None:
    """The column name KQL gives an unaliased expression: a path's steps joined by '_'; else none."""
    if isinstance(expr, s.Path):
        return "_".join([expr.column, *map(str, expr.keys)])
    return None


_OPERATORS: dict[str, Callable[[_Parser], s.Stage]] = {
    "where": _Parser._where,
    "project": _Parser._project,
    "project-away": _Parser._project_away,
    "extend": _Parser._extend,
    "order": _Parser._order,
    "sort": _Parser._order,
    "take": _Parser._take,
    "limit": _Parser._take,
    "count": _Parser._count,
    "summarize": _Parser._summarize,
    "distinct": _Parser._distinct,
}
