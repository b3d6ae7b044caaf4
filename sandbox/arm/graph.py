"""Evaluate the subset of KQL that Azure Resource Graph clients send to the sandbox.

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

import json
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

Row = dict[str, Any]
Eval = Callable[[Mapping[str, Any]], Any]
Stage = Callable[[list[Row]], list[Row]]
Compare = Callable[[Any, Any], bool | None]

RESOURCE_COLUMNS = (
    "id", "name", "type", "tenantId", "kind", "location", "resourceGroup", "subscriptionId", "managedBy",
    "sku", "plan", "properties", "tags", "identity", "zones", "extendedLocation",
)  # fmt: skip


class GraphQueryError(Exception):
    """The query is malformed or outside the supported subset.

    `code` is the ARM error code for the response body; `position` is the 0-based offset of the offending
    token in the query, or None when no single token is to blame.
    """

    code = "InvalidQuery"

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def run_query(query: str, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Evaluate `query` over Resource Graph rows and return the whole result in order; callers page it.

    Result rows are new dicts, but nested values (properties, tags) are the callers': pass rows built
    for this query, not stored state.
    """
    table = list(rows)
    # ARG's schema is fixed; extra keys a caller stored are kept queryable rather than rejected.
    columns = list(dict.fromkeys([*RESOURCE_COLUMNS, *(key for row in table for key in row)]))
    stages = _Parser(_tokenize(query), columns).parse()
    result = [{column: row.get(column) for column in columns} for row in table]
    for stage in stages:
        result = stage(result)
    return result


# --- values -------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
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


def _same(a: Any, b: Any) -> bool:
    # Python says True == 1; KQL keeps booleans and numbers apart.
    return isinstance(a, bool) == isinstance(b, bool) and bool(a == b)


def _same_ci(a: Any, b: Any) -> bool:
    return _text(a).lower() == _text(b).lower()


def _has(a: Any, b: Any) -> bool:
    # `has` matches whole terms (runs of ASCII letters and digits), not arbitrary substrings.
    needle = _text(b).lower()
    pattern = re.escape(needle)
    if needle[:1].isalnum():
        pattern = r"(?<![0-9a-z])" + pattern
    if needle[-1:].isalnum():
        pattern += r"(?![0-9a-z])"
    return re.search(pattern, _text(a).lower()) is not None


def _negate(test: Compare) -> Compare:
    def negated(a: Any, b: Any) -> bool | None:
        result = test(a, b)
        return None if result is None else not result

    return negated


def _ordered(test: Callable[[Any, Any], bool]) -> Compare:
    def compare(a: Any, b: Any) -> bool | None:
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
        if numeric or (isinstance(a, str) and isinstance(b, str)):
            return test(a, b)
        return None

    return compare


def _freeze(values: list[Any]) -> str:
    # Group keys may hold dicts and lists; JSON keeps 1, "1" and true distinct.
    return json.dumps(values, sort_keys=True, default=str)


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (0, value)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, _text(value))


def _sort(rows: list[Row], key: Eval, descending: bool) -> list[Row]:
    keyed = [(key(row), row) for row in rows]
    present = [pair for pair in keyed if pair[0] is not None]
    present.sort(key=lambda pair: _sort_key(pair[0]), reverse=descending)
    missing = [row for value, row in keyed if value is None]
    ordered = [row for _, row in present]
    # KQL's defaults: nulls last when descending, first when ascending.
    return ordered + missing if descending else missing + ordered


def _step(value: Any, key: str | int) -> Any:
    if isinstance(value, Mapping) and isinstance(key, str):
        return value.get(key)
    if isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
        return value[key]
    return None


_STRING_TESTS: dict[str, Compare] = {
    "contains": lambda a, b: _text(b).lower() in _text(a).lower(),
    "contains_cs": lambda a, b: _text(b) in _text(a),
    "startswith": lambda a, b: _text(a).lower().startswith(_text(b).lower()),
    "startswith_cs": lambda a, b: _text(a).startswith(_text(b)),
    "endswith": lambda a, b: _text(a).lower().endswith(_text(b).lower()),
    "endswith_cs": lambda a, b: _text(a).endswith(_text(b)),
    "has": _has,
}
_COMPARISONS: dict[str, Compare] = {
    "==": _same,
    "!=": _negate(_same),
    "=~": _same_ci,
    "!~": _negate(_same_ci),
    "<": _ordered(operator.lt),
    "<=": _ordered(operator.le),
    ">": _ordered(operator.gt),
    ">=": _ordered(operator.ge),
    **_STRING_TESTS,
    **{"!" + name: _negate(test) for name, test in _STRING_TESTS.items()},
}
# name -> (equality, negated)
_MEMBERSHIP: dict[str, tuple[Compare, bool]] = {
    "in": (_same, False),
    "in~": (_same_ci, False),
    "!in": (_same, True),
    "!in~": (_same_ci, True),
}
_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "tolower": lambda v: _text(v).lower(),
    "toupper": lambda v: _text(v).upper(),
    "tostring": _text,
    "isempty": lambda v: v is None or v == "",
    "isnotempty": lambda v: not (v is None or v == ""),
    "isnull": lambda v: v is None,
    "isnotnull": lambda v: v is not None,
    "not": lambda v: None if v is None else v is not True,
}


