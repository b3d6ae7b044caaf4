"""changed_only: an update sends what the plan changed and keeps everything else of the live body."""

from __future__ import annotations

from providers.azure.mapping.merge import changed_only


def test_only_changed_members_reach_the_live_body() -> None:
    before = {
        "tags": {"env": "dev"},
        "properties": {"hardwareProfile": {"vmSize": "B1s"}, "priority": "Regular"},
    }
    after = {
        "tags": {"env": "dev"},
        "properties": {"hardwareProfile": {"vmSize": "B2s"}, "priority": "Regular"},
    }
    live = {
        "tags": {"env": "dev", "owner": "ops"},  # unchanged in the plan: the live value stays
        "identity": {"type": "SystemAssigned"},
        "properties": {"hardwareProfile": {"vmSize": "B1s"}, "priority": "Regular", "vmId": "x"},
    }
    out = changed_only(before, after, live)
    assert out["properties"] == {"hardwareProfile": {"vmSize": "B2s"}, "priority": "Regular", "vmId": "x"}
    assert out["tags"] == {"env": "dev", "owner": "ops"} and out["identity"] == {"type": "SystemAssigned"}
    assert live["properties"]["hardwareProfile"]["vmSize"] == "B1s"  # the input is not modified


def test_lists_replace_whole_and_removed_members_go() -> None:
    before = {"properties": {"evictionPolicy": "Delete", "nics": [{"id": "a"}]}}
    after = {"properties": {"nics": [{"id": "a"}, {"id": "b"}]}}
    live = {"properties": {"evictionPolicy": "Delete", "nics": [{"id": "a", "primary": True}]}}
    out = changed_only(before, after, live)
    assert out == {"properties": {"nics": [{"id": "a"}, {"id": "b"}]}}
