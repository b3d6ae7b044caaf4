"""The store's SQL runs unchanged on SQLite and, with ``%s`` placeholders, on a PostgreSQL driver."""

from __future__ import annotations

import re

import pytest

from state.schema import MIGRATIONS
from state.schema import QUERIES
from state.schema import qmark_to_format


def test_placeholders_become_format_style_and_literal_percent_signs_are_doubled() -> None:
    sql = "SELECT '?', \"a?\" FROM t WHERE x = ? AND y LIKE '5%' -- why? 100%\n AND z = ?"
    assert qmark_to_format(sql) == (
        "SELECT '?', \"a?\" FROM t WHERE x = %s AND y LIKE '5%%' -- why? 100%%\n AND z = %s"
    )
    assert qmark_to_format("SELECT 'it''s ?' WHERE a = ?") == "SELECT 'it''s ?' WHERE a = %s"
    with pytest.raises(ValueError, match="unterminated quote"):
        qmark_to_format("SELECT 'oops WHERE a = ?")


def test_every_query_has_the_same_parameters_in_either_style() -> None:
    assert QUERIES.for_paramstyle("qmark") is QUERIES
    formatted = QUERIES.for_paramstyle("format")
    assert QUERIES.for_paramstyle("pyformat") == formatted
    for name, qmark, fmt in zip(QUERIES._fields, QUERIES, formatted, strict=True):
        assert "%s" not in qmark and "?" not in fmt, name
        assert qmark.count("?") == fmt.count("%s"), name
    with pytest.raises(ValueError, match="paramstyle 'named'"):
        QUERIES.for_paramstyle("named")


def test_the_schema_uses_only_what_postgresql_also_accepts() -> None:
    sqlite_only = re.compile(
        r"AUTOINCREMENT|WITHOUT ROWID|STRICT|INSERT OR|REPLACE INTO|PRAGMA|GLOB|DATETIME|BLOB|\bIIF\b|;", re.I
    )
    code = [re.sub(r"--[^\n]*", "", s) for s in (*(s for m in MIGRATIONS for s in m.statements), *QUERIES)]
    assert [s for s in code if sqlite_only.search(s)] == []  # ";": drivers run one statement at a time
    types = {t.upper() for s in code for t in re.findall(r"^\s+\w+ (\w+)", s, re.M)}
    assert types <= {"TEXT", "INTEGER", "BIGINT", "BOOLEAN", "KEY"}, types
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