# --- tokens -------------------------------------------------------------------------------------------


class _Token(NamedTuple):
    kind: str  # "name", "string", "number", "op" or "end"
    text: str  # as written in the query
    value: Any  # the decoded literal for strings and numbers
    pos: int


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_SYMBOLS = ("==", "!=", "=~", "!~", "<=", ">=", "(", ")", "[", "]", ",", ".", "|", "=", "<", ">", "-")
_NEGATED_WORDS = {"!" + name for name in _STRING_TESTS} | {"!in", "!in~"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
_CLOSERS = {")": "(", "]": "["}


def _tokenize(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(query):
        ch = query[i]
        if ch.isspace():
            i += 1
        elif query.startswith("//", i):
            end = query.find("\n", i)
            i = len(query) if end < 0 else end
        elif ch in "'\"" or (ch == "@" and query[i + 1 : i + 2] in ("'", '"')):
            token = _read_string(query, i)
            tokens.append(token)
            i += len(token.text)
        elif number := _NUMBER.match(query, i):
            text = number.group()
            value = float(text) if any(c in text for c in ".eE") else int(text)
            tokens.append(_Token("number", text, value, i))
            i = number.end()
        elif name := _NAME.match(query, i):
            word = name.group()
            if word.lower() == "in" and query[name.end() : name.end() + 1] == "~":
                word += "~"
            tokens.append(_Token("op" if word.endswith("~") else "name", word, None, i))
            i += len(word)
        elif ch == "!" and (name := _NAME.match(query, i + 1)):
            word = "!" + name.group() + ("~" if query[name.end() : name.end() + 1] == "~" else "")
            if word.lower() not in _NEGATED_WORDS:
                raise GraphQueryError(f"unknown operator '{word}' at position {i}", i)
            tokens.append(_Token("op", word, None, i))
            i += len(word)
        else:
            symbol = next((s for s in _SYMBOLS if query.startswith(s, i)), None)
            if symbol is None:
                raise GraphQueryError(f"unexpected character '{ch}' at position {i}", i)
            tokens.append(_Token("op", symbol, None, i))
            i += len(symbol)
    tokens.append(_Token("end", "", None, len(query)))
    _check_balanced(tokens)
    return tokens


def _read_string(query: str, start: int) -> _Token:
    verbatim = query[start] == "@"  # @'C:\path' takes backslashes literally
    i = start + 1 if verbatim else start
    quote = query[i]
    chars: list[str] = []
    i += 1
    while i < len(query):
        ch = query[i]
        if ch == quote:
            return _Token("string", query[start : i + 1], "".join(chars), start)
        if ch == "\\" and not verbatim and i + 1 < len(query):
            chars.append(_ESCAPES.get(query[i + 1], query[i + 1]))
            i += 2
        else:
            chars.append(ch)
            i += 1
    raise GraphQueryError(
        f"unterminated string literal at position {start}: {query[start : start + 20]}", start
    )


def _check_balanced(tokens: list[_Token]) -> None:
    # Checked up front so the message names the bracket at fault, not whatever the parser tripped over.
    open_brackets: list[_Token] = []
    for tok in tokens:
        if tok.kind != "op":
            continue
        if tok.text in ("(", "["):
            open_brackets.append(tok)
        elif tok.text in _CLOSERS:
            if not open_brackets or open_brackets[-1].text != _CLOSERS[tok.text]:
                raise GraphQueryError(
                    f"unbalanced parentheses: unexpected '{tok.text}' at position {tok.pos}", tok.pos
                )
            open_brackets.pop()
    if open_brackets:
        tok = open_brackets[-1]
        raise GraphQueryError(
            f"unbalanced parentheses: '{tok.text}' at position {tok.pos} is never closed", tok.pos
        )


def _describe(tok: _Token) -> str:
    return "end of query" if tok.kind == "end" else f"'{tok.text}' at position {tok.pos}"


def _unexpected(tok: _Token, expected: str) -> GraphQueryError:
    return GraphQueryError(f"expected {expected} but found {_describe(tok)}", tok.pos)


# --- parser -------------------------------------------------------------------------------------------


class _Expr(NamedTuple):
    fn: Eval
    name: str | None  # the column name KQL gives it when unaliased; None for computed values


def _either(f: Eval, g: Eval) -> Eval:
    def evaluate(row: Mapping[str, Any]) -> bool | None:
        a = f(row)
        if a is True:
            return True
        b = g(row)
        if b is True:
            return True
        return False if a is False and b is False else None

    return evaluate


def _both(f: Eval, g: Eval) -> Eval:
    def evaluate(row: Mapping[str, Any]) -> bool | None:
        a = f(row)
        if a is False:
            return False
        b = g(row)
        if b is False:
            return False
        return True if a is True and b is True else None

    return evaluate


def _compare(test: Compare, f: Eval, g: Eval) -> Eval:
    def evaluate(row: Mapping[str, Any]) -> bool | None:
        a, b = f(row), g(row)
        return None if a is None or b is None else test(a, b)

    return evaluate


def _member(same: Compare, negated: bool, f: Eval, options: list[Eval]) -> Eval:
    def evaluate(row: Mapping[str, Any]) -> bool | None:
        a = f(row)
        if a is None:
            return None
        found = any(b is not None and same(a, b) for b in (g(row) for g in options))
        return found != negated

    return evaluate


def _group(rows: list[Row], items: list[tuple[str, Eval]]) -> list[tuple[Row, int]]:
    """Rows of the `items` columns, one per distinct combination in first-seen order, with their counts."""
    groups: dict[str, tuple[Row, int]] = {}
    for row in rows:
        values = {name: fn(row) for name, fn in items}
        key = _freeze(list(values.values()))
        first, count = groups.get(key, (values, 0))
        groups[key] = (first, count + 1)
    return list(groups.values())


class _Parser:
    def __init__(self, tokens: list[_Token], columns: list[str]) -> None:
        self._tokens = tokens
        self._i = 0
        self._columns = columns  # the schema at the current stage, for rejecting unknown column names

    def parse(self) -> list[Stage]:
        first = self._peek()
        if first.kind == "end":
            raise GraphQueryError("empty query", 0)
        stages: list[Stage] = []
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
        return stages

    # tokens

    def _peek(self, ahead: int = 0) -> _Token:
        return self._tokens[min(self._i + ahead, len(self._tokens) - 1)]

    def _advance(self) -> _Token:
        tok = self._peek()
        if tok.kind != "end":
            self._i += 1
        return tok

    @staticmethod
    def _word(tok: _Token) -> str:
        return tok.text.lower() if tok.kind == "name" else ""

    def _at_symbol(self, symbol: str, ahead: int = 0) -> bool:
        tok = self._peek(ahead)
        return tok.kind == "op" and tok.text == symbol

    def _expect_symbol(self, symbol: str) -> _Token:
        if not self._at_symbol(symbol):
            raise _unexpected(self._peek(), f"'{symbol}'")
        return self._advance()

    def _expect_name(self, what: str) -> _Token:
        if self._peek().kind != "name":
            raise _unexpected(self._peek(), what)
        return self._advance()

    def _comma(self) -> bool:
        if self._at_symbol(","):
            self._advance()
            return True
        return False

    def _column(self, tok: _Token) -> str:
        if tok.text not in self._columns:
            near = [c for c in self._columns if c.lower() == tok.text.lower()]
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise GraphQueryError(f"unknown column '{tok.text}' at position {tok.pos}{hint}", tok.pos)
        return tok.text

    # operators

    def _operator(self) -> Stage:
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

    def _where(self) -> Stage:
        predicate = self._expr().fn
        return lambda rows: [row for row in rows if predicate(row) is True]

    def _project(self) -> Stage:
        items = self._items()
        self._columns = [name for name, _ in items]
        return lambda rows: [{name: fn(row) for name, fn in items} for row in rows]

    def _project_away(self) -> Stage:
        dropped = [self._column(self._expect_name("a column name"))]
        while self._comma():
            dropped.append(self._column(self._expect_name("a column name")))
        self._columns = [c for c in self._columns if c not in dropped]
        return lambda rows: [{k: v for k, v in row.items() if k not in dropped} for row in rows]

    def _extend(self) -> Stage:
        items = self._items(extend=True)

        def stage(rows: list[Row]) -> list[Row]:
            out = []
            for row in rows:
                extended = dict(row)
                for name, fn in items:
                    extended[name] = fn(extended)  # later items may use earlier ones, as in KQL
                out.append(extended)
            return out

        return stage

    def _order(self) -> Stage:
        if self._word(self._peek()) != "by":
            raise _unexpected(self._peek(), "'by'")
        self._advance()
        keys: list[tuple[Eval, bool]] = []
        while True:
            key = self._expr().fn
            descending = True  # KQL's default for order by
            if self._word(self._peek()) in ("asc", "desc"):
                descending = self._word(self._advance()) == "desc"
            keys.append((key, descending))
            if not self._comma():
                break

        def stage(rows: list[Row]) -> list[Row]:
            # Stable sorts applied from the last key to the first give a lexicographic order.
            for key, descending in reversed(keys):
                rows = _sort(rows, key, descending)
            return rows

        return stage

    def _take(self) -> Stage:
        tok = self._advance()
        if tok.kind != "number" or not isinstance(tok.value, int):
            raise _unexpected(tok, "a row count")
        limit: int = tok.value
        return lambda rows: rows[:limit]

    def _count(self) -> Stage:
        self._columns = ["Count"]
        return lambda rows: [{"Count": len(rows)}]

    def _summarize(self) -> Stage:
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
        by: list[tuple[str, Eval]] = []
        if self._word(self._peek()) == "by":
            self._advance()
            by = self._items()
        elif not aggregates:
            raise _unexpected(self._peek(), "an aggregation or 'by'")
        self._columns = [name for name, _ in by] + aggregates

        def stage(rows: list[Row]) -> list[Row]:
            groups = _group(rows, by) if by else [({}, len(rows))]  # no `by`: one row, even over nothing
            return [{**group, **dict.fromkeys(aggregates, count)} for group, count in groups]

        return stage

    def _distinct(self) -> Stage:
        items = self._items()
        self._columns = [name for name, _ in items]
        return lambda rows: [group for group, _ in _group(rows, items)]

    def _alias(self) -> str | None:
        if self._peek().kind == "name" and self._at_symbol("=", ahead=1):
            alias = self._advance().text
            self._advance()
            return alias
        return None

    def _items(self, extend: bool = False) -> list[tuple[str, Eval]]:
        items: list[tuple[str, Eval]] = []
        unnamed = 0
        while True:
            alias = self._alias()
            expr = self._expr()
            name = alias or expr.name
            if name is None:
                unnamed += 1
                name = f"Column{unnamed}"
            items.append((name, expr.fn))
            if extend and name not in self._columns:
                self._columns = [*self._columns, name]
            if not self._comma():
                return items

    # expressions

    def _expr(self) -> _Expr:
        left = self._conjunction()
        while self._word(self._peek()) == "or":
            self._advance()
            left = _Expr(_either(left.fn, self._conjunction().fn), None)
        return left

    def _conjunction(self) -> _Expr:
        left = self._comparison()
        while self._word(self._peek()) == "and":
            self._advance()
            left = _Expr(_both(left.fn, self._comparison().fn), None)
        return left

    def _comparison(self) -> _Expr:
        left = self._operand()
        tok = self._peek()
        op = tok.text.lower() if tok.kind in ("name", "op") else ""
        if op in _COMPARISONS:
            self._advance()
            return _Expr(_compare(_COMPARISONS[op], left.fn, self._operand().fn), None)
        if op in _MEMBERSHIP:
            self._advance()
            self._expect_symbol("(")
            options = [self._operand().fn]
            while self._comma():
                options.append(self._operand().fn)
            self._expect_symbol(")")
            same, negated = _MEMBERSHIP[op]
            return _Expr(_member(same, negated, left.fn, options), None)
        return left

    def _operand(self) -> _Expr:
        tok = self._advance()
        word = self._word(tok)
        if tok.kind in ("string", "number"):
            value = tok.value
            return _Expr(lambda row: value, None)
        if tok.kind == "op" and tok.text == "-" and self._peek().kind == "number":
            negative = -self._advance().value
            return _Expr(lambda row: negative, None)
        if tok.kind == "op" and tok.text == "(":
            inner = self._expr()
            self._expect_symbol(")")
            return inner
        if word in ("true", "false", "null"):
            constant = {"true": True, "false": False, "null": None}[word]
            return _Expr(lambda row: constant, None)
        if tok.kind != "name" or word in ("and", "or") or word in _COMPARISONS or word in _MEMBERSHIP:
            raise _unexpected(tok, "an expression")
        if self._at_symbol("("):
            return self._call(tok)
        return self._path(tok)

    def _call(self, tok: _Token) -> _Expr:
        function = _FUNCTIONS.get(tok.text.lower())
        if function is None:
            raise GraphQueryError(f"unknown function '{tok.text}' at position {tok.pos}", tok.pos)
        self._expect_symbol("(")
        argument = self._expr().fn
        self._expect_symbol(")")
        return _Expr(lambda row: function(argument(row)), None)

    def _path(self, tok: _Token) -> _Expr:
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

        def evaluate(row: Mapping[str, Any]) -> Any:
            value = row.get(column)
            for key in keys:
                value = _step(value, key)
            return value

        return _Expr(evaluate, "_".join([column, *map(str, keys)]))


_OPERATORS: dict[str, Callable[[_Parser], Stage]] = {
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
