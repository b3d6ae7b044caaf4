"""Tokens to a syntax tree: operators and expressions as KQL reads them, names checked per stage."""

from __future__ import annotations

import pytest

from sandbox.arm.kql import RESOURCE_COLUMNS
from sandbox.arm.kql import GraphQueryError
from sandbox.arm.kql import syntax as s
from sandbox.arm.kql.parser import parse

COLUMNS = list(RESOURCE_COLUMNS)


def test_the_query_an_sdk_user_sends() -> None:
    stages = parse(
        "Resources | where type =~ 'microsoft.compute/virtualmachines'"
        " | where resourceGroup in~ ('rg-1', 'RG-2') | project name, size = properties.hardwareProfile.vmSize"
        " | order by name asc | limit 10",
        COLUMNS,
    )
    assert stages == (
        s.Where(s.Comparison("=~", s.Path("type", ()), s.Literal("microsoft.compute/virtualmachines"))),
        s.Where(s.Membership("in~", s.Path("resourceGroup", ()), (s.Literal("rg-1"), s.Literal("RG-2")))),
        s.Project(
            (
                s.Item("name", s.Path("name", ())),
                s.Item("size", s.Path("properties", ("hardwareProfile", "vmSize"))),
            )
        ),
        s.OrderBy(((s.Path("name", ()), False),)),
        s.Take(10),
    )


def test_and_binds_tighter_than_or() -> None:
    (where,) = parse("where name == 'a' or name == 'b' and location == 'c'", COLUMNS)
    assert isinstance(where, s.Where) and isinstance(where.predicate, s.Or)
    assert isinstance(where.predicate.right, s.And)


def test_unaliased_items_are_named_like_kql() -> None:
    (project,) = parse(
        "project name, properties.hardwareProfile.vmSize, tags['cost-center'], tolower(name)", COLUMNS
    )
    assert isinstance(project, s.Project)
    assert [item.name for item in project.items] == [
        "name", "properties_hardwareProfile_vmSize", "tags_cost-center", "Column1",
    ]  # fmt: skip


def test_keywords_are_case_insensitive_but_columns_are_not() -> None:
    upper = parse(
        "RESOURCES | WHERE name CONTAINS 'a' AND NOT(type IN~ ('x')) | ORDER BY name ASC | TAKE 5", COLUMNS
    )
    lower = parse(
        "resources | where name contains 'a' and not(type in~ ('x')) | order by name asc | take 5", COLUMNS
    )
    assert upper == lower
    with pytest.raises(GraphQueryError, match="unknown column 'Name' at position 18"):
        parse("Resources | where Name == 'a'", COLUMNS)


def test_each_stage_sees_the_columns_the_previous_one_left() -> None:
    parse("Resources | project n = name | where n startswith 'db'", COLUMNS)
    parse("Resources | extend size = properties.hardwareProfile.vmSize | where size == 'x'", COLUMNS)
    parse("Resources | summarize n = count() by type | where n > 1 and type == 'x'", COLUMNS)
    parse("Resources | count | where Count > 3", COLUMNS)
    for query, column in [
        ("Resources | project name | where location == 'global'", "location"),
        ("Resources | project-away tags | project tags", "tags"),
        ("Resources | summarize count() by type | project name", "name"),
        ("Resources | count | project name", "name"),
    ]:
        with pytest.raises(GraphQueryError, match=f"unknown column '{column}'"):
            parse(query, COLUMNS)


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("Resources | mv-expand tags", "unknown operator 'mv-expand' at position 12", 12),
        ("Resources | frobnicate", "unknown operator 'frobnicate'", 12),
        ("ResourceContainers | take 1", "unknown table 'ResourceContainers'", 0),
        ("Resources | where Name == 'a'", "unknown column 'Name' at position 18 (did you mean 'name'?)", 18),
        ("Resources | where strlen(name) > 1", "unknown function 'strlen'", 18),
        ("Resources | where name = 'a'", "expected '|' or end of query but found '=' at position 23", 23),
        ("Resources | where", "expected an expression but found end of query", 17),
        ("Resources | where and", "expected an expression but found 'and'", 18),
        ("Resources |", "expected an operator but found end of query", 11),
        ("Resources | take ten", "expected a row count but found 'ten'", 17),
        ("Resources | take 1.5", "expected a row count", 17),
        ("Resources | order name", "expected 'by' but found 'name'", 18),
        ("Resources | summarize sum(x) by type", "unsupported aggregation 'sum'", 22),
        ("Resources | summarize", "expected an aggregation or 'by'", 21),
        ("Resources | project-away nope", "unknown column 'nope'", 25),
        ("Resources | where name in 'a'", "expected '(' but found ''a''", 26),
        ("Resources where", "expected '|' but found 'where'", 10),
        ("", "empty query", 0),
    ],
)
def test_errors_name_the_offending_token(query: str, message: str, position: int) -> None:
    with pytest.raises(GraphQueryError) as caught:
        parse(query, COLUMNS)
    assert message in str(caught.value)
    assert caught.value.position == position
    assert caught.value.code == "InvalidQuery"
