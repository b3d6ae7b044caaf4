from __future__ import annotations

import pytest

from reconciler.workspace import ModuleStep
from reconciler.workspace import ResourceAddress
from reconciler.workspace import format_address
from reconciler.workspace import parse_address
from reconciler.workspace.addresses import parse_module


@pytest.mark.parametrize(
    ("address", "parsed"),
    [
        ("azurerm_resource_group.main", ResourceAddress((), "managed", "azurerm_resource_group", "main")),
        (
            "data.azurerm_client_config.current",
            ResourceAddress((), "data", "azurerm_client_config", "current"),
        ),
        ("datadog_monitor.cpu[3]", ResourceAddress((), "managed", "datadog_monitor", "cpu", 3)),
        (
            'module.net["eu"].module.sub[0].data.azurerm_subnet.this["a.b"]',
            ResourceAddress(
                (ModuleStep("net", "eu"), ModuleStep("sub", 0)), "data", "azurerm_subnet", "this", "a.b"
            ),
        ),
        ('azurerm_x.y["say \\"hi\\"\\n"]', ResourceAddress((), "managed", "azurerm_x", "y", 'say "hi"\n')),
        ('azurerm_x.y["$${a} %%{b} $x"]', ResourceAddress((), "managed", "azurerm_x", "y", "${a} %{b} $x")),
        ('azurerm_x.y["\\u0007bell"]', ResourceAddress((), "managed", "azurerm_x", "y", "\x07bell")),
    ],
)
def test_addresses_parse_and_print_as_terraform_writes_them(address: str, parsed: ResourceAddress) -> None:
    assert parse_address(address) == parsed
    assert str(parsed) == address


def test_config_address_drops_every_instance_key() -> None:
    parsed = parse_address('module.a["k"].module.b[1].azurerm_x.y[2]')
    assert parsed.config_address == "module.a.module.b.azurerm_x.y"
    assert parsed.module_path == ("a", "b")


def test_format_address_from_state_parts() -> None:
    assert format_address('module.net["eu"]', "managed", "azurerm_subnet", "this", 0) == (
        'module.net["eu"].azurerm_subnet.this[0]'
    )
    assert (
        format_address("", "data", "azurerm_client_config", "current") == "data.azurerm_client_config.current"
    )
    assert format_address("", "managed", "azurerm_x", "y", "") == 'azurerm_x.y[""]'


def test_module_addresses() -> None:
    assert parse_module('module.net["eu"].module.sub') == (ModuleStep("net", "eu"), ModuleStep("sub"))
    assert parse_module("") == ()


@pytest.mark.parametrize(
    "text",
    ["", "azurerm_x", "azurerm_x.y.z", "azurerm_x.y[", 'azurerm_x.y["open', "module.m", "azurerm_x.y[a]"],
)
def test_text_that_is_not_an_address(text: str) -> None:
    with pytest.raises(ValueError, match="not a resource address"):
        parse_address(text)
