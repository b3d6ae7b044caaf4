"""Data source schemas derive from the resource schemas: arguments required, the rest computed."""

from __future__ import annotations

from providers.azure.mapping import MAPPINGS
from providers.azure.mapping.data_sources import DATA_SOURCES
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Kind


def test_each_data_source_is_its_resource_made_computed_except_the_arguments() -> None:
    for tf_type, source in DATA_SOURCES.items():
        resource = {i.name: i for i in MAPPINGS[tf_type].schema}
        for item in source.schema:
            assert isinstance(item, Attr), (tf_type, item.name)  # no blocks in a data source here
            assert not item.optional and item.default is None and not item.force_new
            if item.name in source.arguments:
                assert item.required and not item.computed, (tf_type, item.name)
            else:
                assert item.computed and not item.required, (tf_type, item.name)
        arguments = [i.name for i in source.schema if i.required]
        assert sorted(arguments) == sorted(source.arguments)
        assert resource["id"].computed and any(i.name == "id" for i in source.schema)


def test_a_network_data_source_lists_what_azurerm_lists() -> None:
    vnet = {i.name: i for i in DATA_SOURCES["azurerm_virtual_network"].schema}
    assert vnet["address_space"].kind is Kind.LIST_STRING  # a set on the resource: indexable here
    assert vnet["subnets"].kind is Kind.LIST_STRING and "subnet" not in vnet
    assert "flow_timeout_in_minutes" not in vnet
