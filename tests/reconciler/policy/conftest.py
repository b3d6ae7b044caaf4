"""Proposals to judge: recorded sandbox plans, and real Terraform over ``terraform_data`` workspaces.

``fixtures/replace`` and ``fixtures/codify`` hold ``terraform show -json`` of real plans the sandbox's
azurerm provider made, with the workspace before and after the proposal:

- replace: ``before.tf`` applied, then ``after.tf`` planned: the group tagged ``protected = "True"`` moves
  to North Europe (replaced), the untagged group is removed (deleted), a network, a subnet, a NIC in
  East US and a Standard_D64s_v5 VM tagged only ``env`` are created;
- codify: ``before.tf`` applied (everything in East US, a Standard_B1s VM), the VM resized to
  Standard_D4s_v3 by the sandbox CLI, then ``after.tf`` (the size codified) planned: all no-op, with the
  VM, and the NIC's and network's computed attributes, in ``resource_drift``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import NamedTuple

import pytest
from sandbox_cloud import cloud

from reconciler.terraform.engine import EmbeddedEngine
from reconciler.terraform.terraform import Terraform
from state.proposal import FileEdit

__all__ = ["Case", "Propose", "cloud", "codify_case", "propose", "replace_case", "tf"]

FIXTURES = Path(__file__).parent / "fixtures"


class Case(NamedTuple):
    """A proposal as the guardrails see it: the workspace it was made for, its plan and its edits."""

    root: Path
    plan: dict[str, Any]
    edits: tuple[FileEdit, ...]


#: ``propose(root, {path: text}, tf=None)``: the proposal's plan, by the embedded Terraform unless given one
Propose = Callable[..., Case]


def recorded(name: str, tmp_path: Path) -> Case:
    """A recorded case; its workspace (``before.tf`` as ``main.tf``) is a fresh copy under ``tmp_path``."""
    source = FIXTURES / name
    root = tmp_path / name
    root.mkdir()
    before = (source / "before.tf").read_text()
    (root / "main.tf").write_text(before)
    plan = json.loads((source / "plan.json").read_text())
    return Case(root, plan, (FileEdit("main.tf", before, (source / "after.tf").read_text()),))


@pytest.fixture
def replace_case(tmp_path: Path) -> Case:
    return recorded("replace", tmp_path)


@pytest.fixture
def codify_case(tmp_path: Path) -> Case:
    return recorded("codify", tmp_path)


@pytest.fixture
def tf() -> Iterator[Terraform]:
    with Terraform(EmbeddedEngine()) as terraform:
        yield terraform


@pytest.fixture
def propose(tf: Terraform) -> Propose:
    return lambda root, after, with_tf=None: plan_proposal(with_tf or tf, root, after)


def plan_proposal(tf: Terraform, root: Path, after: Mapping[str, str]) -> Case:
    """Plan ``root`` with the files ``after`` (path → text; "" removes one) in a copy, as validation does."""
    copy = root.parent / f"{root.name}-proposal"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, symlinks=True)
    edits = []
    for path, text in after.items():
        before = (root / path).read_text() if (root / path).is_file() else ""
        edits.append(FileEdit(path, before, text))
        target = copy / path
        if text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        else:
            target.unlink()
    outcome = tf.plan(copy, out=Path("proposal.tfplan"))
    assert outcome.planfile is not None
    return Case(root, tf.show_plan_json(outcome.planfile, copy), tuple(edits))
