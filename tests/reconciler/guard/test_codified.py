"""Does the configuration say what the cloud holds? Judged with the real azurerm schemas of the mapping."""

from __future__ import annotations

from typing import Any

import pytest

from providers.azure.mapping import MAPPINGS
from reconciler.guard.codified import Keyed
from reconciler.guard.codified import compare
from reconciler.guard.codified import configured_at
from reconciler.guard.codified import path_steps
from reconciler.guard.values import ABSENT
from reconciler.guard.values import Unknown
from state.report import MASK

VM = MAPPINGS["azurerm_linux_virtual_machine"].schema
NSG = MAPPINGS["azurerm_network_security_group"].schema
RG = MAPPINGS["azurerm_resource_group"].schema
SSH = {
    "name": "allow-ssh",
    "priority": 200,
    "direction": "Inbound",
    "access": "Allow",
    "protocol": "Tcp",
    "source_port_range": "*",
    "destination_port_range": "22",
    "source_address_prefix": "*",
    "destination_address_prefix": "*",
}


def _outcome(body: dict[str, Any], path: str, live: Any, schema: Any) -> str:
    configured, item = configured_at(body, path, schema)
    return compare(configured, live, item)


def test_paths_split_into_names_indexes_and_keyed_elements() -> None:
    assert path_steps('security_rule["allow-ssh"].priority') == [
        "security_rule",
        Keyed("allow-ssh"),
        "priority",
    ]
    assert path_steps("os_disk.0.caching") == ["os_disk", 0, "caching"]


def test_a_scalar_is_codified_only_when_it_says_the_live_value() -> None:
    assert _outcome({"size": "Standard_B2s"}, "size", "Standard_B2s", VM) == "same"
    assert _outcome({"size": "Standard_B1s"}, "size", "Standard_B2s", VM) == "differs"
    # azurerm's own spelling rules: a location is the same place however it is written.
    assert _outcome({"location": "West Europe"}, "location", "westeurope", RG) == "same"


def test_a_map_entry_the_configuration_leaves_out_is_not_codified() -> None:
    body = {"tags": {"env": "dev"}}
    assert _outcome(body, "tags.owner", "alice", VM) == "differs"
    assert _outcome({"tags": {"env": "dev", "owner": "alice"}}, "tags.owner", "alice", VM) == "same"
    # A tag key with dots is one key.
    assert _outcome({"tags": {"cost.center": "7"}}, "tags.cost.center", "7", VM) == "same"


def test_numbers_written_as_strings_are_numbers_where_the_schema_says_so() -> None:
    disk = MAPPINGS["azurerm_managed_disk"].schema
    assert _outcome({"disk_size_gb": "64"}, "disk_size_gb", 64, disk) == "same"
    assert _outcome({"disk_size_gb": 32}, "disk_size_gb", 64, disk) == "differs"


def test_a_block_removed_out_of_band_is_codified_by_removing_it() -> None:
    uri = Unknown("azurerm_storage_account.diagnostics.primary_blob_endpoint")
    assert (
        _outcome({"boot_diagnostics": [{"storage_account_uri": uri}]}, "boot_diagnostics", [], VM)
        == "differs"
    )
    assert _outcome({}, "boot_diagnostics", [], VM) == "same"


def test_an_element_of_a_keyed_set_is_found_by_its_key() -> None:
    http = {**SSH, "name": "allow-http", "priority": 100, "destination_port_range": "80"}
    path = 'security_rule["allow-ssh"]'
    assert _outcome({"security_rule": [http]}, path, SSH, NSG) == "differs"
    assert _outcome({"security_rule": [http, SSH]}, path, SSH, NSG) == "same"
    assert _outcome({"security_rule": [http, {**SSH, "priority": 300}]}, path, SSH, NSG) == "differs"
    # Removed out of band: codified when the configuration no longer has it either.
    assert _outcome({"security_rule": [http]}, path, None, NSG) == "same"
    assert _outcome({"security_rule": [http, SSH]}, path, None, NSG) == "differs"


def test_expressions_and_secrets_cannot_be_judged_statically() -> None:
    assert _outcome({"size": Unknown("local.size")}, "size", "Standard_B2s", VM) == "unknown"
    assert _outcome({"admin_password": "x"}, "admin_password", MASK, VM) == "unknown"
    dynamic = {"dynamic": [{"security_rule": {"for_each": "${var.rules}"}}]}
    assert _outcome(dynamic, 'security_rule["allow-ssh"]', SSH, NSG) == "unknown"


@pytest.mark.parametrize(("live", "outcome"), [(None, "same"), ("", "same"), ("x", "differs")])
def test_an_attribute_left_unset_is_codified_only_when_the_cloud_has_nothing_either(
    live: Any, outcome: str
) -> None:
    configured, item = configured_at({}, "custom_data", VM)
    assert configured is ABSENT
    assert compare(configured, live, item) == outcome
