"""Ignore rules from reconcile.toml, and lifecycle ignore_changes."""

from __future__ import annotations

import pytest

from reconciler.drift.ignore import IgnoreRule
from reconciler.drift.ignore import parse_rules
from reconciler.drift.ignore import patterns
from reconciler.errors import ConfigError


def test_rules_by_type_and_address_combine_with_lifecycle() -> None:
    rules = parse_rules(
        [
            {"type": "azurerm_linux_virtual_machine", "attributes": ["tags.patched"], "reason": "patch job"},
            {"address": "module.legacy.*", "reason": "legacy team"},
        ],
        "reconcile.toml: ignore",
    )
    assert rules[0] == IgnoreRule("", "azurerm_linux_virtual_machine", ("tags.patched",), "patch job")
    vm = "azurerm_linux_virtual_machine"
    assert patterns(rules, "azurerm_linux_virtual_machine.web[0]", vm, ("size",)) == ("size", "tags.patched")
    assert patterns(rules, "module.legacy.azurerm_subnet.a", "azurerm_subnet") == ("*",)
    assert patterns(rules, "azurerm_subnet.a", "azurerm_subnet", "all") == ("*",)
    assert patterns(rules, "azurerm_subnet.a", "azurerm_subnet") == ()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (["tags"], "reconcile.toml: ignore[0]: expected a table"),
        ([{"attributes": ["tags"]}], "reconcile.toml: ignore[0]: give an address or a type"),
        ([{"type": "x", "attributes": "tags"}], "reconcile.toml: ignore[0].attributes: expected an array"),
        (
            [{"type": "x"}, {"type": "y", "atributes": []}],
            "reconcile.toml: ignore[1]: unknown key 'atributes'",
        ),
    ],
)
def test_bad_rules_name_the_key(raw: list[object], message: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_rules(raw, "reconcile.toml: ignore")
    assert str(e.value).startswith(message)
