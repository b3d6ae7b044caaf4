"""Comparing state with live values in attribute space: spelling is never drift; real changes are exact."""

from __future__ import annotations

from providers.azure.mapping import MAPPINGS
from reconciler.drift.compare import compare
from state.report import MASK
from state.report import Change

VNET = MAPPINGS["azurerm_virtual_network"].schema
VM = MAPPINGS["azurerm_linux_virtual_machine"].schema


def _vnet(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
        "name": "v",
        "resource_group_name": "rg",
        "location": "westeurope",
        "address_space": ["10.0.0.0/16", "10.1.0.0/16"],
        "dns_servers": [],
        "tags": {"env": "dev"},
        "guid": "g-1",
        "subnet": [],
    }
    return {**base, **overrides}


def test_spelling_order_of_sets_and_empty_versus_null_are_not_drift() -> None:
    live = _vnet(
        location="West Europe",
        address_space=["10.1.0.0/16", "10.0.0.0/16"],
        dns_servers=None,
        resource_group_name="RG",
        guid="g-2",  # computed by Azure: never drift
    )
    assert compare(VNET, _vnet(), live) == []


def test_changes_are_exact_with_dotted_paths() -> None:
    live = _vnet(tags={"env": "prod", "owner": "alice"}, dns_servers=["10.0.0.4"])
    assert compare(VNET, _vnet(), live) == [
        Change("dns_servers", [], ["10.0.0.4"]),
        Change("tags.env", "dev", "prod"),
        Change("tags.owner", None, "alice"),
    ]


def test_nested_block_paths_use_list_indexes() -> None:
    state = {"name": "vm", "os_disk": [{"caching": "ReadWrite", "disk_size_gb": 30}]}
    live = {"name": "vm", "os_disk": [{"caching": "None", "disk_size_gb": 30}]}
    assert compare(VM, state, live) == [Change("os_disk.0.caching", "ReadWrite", "None")]


def test_ignore_globs_and_sensitive_values() -> None:
    live = _vnet(tags={"env": "prod", "patched": "yes"}, dns_servers=["10.0.0.4"])
    assert compare(VNET, _vnet(), live, ignore=("tags.patched", "dns_*")) == [
        Change("tags.env", "dev", "prod")
    ]
    assert compare(VNET, _vnet(), live, ignore=("tags",)) == [Change("dns_servers", [], ["10.0.0.4"])]
    masked = compare(VNET, _vnet(), live, ignore=("dns_servers",), sensitive=[("tags",)])
    assert masked == [Change("tags.env", MASK, MASK), Change("tags.patched", MASK, MASK)]


def test_schema_sensitive_attributes_are_always_masked() -> None:
    state = {"name": "vm", "admin_password": "old-secret"}
    live = {"name": "vm", "admin_password": "new-secret"}
    changes = compare(VM, state, live)
    assert changes == [Change("admin_password", MASK, MASK)]
    assert "secret" not in repr(changes)
