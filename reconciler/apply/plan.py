"""The saved plan an apply applies, and what it may change.

The plan is made once, saved with ``-out``, checked, shown, and that very file is applied: what was
checked is what runs. Its hash goes into the audit. Before applying, its changes are held against what
the apply means to do: a proposal's validated actions, the drifted resources of a revert, or (applying
the committed configuration) anything the person wrote — anything else refuses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import NamedTuple

from reconciler.terraform import Terraform

Actions = tuple[str, ...]


class SavedPlan(NamedTuple):
    file: Path
    document: dict[str, Any]
    changes: dict[str, list[str]]  # managed resources that change: address -> actions ("import" too)
    digest: str  # sha256 of the plan file

    def summary(self) -> str:
        if not self.changes:
            return "no changes"
        return "; ".join(f"{a}: {'/'.join(acts)}" for a, acts in sorted(self.changes.items()))


def make(tf: Terraform, root: Path, file: Path, targets: Sequence[str], lock_timeout: float) -> SavedPlan:
    """``terraform plan -out`` (waiting up to ``lock_timeout`` for Terraform's own state lock)."""
    args = [f"-lock-timeout={int(lock_timeout)}s", *(f"-target={t}" for t in targets)]
    with tf.session(root):  # show reuses the schemas the plan loaded
        outcome = tf.plan(root, out=file, extra_args=args)
        assert outcome.planfile is not None
        document = tf.show_plan_json(outcome.planfile, root)
    digest = hashlib.sha256(outcome.planfile.read_bytes()).hexdigest()
    return SavedPlan(outcome.planfile, document, changes(document), digest)


def changes(document: Mapping[str, Any]) -> dict[str, list[str]]:
    out = {}
    for rc in document.get("resource_changes") or ():
        if rc.get("mode") != "managed":
            continue
        change = rc.get("change") or {}
        actions = list(change.get("actions") or ())
        if actions == ["no-op"] and change.get("importing"):
            actions = ["import"]
        if actions not in (["no-op"], ["read"]):
            out[rc["address"]] = actions
    return out


def unexpected(plan: SavedPlan, expected: Mapping[str, Sequence[Actions]]) -> list[str]:
    """What the plan does that ``expected`` (address -> allowed action lists) does not allow, and what
    it should do but does not; ``("no-op",)`` allowed means the resource must not change."""
    problems = []
    for address, actions in sorted(plan.changes.items()):
        allowed = expected.get(address)
        if allowed is None:
            problems.append(f"{address} would {'/'.join(actions)}, which this apply is not meant to do")
        elif tuple(actions) not in allowed:
            wanted = " or ".join("/".join(a) for a in allowed)
            problems.append(f"{address} would {'/'.join(actions)}, validated as {wanted}")
    for address, allowed in sorted(expected.items()):
        if address not in plan.changes and ("no-op",) not in allowed:
            wanted = " or ".join("/".join(a) for a in allowed)
            problems.append(f"{address} would not change, validated as {wanted}")
    return problems
