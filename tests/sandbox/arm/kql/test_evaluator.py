"""Queries run over Resource Graph rows: what each operator, function and comparison yields."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.arm.kql import GraphQueryError
from sandbox.arm.kql import run_query

SUB = "00000000-0000-0000-0000-000000000001"
OTHER_SUB = "00000000-0000-0000-0000-000000000002"
VM_ID = f"/subscriptions/{SUB}/resourceGroups/RG-Web/providers/Microsoft.Compute/virtualMachines/web-01"


def _row(name: str, type_: str, resource_group: str, **extra: Any) -> dict[str, Any]:
    scope = f"/subscriptions/{extra.get('subscriptionId', SUB)}"
    if resource_group:
        scope += f"/resourceGroups/{resource_group}"
    row: dict[str, Any] = {
        "id": f"{scope}/providers/{type_}/{name}",
        "name": name,
        "type": type_.lower(),
        "tenantId": "tenant-1",
        "kind": "",
        "location": "westeurope",
        "resourceGroup": resource_group.lower(),
        "subscriptionId": SUB,
        "managedBy": "",
        "sku": None,
        "plan": None,
        "properties": {},
        "tags": {},
        "identity": None,
        "zones": None,
        "extendedLocation": None,
    }
    row.update(extra)
    return row


@pytest.fixture
def rows() -> list[dict[str, Any]]:
    return [
        _row(
            "web-01",
            "Microsoft.Compute/virtualMachines",
            "RG-Web",
            properties={
                "hardwareProfile": {"vmSize": "Standard_D2s_v3"},
                "storageProfile": {"dataDisks": [{"name": "web-01-data0", "lun": 0, "diskSizeGB": 128}]},
                "provisioningState": "Succeeded",
            },
            tags={"env": "prod", "owner": "web-team"},
            zones=["1"],
        ),
        _row(
            "db-01",
            "Microsoft.Compute/virtualMachines",
            "RG-Data",
            location="northeurope",
            properties={
                "hardwareProfile": {"vmSize": "Standard_E4s_v3"},
                "storageProfile": {"dataDisks": []},
                "provisioningState": "Failed",
            },
            tags={"env": "dev"},
        ),
        _row(
            "web-01-data0",
            "Microsoft.Compute/disks",
            "RG-Web",
            managedBy=VM_ID,
            sku={"name": "Premium_LRS", "tier": "Premium"},
            properties={"diskSizeGB": 128, "diskState": "Attached", "burstingEnabled": False},
            tags={"env": "PROD", "cost-center": "42"},
        ),
        _row(
            "web-01-nic",
            "Microsoft.Network/networkInterfaces",
            "RG-Web",
            properties={
                "ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": "10.0.0.4"}}]
            },
        ),
        _row(
            "require-tags",
            "Microsoft.Authorization/policyAssignments",
            "",
            subscriptionId=OTHER_SUB,
            location="global",
            tags=None,
        ),
    ]


def _names(query: str, rows: list[dict[str, Any]]) -> list[str]:
    return [row["name"] for row in run_query(query, rows)]


ALL = ["web-01", "db-01", "web-01-data0", "web-01-nic", "require-tags"]


def test_table_alone_returns_every_row_in_input_order(rows: list[dict[str, Any]]) -> None:
    assert run_query("Resources", rows) == rows
    assert _names("resources", rows) == ALL


def test_missing_columns_come_back_as_null(rows: list[dict[str, Any]]) -> None:
    del rows[4]["identity"]
    assert run_query("Resources", rows)[4]["identity"] is None


def test_query_without_a_table_reads_resources_as_arg_does(rows: list[dict[str, Any]]) -> None:
    assert _names("where location == 'global'", rows) == ["require-tags"]


def test_typical_portal_query_filters_case_insensitively_and_projects(rows: list[dict[str, Any]]) -> None:
    query = (
        "Resources | where type =~ 'Microsoft.Compute/virtualMachines' and resourceGroup =~ 'RG-Web'"
        " | project id, name, size = properties.hardwareProfile.vmSize"
    )
    assert run_query(query, rows) == [{"id": VM_ID, "name": "web-01", "size": "Standard_D2s_v3"}]


def test_chained_wheres_with_in_tilde(rows: list[dict[str, Any]]) -> None:
    query = (
        f"Resources | where subscriptionId == '{SUB}'"
        " | where type in~ ('Microsoft.Compute/disks', 'MICROSOFT.NETWORK/NETWORKINTERFACES')"
    )
    assert _names(query, rows) == ["web-01-data0", "web-01-nic"]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("name == 'db-01'", ["db-01"]),
        ("name == 'DB-01'", []),
        ("location != 'westeurope'", ["db-01", "require-tags"]),
        ("name =~ 'DB-01'", ["db-01"]),
        ("type !~ 'MICROSOFT.COMPUTE/VIRTUALMACHINES'", ["web-01-data0", "web-01-nic", "require-tags"]),
        ("location in ('northeurope', 'global')", ["db-01", "require-tags"]),
        ("location in ('NorthEurope')", []),
        ("location in~ ('NorthEurope')", ["db-01"]),
        ("location !in ('westeurope')", ["db-01", "require-tags"]),
        ("location !in~ ('WestEurope', 'GLOBAL')", ["db-01"]),
        ("name contains 'DATA'", ["web-01-data0"]),
        ("name !contains '01'", ["require-tags"]),
        ("name startswith 'WEB'", ["web-01", "web-01-data0", "web-01-nic"]),
        ("name !startswith 'web'", ["db-01", "require-tags"]),
        ("name endswith '-NIC'", ["web-01-nic"]),
        ("name !endswith '01'", ["web-01-data0", "web-01-nic", "require-tags"]),
        ("name contains_cs 'DATA'", []),
        ("name has 'NIC'", ["web-01-nic"]),
        ("name has 'we'", []),
        ("id has 'virtualMachines/web-01'", ["web-01"]),
        ("name !has 'web'", ["db-01", "require-tags"]),
        (
            "location == 'westeurope' and name endswith 'nic' or location == 'global'",
            ["web-01-nic", "require-tags"],
        ),
        ("location == 'westeurope' and (name endswith 'nic' or location == 'global')", ["web-01-nic"]),
        ("not(location == 'westeurope')", ["db-01", "require-tags"]),
        ("not(name has 'web') and not(location =~ 'GLOBAL')", ["db-01"]),
        ("isnotempty(resourceGroup)", ["web-01", "db-01", "web-01-data0", "web-01-nic"]),
        ("isempty(resourceGroup)", ["require-tags"]),
        ("isempty(managedBy) and isnotempty(zones)", ["web-01"]),
        ("isnull(tags)", ["require-tags"]),
        ("isnotnull(sku)", ["web-01-data0"]),
        ("tolower(tags.env) == 'prod'", ["web-01", "web-01-data0"]),
        ("toupper(name) == 'DB-01'", ["db-01"]),
        ("tostring(zones) == '[\"1\"]'", ["web-01"]),
        ("tostring(properties.diskSizeGB) == '128'", ["web-01-data0"]),
        ("properties.diskSizeGB == 128", ["web-01-data0"]),
        ("properties.diskSizeGB > 100", ["web-01-data0"]),
        ("properties.diskSizeGB <= 100", []),
        ("properties.storageProfile.dataDisks[0].diskSizeGB >= 128.0", ["web-01"]),
        ("properties.burstingEnabled == false", ["web-01-data0"]),
        ("properties.burstingEnabled == 0", []),
        ("properties.provisioningState =~ 'failed' or false", ["db-01"]),
        ("true", ALL),
        ("name", []),
    ],
)
def test_where_operators(rows: list[dict[str, Any]], condition: str, expected: list[str]) -> None:
    assert _names(f"Resources | where {condition}", rows) == expected


@pytest.mark.parametrize(
    "condition",
    [
        "tags.env == 'prod'",
        "tags.env != 'prod'",
        "tags.env =~ 'prod' and tags.env !~ 'x'",
        "not(tags.env == 'prod')",
        "tags.env in ('dev', 'prod')",
        "tags.env !in ('dev', 'prod', 'PROD')",
        "tags.env contains 'o'",
        "tags.env !contains 'o'",
        "tags.env == null",
        "tags.env > 'a'",
    ],
)
def test_comparing_a_missing_tag_never_matches(rows: list[dict[str, Any]], condition: str) -> None:
    untagged = {"web-01-nic", "require-tags"}
    assert not untagged & set(_names(f"Resources | where {condition}", rows))


def test_null_is_only_found_with_isempty_or_isnull(rows: list[dict[str, Any]]) -> None:
    query = "Resources | where isempty(tags.env) or tags.env != 'prod' | project name"
    assert _names(query, rows) == ["db-01", "web-01-data0", "web-01-nic", "require-tags"]


def test_or_with_a_null_side_still_matches_on_the_other(rows: list[dict[str, Any]]) -> None:
    assert _names("Resources | where tags.env == 'prod' or name == 'web-01-nic'", rows) == [
        "web-01",
        "web-01-nic",
    ]


def test_property_paths(rows: list[dict[str, Any]]) -> None:
    query = (
        "Resources | where name == 'web-01' | project env = tags['env'], owner = tags.owner,"
        ' team = tags["owner"], disk = properties.storageProfile.dataDisks[0].name,'
        " last = properties.storageProfile.dataDisks[-1].lun,"
        " gone = properties.storageProfile.dataDisks[1].name,"
        " deep = properties.no.such.path, zone = zones[0], bad = name.length"
    )
    assert run_query(query, rows) == [
        {
            "env": "prod",
            "owner": "web-team",
            "team": "web-team",
            "disk": "web-01-data0",
            "last": 0,
            "gone": None,
            "deep": None,
            "zone": "1",
            "bad": None,
        }
    ]


def test_tag_keys_that_are_not_identifiers_need_brackets(rows: list[dict[str, Any]]) -> None:
    assert _names("Resources | where tags['cost-center'] == '42'", rows) == ["web-01-data0"]


def test_nested_array_element_property(rows: list[dict[str, Any]]) -> None:
    query = "Resources | where properties.ipConfigurations[0].properties.privateIPAddress startswith '10.0.'"
    assert _names(query, rows) == ["web-01-nic"]


def test_project_names_unaliased_columns_like_kql(rows: list[dict[str, Any]]) -> None:
    query = (
        "Resources | where name == 'web-01' | project name, properties.hardwareProfile.vmSize, tolower(name)"
    )
    assert run_query(query, rows) == [
        {"name": "web-01", "properties_hardwareProfile_vmSize": "Standard_D2s_v3", "Column1": "web-01"}
    ]


def test_project_keeps_dynamic_values_whole(rows: list[dict[str, Any]]) -> None:
    result = run_query("Resources | where name == 'web-01-data0' | project sku, tags", rows)
    assert result == [
        {"sku": {"name": "Premium_LRS", "tier": "Premium"}, "tags": {"env": "PROD", "cost-center": "42"}}
    ]


def test_project_away(rows: list[dict[str, Any]]) -> None:
    result = run_query("Resources | take 1 | project-away properties, tags", rows)
    assert "properties" not in result[0]
    assert "tags" not in result[0]
    assert result[0]["name"] == "web-01"


def test_extend_adds_replaces_and_chains_columns(rows: list[dict[str, Any]]) -> None:
    query = (
        "Resources | where type =~ 'microsoft.compute/virtualmachines'"
        " | extend size = properties.hardwareProfile.vmSize, small = size == 'Standard_D2s_v3',"
        " name = toupper(name)"
        " | project name, size, small"
    )
    assert run_query(query, rows) == [
        {"name": "WEB-01", "size": "Standard_D2s_v3", "small": True},
        {"name": "DB-01", "size": "Standard_E4s_v3", "small": False},
    ]


def test_columns_are_resolved_against_the_previous_stage(rows: list[dict[str, Any]]) -> None:
    assert run_query("Resources | project n = name | where n startswith 'db'", rows) == [{"n": "db-01"}]
    with pytest.raises(GraphQueryError, match="unknown column 'location'"):
        run_query("Resources | project name | where location == 'global'", rows)


def test_order_by_defaults_to_descending(rows: list[dict[str, Any]]) -> None:
    assert _names("Resources | order by name", rows) == [
        "web-01-nic",
        "web-01-data0",
        "web-01",
        "require-tags",
        "db-01",
    ]
    assert _names("Resources | sort by name asc", rows) == sorted(ALL)


def test_order_by_puts_nulls_last_descending_and_first_ascending(rows: list[dict[str, Any]]) -> None:
    assert _names("Resources | order by tags.env desc", rows) == [
        "web-01",
        "db-01",
        "web-01-data0",
        "web-01-nic",
        "require-tags",
    ]
    assert _names("Resources | order by tags.env asc", rows) == [
        "web-01-nic",
        "require-tags",
        "web-01-data0",
        "db-01",
        "web-01",
    ]


def test_order_by_several_keys_is_stable(rows: list[dict[str, Any]]) -> None:
    assert _names("Resources | order by location asc, type desc", rows) == [
        "require-tags",
        "db-01",
        "web-01-nic",
        "web-01",
        "web-01-data0",
    ]
    assert _names("Resources | order by resourceGroup desc", rows) == [
        "web-01",
        "web-01-data0",
        "web-01-nic",
        "db-01",
        "require-tags",
    ]


def test_take_and_limit(rows: list[dict[str, Any]]) -> None:
    assert _names("Resources | take 2", rows) == ["web-01", "db-01"]
    assert _names("Resources | order by name asc | limit 1", rows) == ["db-01"]
    assert _names("Resources | take 0", rows) == []


def test_count(rows: list[dict[str, Any]]) -> None:
    assert run_query("Resources | count", rows) == [{"Count": 5}]
    assert run_query("Resources | where type =~ 'microsoft.compute/disks' | count", rows) == [{"Count": 1}]
    assert run_query("Resources | where false | count", rows) == [{"Count": 0}]
    assert run_query("Resources | count | where Count > 3", rows) == [{"Count": 5}]


def test_summarize_count_by_column_keeps_first_seen_order(rows: list[dict[str, Any]]) -> None:
    assert run_query("Resources | summarize count() by type", rows) == [
        {"type": "microsoft.compute/virtualmachines", "count_": 2},
        {"type": "microsoft.compute/disks", "count_": 1},
        {"type": "microsoft.network/networkinterfaces", "count_": 1},
        {"type": "microsoft.authorization/policyassignments", "count_": 1},
    ]


def test_summarize_with_alias_keys_and_follow_up_operators(rows: list[dict[str, Any]]) -> None:
    query = (
        "Resources | summarize n = count() by resourceGroup, env = tolower(tags.env)"
        " | where n > 1 | project env, n"
    )
    assert run_query(query, rows) == [{"env": "prod", "n": 2}]


def test_summarize_without_by_gives_one_row_even_when_empty(rows: list[dict[str, Any]]) -> None:
    assert run_query("Resources | summarize count()", rows) == [{"count_": 5}]
    assert run_query("Resources | where false | summarize count()", rows) == [{"count_": 0}]
    assert run_query("Resources | where false | summarize count() by type", rows) == []


def test_distinct(rows: list[dict[str, Any]]) -> None:
    assert run_query("Resources | distinct location", rows) == [
        {"location": "westeurope"},
        {"location": "northeurope"},
        {"location": "global"},
    ]
    assert run_query("Resources | where isnotnull(sku) or isnull(tags) | distinct sku", rows) == [
        {"sku": {"name": "Premium_LRS", "tier": "Premium"}},
        {"sku": None},
    ]


def test_keywords_are_case_insensitive(rows: list[dict[str, Any]]) -> None:
    query = (
        "RESOURCES | WHERE type IN~ ('microsoft.compute/VIRTUALMACHINES') AND NOT(name Contains 'db')"
        " | Project name | ORDER BY name ASC | TAKE 5"
    )
    assert _names(query, rows) == ["web-01"]


def test_string_literals(rows: list[dict[str, Any]]) -> None:
    assert _names('Resources | where name == "db-01"', rows) == ["db-01"]
    assert run_query(r"Resources | where name != 'it\'s' and name !~ @'C:\x' | count", rows) == [{"Count": 5}]
    assert run_query(r"Resources | take 1 | project q = 'it\'s', p = @'C:\x', n = -2", rows) == [
        {"q": "it's", "p": "C:\\x", "n": -2}
    ]


def test_comments_and_newlines_are_ignored(rows: list[dict[str, Any]]) -> None:
    query = "Resources\n// only the NIC\n| where name endswith 'nic'\n| project name"
    assert _names(query, rows) == ["web-01-nic"]


def test_projection_leaves_the_input_rows_whole(rows: list[dict[str, Any]]) -> None:
    result = run_query("Resources | project tags", rows)
    result[0]["extra"] = 1
    assert list(result[0]) == ["tags", "extra"]
    assert "name" in rows[0] and "extra" not in rows[0]
