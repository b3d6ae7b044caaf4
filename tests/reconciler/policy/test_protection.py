"""builtin.no_destroy_protected: protected by tag, by prevent_destroy, by address glob."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reconciler.policy import PolicySettings
from reconciler.policy import evaluate
from reconciler.terraform.terraform import Terraform
from state.proposal import Violation

if TYPE_CHECKING:
    from conftest import Case
    from conftest import Propose

RULE = "builtin.no_destroy_protected"


def _protection(violations: list[Violation]) -> list[tuple[str, str]]:
    return [(v.address, v.message) for v in violations if v.rule == RULE]


def test_replacing_a_group_tagged_protected_is_refused_and_says_why(replace_case: Case) -> None:
    case = replace_case
    found = _protection(evaluate(case.plan, case.edits, PolicySettings(), case.root))
    # The untagged group is deleted too, but nothing protects it.
    assert found == [
        (
            "azurerm_resource_group.core",
            "azurerm_resource_group.core would be replaced (destroy then create) because location cannot "
            'change in place; it is protected by tag protected = "True"',
        )
    ]


@pytest.mark.parametrize(
    ("tags", "protected"),
    [
        ({"Protected": "TRUE"}, True),
        ({"protected": " true "}, True),
        ({"protected": "false"}, False),
        ({"protected-by": "true"}, False),
        ({}, False),
    ],
)
def test_protected_tag_is_read_from_what_exists_in_any_case(
    replace_case: Case, tags: dict[str, str], protected: bool
) -> None:
    case = replace_case
    plan = copy.deepcopy(case.plan)
    [scratch] = [rc for rc in plan["resource_changes"] if rc["address"] == "azurerm_resource_group.scratch"]
    scratch["change"]["before"]["tags"] = tags
    found = [a for a, _ in _protection(evaluate(plan, case.edits, PolicySettings(), case.root))]
    assert ("azurerm_resource_group.scratch" in found) is protected


def test_address_globs_protect_with_literal_brackets(replace_case: Case) -> None:
    case = replace_case
    settings = PolicySettings(protected=("azurerm_resource_group.scr*",))
    found = _protection(evaluate(case.plan, case.edits, settings, case.root))
    assert [a for a, _ in found] == ["azurerm_resource_group.core", "azurerm_resource_group.scratch"]
    assert found[1][1] == (
        "azurerm_resource_group.scratch would be destroyed; it is protected by "
        'policy.protected "azurerm_resource_group.scr*"'
    )
    # One violation per resource, with every reason.
    everything = PolicySettings(protected=("azurerm_*",))
    [core, _] = _protection(evaluate(case.plan, case.edits, everything, case.root))
    assert core[1].endswith('protected by tag protected = "True", policy.protected "azurerm_*"')
    # fnmatch would read ["x"] as a character class; these globs are literal there.
    assert _protection(evaluate(case.plan, case.edits, PolicySettings(protected=("a[z]*",)), case.root)) == [
        found[0]
    ]


def test_a_plan_that_destroys_nothing_passes_every_protection(codify_case: Case) -> None:
    case = codify_case
    settings = PolicySettings(protected=("*",))
    assert _protection(evaluate(case.plan, case.edits, settings, case.root)) == []


MAIN = """\
resource "terraform_data" "keep" {
  input = "v1"

  lifecycle {
    prevent_destroy = true
  }
}

resource "terraform_data" "spare" {
  input = "v1"
}

module "m" {
  source = "./modules/m"
  count  = 1
}
"""

MODULE = """\
resource "terraform_data" "inner" {
  for_each = toset(["a", "b"])
  input    = each.key
  lifecycle { prevent_destroy = true }
}
"""


def test_prevent_destroy_protects_blocks_a_proposal_removes(
    tf: Terraform, propose: Propose, tmp_path: Path
) -> None:
    root = tmp_path / "ws"
    (root / "modules" / "m").mkdir(parents=True)
    (root / "main.tf").write_text(MAIN)
    (root / "modules" / "m" / "main.tf").write_text(MODULE)
    tf.init(root)
    tf.apply(root)

    # Removing a block removes its lifecycle too: Terraform itself plans the deletes without complaint.
    case = propose(root, {"main.tf": 'resource "terraform_data" "spare" {\n  input = "v1"\n}\n'})
    actions = {rc["address"]: rc["change"]["actions"] for rc in case.plan["resource_changes"]}
    assert actions == {
        "terraform_data.keep": ["delete"],
        "terraform_data.spare": ["no-op"],
        'module.m[0].terraform_data.inner["a"]': ["delete"],
        'module.m[0].terraform_data.inner["b"]': ["delete"],
    }
    found = _protection(evaluate(case.plan, case.edits, PolicySettings(), case.root))
    assert found == [
        (
            "terraform_data.keep",
            "terraform_data.keep would be destroyed; it is protected by lifecycle prevent_destroy "
            "(main.tf:1)",
        ),
        (
            'module.m[0].terraform_data.inner["a"]',
            'module.m[0].terraform_data.inner["a"] would be destroyed; it is protected by lifecycle '
            "prevent_destroy (modules/m/main.tf:1)",
        ),
        (
            'module.m[0].terraform_data.inner["b"]',
            'module.m[0].terraform_data.inner["b"] would be destroyed; it is protected by lifecycle '
            "prevent_destroy (modules/m/main.tf:1)",
        ),
    ]

    # An update of the same blocks is no destroy: nothing to refuse.
    case = propose(root, {"main.tf": MAIN.replace('"v1"', '"v2"')})
    assert {tuple(rc["change"]["actions"]) for rc in case.plan["resource_changes"]} == {
        ("update",),
        ("no-op",),
    }
    assert _protection(evaluate(case.plan, case.edits, PolicySettings(), case.root)) == []
