"""Required tags, allowed locations and allowed VM sizes over the values a plan establishes."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from reconciler.policy import PolicySettings
from reconciler.policy import evaluate
from state.proposal import Violation

if TYPE_CHECKING:
    from conftest import Case


def _judge(case: Case, settings: PolicySettings, rule: str) -> list[tuple[str, str]]:
    return [
        (v.address, v.message) for v in evaluate(case.plan, case.edits, settings, case.root) if v.rule == rule
    ]


def test_required_tags_on_every_created_taggable_resource(replace_case: Case) -> None:
    found = _judge(replace_case, PolicySettings(required_tags=("owner",)), "builtin.required_tags")
    # The subnet has no tags to set; the deleted group is gone; the network, NIC and group carry owner.
    assert found == [
        (
            "azurerm_linux_virtual_machine.web",
            "azurerm_linux_virtual_machine.web lacks required tag owner (it has env)",
        )
    ]
    several = _judge(replace_case, PolicySettings(required_tags=("owner", "Env")), "builtin.required_tags")
    assert [a for a, _ in several] == [
        "azurerm_linux_virtual_machine.web",
        "azurerm_network_interface.web",
        "azurerm_resource_group.core",
        "azurerm_virtual_network.net",
    ]
    assert several[1][1] == "azurerm_network_interface.web lacks required tag Env (it has owner)"


def test_required_tags_pass_when_present_in_any_case(replace_case: Case) -> None:
    plan = copy.deepcopy(replace_case.plan)
    [vm] = [rc for rc in plan["resource_changes"] if rc["type"] == "azurerm_linux_virtual_machine"]
    vm["change"]["after"]["tags"] = {"Owner": "web-team", "env": "prod"}
    case = replace_case._replace(plan=plan)
    assert _judge(case, PolicySettings(required_tags=("owner",)), "builtin.required_tags") == []


def test_a_tag_known_only_after_apply_counts_as_present(replace_case: Case) -> None:
    plan = copy.deepcopy(replace_case.plan)
    [vm] = [rc for rc in plan["resource_changes"] if rc["type"] == "azurerm_linux_virtual_machine"]
    vm["change"]["after_unknown"]["tags"] = {"owner": True}
    case = replace_case._replace(plan=plan)
    assert _judge(case, PolicySettings(required_tags=("owner",)), "builtin.required_tags") == []


def test_locations_outside_the_allowed_regions_are_refused(replace_case: Case) -> None:
    found = _judge(
        replace_case, PolicySettings(allowed_locations=("West Europe",)), "builtin.allowed_locations"
    )
    assert found == [
        (
            "azurerm_network_interface.web",
            "azurerm_network_interface.web is planned in eastus, outside the allowed locations (West Europe)",
        ),
        (
            "azurerm_resource_group.core",
            "azurerm_resource_group.core is planned in northeurope, outside the allowed locations "
            "(West Europe)",
        ),
        (
            "azurerm_virtual_network.net",
            "azurerm_virtual_network.net is planned in northeurope, outside the allowed locations "
            "(West Europe)",
        ),
    ]


def test_allowed_locations_match_in_either_spelling(replace_case: Case) -> None:
    settings = PolicySettings(allowed_locations=("westeurope", "North Europe", "East US"))
    assert _judge(replace_case, settings, "builtin.allowed_locations") == []
    assert _judge(replace_case, PolicySettings(), "builtin.allowed_locations") == []  # no list: any region


def test_vm_sizes_outside_the_allowed_list_are_refused(replace_case: Case) -> None:
    found = _judge(
        replace_case, PolicySettings(allowed_vm_sizes=("Standard_B1s",)), "builtin.allowed_vm_sizes"
    )
    assert found == [
        (
            "azurerm_linux_virtual_machine.web",
            "azurerm_linux_virtual_machine.web has size Standard_D64s_v5, not an allowed size (Standard_B1s)",
        )
    ]
    allowed = PolicySettings(allowed_vm_sizes=("Standard_B1s", "standard_d64s_v5"))
    assert _judge(replace_case, allowed, "builtin.allowed_vm_sizes") == []


def test_codify_is_judged_on_the_live_values_it_accepts(codify_case: Case) -> None:
    """The resize codified plans no change, but writes Standard_D4s_v3 into the code: refused."""
    assert {tuple(rc["change"]["actions"]) for rc in codify_case.plan["resource_changes"]} == {("no-op",)}
    settings = PolicySettings(
        allowed_vm_sizes=("Standard_B1s",), allowed_locations=("westeurope",), required_tags=("owner",)
    )
    found = evaluate(codify_case.plan, codify_case.edits, settings, codify_case.root)
    # Everything sits in East US and the VM has no owner tag, but none of that drifted or is planned:
    # only the drifted size is this proposal's doing. The NIC and network drifted only in computed values.
    assert found == [
        Violation(
            "builtin.allowed_vm_sizes",
            "azurerm_linux_virtual_machine.web",
            "azurerm_linux_virtual_machine.web has size Standard_D4s_v3, not an allowed size (Standard_B1s)",
        )
    ]
