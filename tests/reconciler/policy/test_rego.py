"""User policies in Rego (v1 and v0), evaluated by regopy against the plan JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reconciler.errors import ReconcileError
from reconciler.policy import PolicyError
from reconciler.policy import PolicySettings
from reconciler.policy import evaluate
from state.proposal import Violation

if TYPE_CHECKING:
    from conftest import Case

OWNERS = """\
package reconcile.owners

# Rego v1, string messages.
deny contains msg if {
    some rc in input.resource_changes
    "create" in rc.change.actions
    is_object(rc.change.after.tags)
    not rc.change.after.tags.owner
    msg := sprintf("%s is created without an owner tag", [rc.address])
}
"""

GROUPS = """\
package reconcile.groups

import data.lib.azure

# Rego v1, object messages; reads prior_state and a library package.
deny contains {"msg": msg, "address": rc.address} if {
    some old in input.prior_state.values.root_module.resources
    old.type in azure.group_types
    some rc in input.resource_changes
    rc.address == old.address
    rc.change.after.location != old.values.location
    msg := sprintf("group %s would move from %s to %s", [old.values.name, old.values.location,
        rc.change.after.location])
}
"""

SUBNETS = """\
package reconcile.subnets

# An object: address -> message.
deny[rc.address] := "subnets are planned by the network team" if {
    some rc in input.resource_changes
    rc.type == "azurerm_subnet"
}
"""

LIBRARY = """\
package lib.azure

group_types := {"azurerm_resource_group"}

# Not a reconcile package: a library, never judged.
deny contains "libraries do not judge"
"""

LEGACY = """\
package reconcile.legacy

# Rego v0: partial sets without `contains` / `if`.
deny[msg] {
    rc := input.resource_changes[_]
    rc.type == "azurerm_network_interface"
    msg := sprintf("NICs belong to the network team: %s", [rc.address])
}

deny[{"msg": "new VMs need a capacity review", "address": rc.address}] {
    rc := input.resource_changes[_]
    rc.type == "azurerm_linux_virtual_machine"
    rc.change.actions[_] == "create"
}
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _users(case: Case, settings: PolicySettings | None = None) -> list[Violation]:
    found = evaluate(case.plan, case.edits, settings or PolicySettings(), case.root)
    return [v for v in found if not v.rule.startswith("builtin.")]


def test_policies_in_v1_and_v0_with_every_message_shape(replace_case: Case) -> None:
    _write(
        replace_case.root,
        {
            "policy/owners.rego": OWNERS,
            "policy/groups.rego": GROUPS,
            "policy/lib/azure.rego": LIBRARY,
            "policy/legacy.rego": LEGACY,
            "policy/subnets.rego": SUBNETS,
        },
    )
    web = "azurerm_linux_virtual_machine.web"
    assert _users(replace_case) == [
        Violation(
            "reconcile.groups.deny",
            "azurerm_resource_group.core",
            "group rg-core would move from westeurope to northeurope",
        ),
        Violation("reconcile.legacy.deny", web, "new VMs need a capacity review"),
        Violation(
            "reconcile.legacy.deny",
            "azurerm_network_interface.web",
            "NICs belong to the network team: azurerm_network_interface.web",
        ),
        # A string message is attributed to the planned address it names.
        Violation("reconcile.owners.deny", web, f"{web} is created without an owner tag"),
        Violation("reconcile.subnets.deny", "azurerm_subnet.web", "subnets are planned by the network team"),
    ]


def test_built_in_violations_come_first(replace_case: Case) -> None:
    _write(replace_case.root, {"policy/owners.rego": OWNERS})
    rules = [
        v.rule for v in evaluate(replace_case.plan, replace_case.edits, PolicySettings(), replace_case.root)
    ]
    assert rules == ["builtin.no_destroy_protected", "reconcile.owners.deny"]


def test_a_policy_that_passes_reports_nothing(codify_case: Case) -> None:
    _write(codify_case.root, {"policy/owners.rego": OWNERS, "policy/legacy.rego": LEGACY.split("deny[{")[0]})
    assert [v.rule for v in _users(codify_case)] == ["reconcile.legacy.deny"]
    _write(codify_case.root, {"policy/legacy.rego": "package reconcile.legacy\n"})
    assert _users(codify_case) == []


BROKEN = """\
package reconcile.broken

deny contains msg if {
    msg := sprintf("%s", [
}
"""


def test_a_syntax_error_is_one_line_naming_the_file(replace_case: Case) -> None:
    _write(replace_case.root, {"policy/owners.rego": OWNERS, "policy/nested/broken.rego": BROKEN})
    with pytest.raises(PolicyError) as caught:
        evaluate(replace_case.plan, replace_case.edits, PolicySettings(), replace_case.root)
    message = str(caught.value)
    assert isinstance(caught.value, ReconcileError)
    assert "\n" not in message
    assert message.startswith("policy/nested/broken.rego:")
    line = int(message.split(":")[1])
    assert 3 <= line <= 5


def test_an_evaluation_error_names_the_file_and_package(replace_case: Case) -> None:
    typo = OWNERS.replace("sprintf(", "sprintff(").replace("reconcile.owners", "reconcile.typo")
    _write(replace_case.root, {"policy/typo.rego": typo})
    with pytest.raises(PolicyError, match=r"^policy/typo\.rego \(package reconcile\.typo\): .*sprintff"):
        evaluate(replace_case.plan, replace_case.edits, PolicySettings(), replace_case.root)


def test_a_file_without_a_package_is_refused(replace_case: Case) -> None:
    _write(replace_case.root, {"policy/empty.rego": "# nothing yet\n"})
    with pytest.raises(PolicyError, match=r"^policy/empty\.rego:1: no package declaration$"):
        evaluate(replace_case.plan, replace_case.edits, PolicySettings(), replace_case.root)


def test_configured_paths_replace_the_default_directory(replace_case: Case, tmp_path: Path) -> None:
    root = replace_case.root
    _write(root, {"policy/owners.rego": OWNERS, "policy/.drafts/broken.rego": BROKEN})
    shared = tmp_path / "shared"
    _write(shared, {"legacy.rego": LEGACY, "groups.rego": GROUPS, "lib/azure.rego": LIBRARY})

    # The default: the workspace's policy/ (hidden folders skipped).
    assert {v.rule for v in _users(replace_case)} == {"reconcile.owners.deny"}
    # A file and a directory, relative to the workspace or absolute.
    settings = PolicySettings(paths=("policy/owners.rego", str(shared)))
    assert {v.rule for v in _users(replace_case, settings)} == {
        "reconcile.owners.deny",
        "reconcile.legacy.deny",
        "reconcile.groups.deny",
    }
    # No paths: no user policies at all.
    assert _users(replace_case, PolicySettings(paths=())) == []
    with pytest.raises(PolicyError, match=r"rules: no such policy file or directory \(policy\.paths\)$"):
        evaluate(replace_case.plan, (), PolicySettings(paths=("rules",)), root)
