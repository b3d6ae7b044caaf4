"""The validation loop every proposal goes through before anyone sees it.

In a temporary copy of the workspace: apply the edits → parse → ``terraform validate`` →
``terraform plan`` (with refresh, saved, shown as JSON) → the intent check → policy. The record keeps
each step; the first failing step ends the attempt, with Terraform's diagnostics as its detail (what an
LLM gets back to fix).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from reconciler.errors import ReconcileError
from reconciler.propose.model import Attempt, FileEdit, Origin, Step, Strategy, Violation
from reconciler.terraform import Terraform

#: Not copied into the validation workspace: our own store, and Terraform's caches that it rebuilds.
_SKIP = shutil.ignore_patterns(".reconcile", "*.tfplan", ".git")

PolicyCheck = Callable[[dict[str, Any], Sequence[FileEdit], Path], list[Violation]]


class Outcome(NamedTuple):
    attempt: Attempt
    plan: dict[str, list[str]] | None  # address -> actions
    replacements: dict[str, list[list[str | int]]]  # address -> replace_paths
    violations: tuple[Violation, ...]


class Intent(NamedTuple):
    """What the validating plan must show for the proposal to be right."""

    strategy: Strategy
    address: str  # the drifted resource (for import: the address it is imported to)
    #: other resources that drifted in the same scan, with their drifted top-level attributes: the plan may
    #: put those attributes back (that is their own proposals' business), and nothing else of theirs
    drifted: Mapping[str, frozenset[str]] = MappingProxyType({})


def validate(
    root: Path,
    edits: Sequence[FileEdit],
    intent: Intent,
    tf: Terraform,
    origin: Origin,
    policy: PolicyCheck | None = None,
) -> Outcome:
    steps: list[Step] = []

    def done(
        plan: dict[str, list[str]] | None = None, replacements: Any = None, violations: Any = ()
    ) -> Outcome:
        return Outcome(Attempt(origin, tuple(steps)), plan, replacements or {}, tuple(violations))

    with tempfile.TemporaryDirectory(prefix="reconcile-validate-") as tmp:
        copy = Path(tmp) / "ws"
        shutil.copytree(root, copy, ignore=_SKIP, symlinks=True)
        problem = _apply(copy, edits)
        steps.append(Step("apply", problem is None, problem or ""))
        if problem:
            return done()

        from reconciler.workspace import load_config

        try:
            load_config(copy)
        except ReconcileError as e:
            steps.append(Step("parse", False, e.message))
            return done()
        steps.append(Step("parse", True))

        errors = [d.format() for d in tf.validate(copy) if d.is_error]
        steps.append(Step("validate", not errors, "\n".join(errors)))
        if errors:
            return done()

        try:
            planned = tf.plan(copy, out=Path("validate.tfplan"), extra_args=("-lock=false",))
            assert planned.planfile is not None
            document = tf.show_plan_json(planned.planfile, copy)
        except ReconcileError as e:
            steps.append(Step("plan", False, e.message))
            return done()
        steps.append(Step("plan", True))
        actions, replacements, touched = _actions(document)

        wrong = _intent_problems(intent, actions, touched)
        steps.append(Step("intent", not wrong, "\n".join(wrong)))
        if wrong:
            return done(actions, replacements)

        violations = policy(document, edits, root) if policy else []
        detail = "\n".join(f"{v.rule}: {v.address}: {v.message}" for v in violations)
        steps.append(Step("policy", not violations, detail))
        return done(actions, replacements, violations)


def _apply(copy: Path, edits: Sequence[FileEdit]) -> str | None:
    for edit in edits:
        target = (copy / edit.path).resolve()
        if copy.resolve() not in target.parents:
            return f"{edit.path}: outside the workspace"
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != edit.before:
            return f"{edit.path}: the file changed since the proposal was made"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(edit.after, encoding="utf-8")
    return None


def _actions(
    document: dict[str, Any],
) -> tuple[dict[str, list[str]], dict[str, list[list[str | int]]], dict[str, set[str]]]:
    actions: dict[str, list[str]] = {}
    replacements: dict[str, list[list[str | int]]] = {}
    touched: dict[str, set[str]] = {}
    for change in document.get("resource_changes", []):
        if change.get("mode") == "data":
            continue
        acts = list(change["change"]["actions"])
        if change["change"].get("importing") and acts == ["no-op"]:
            acts = ["import"]
        actions[change["address"]] = acts
        if change["change"].get("replace_paths"):
            replacements[change["address"]] = change["change"]["replace_paths"]
        before, after = change["change"].get("before") or {}, change["change"].get("after") or {}
        unknown = change["change"].get("after_unknown") or {}
        touched[change["address"]] = {
            k for k in set(before) | set(after) if before.get(k) != after.get(k) and not unknown.get(k)
        }
    return actions, replacements, touched


def _intent_problems(
    intent: Intent, actions: dict[str, list[str]], touched: dict[str, set[str]]
) -> list[str]:
    """Everything the plan does that this proposal should not do."""
    wanted = {
        "codify": (["no-op"],),
        "import": (["import"],),
        "accept": (["forget"],),
        "revert": (["update"], ["create"], ["delete", "create"], ["create", "delete"]),
    }[intent.strategy]
    problems = []
    mine = actions.get(intent.address)
    if mine is None and intent.strategy != "codify":
        problems.append(f"{intent.address}: not in the plan")
    elif mine is not None and mine not in wanted:
        expected = " or ".join(str(w) for w in wanted)
        problems.append(f"{intent.address}: the plan would {mine}, expected {expected}")
    for address, acts in sorted(actions.items()):
        if address == intent.address or acts == ["no-op"]:
            continue
        allowed = intent.drifted.get(address)
        extra = sorted(touched.get(address, set()) - allowed) if allowed is not None else []
        if allowed is None or acts != ["update"] or extra:
            what = f"{acts} ({', '.join(extra)})" if extra else str(acts)
            problems.append(
                f"{address}: the plan would also {what}; a proposal may change only its own resource"
            )
    return problems
