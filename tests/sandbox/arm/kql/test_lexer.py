"""Query text to tokens: literals decoded, comments dropped, bad text refused where it goes wrong."""

from __future__ import annotations

import pytest

from sandbox.arm.kql import GraphQueryError
from sandbox.arm.kql.lexer import tokenize


def _kinds(query: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(query)]


def test_the_query_an_sdk_user_sends() -> None:
    query = "Resources | where resourceGroup in~ ('rg-1', \"RG-2\") | take 5"
    tokens = tokenize(query)
    assert [(t.kind, t.text) for t in tokens] == [
        ("name", "Resources"), ("op", "|"), ("name", "where"), ("name", "resourceGroup"), ("op", "in~"),
        ("op", "("), ("string", "'rg-1'"), ("op", ","), ("string", '"RG-2"'), ("op", ")"), ("op", "|"),
        ("name", "take"), ("number", "5"), ("end", ""),
    ]  # fmt: skip
    assert [t.value for t in tokens if t.kind in ("string", "number")] == ["rg-1", "RG-2", 5]
    assert tokens[4].pos == query.index("in~") and tokens[-1].pos == len(query)


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r"'it\'s'", "it's"),
        (r"'a\tb\nc'", "a\tb\nc"),
        (r"@'C:\x'", "C:\\x"),
        ('@"C:\\temp\\"', "C:\\temp\\"),
        ("1.5e3", 1500.0),
        ("42", 42),
    ],
)
def test_literals_are_decoded(literal: str, value: object) -> None:
    token = tokenize(literal)[0]
    assert token.value == value and type(token.value) is type(value)
    assert token.text == literal


def test_comments_and_whitespace_are_not_tokens() -> None:
    assert _kinds("Resources\n// only the NIC\n| take 1 // and one") == _kinds("Resources | take 1")


def test_negated_operators_are_one_token() -> None:
    assert _kinds("a !contains b !in~ c !~ d") == [
        ("name", "a"), ("op", "!contains"), ("name", "b"), ("op", "!in~"), ("name", "c"), ("op", "!~"),
        ("name", "d"), ("end", ""),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("Resources | where (name == 'a'", "unbalanced parentheses: '(' at position 18 is never closed", 18),
        ("Resources | where name == 'a')", "unbalanced parentheses: unexpected ')' at position 29", 29),
        ("Resources | where tags['env' == 'a'", "unbalanced parentheses: '['", 22),
        ("Resources | where name == 'abc", "unterminated string literal at position 26: 'abc", 26),
        ('Resources | where name == "abc', "unterminated string", 26),
        ("Resources | where name !like 'a'", "unknown operator '!like'", 23),
        ("Resources | where name == 'a' # x", "unexpected character '#'", 30),
    ],
)
def test_errors_name_the_offending_character(query: str, message: str, position: int) -> None:
    with pytest.raises(GraphQueryError) as caught:
        tokenize(query)
    assert message in str(caught.value)
    assert caught.value.position == position
    assert caught.value.code == "InvalidQuery"
