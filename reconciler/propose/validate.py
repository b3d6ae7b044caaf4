"""The validation loop every proposal goes through before anyone sees it.

In a temporary copy of the workspace: apply the edits → parse → the static guardrails → ``terraform fmt``
(folded into the edits, see :mod:`.formatting`) → ``terraform validate`` → ``terraform plan`` (with
refresh, saved, shown as JSON) → the intent check → policy. The record keeps each step; the first failing
step ends the attempt, with Terraform's diagnostics as its detail (what an LLM gets back to fix). No
Terraform process (not even fmt) sees an edit the guardrails refuse (:mod:`reconciler.policy.static`), and
every detail is redacted by value: Terraform may quote a secret.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import NamedTuple

from reconciler.errors import ReconcileError
from reconciler.policy import static
from reconciler.propose.formatting import format_edits
from reconciler.terraform import Terraform
from reconciler.workspace import Configuration
from reconciler.workspace import load_config
from state.proposal import Attempt
from state.proposal import FileEdit
from state.proposal import Origin
from state.proposal import Step
from state.proposal import Strategy
from state.proposal import Violation
from state.redaction import Redactor

#: Not copied into the validation workspace: our own store, and Terraform's caches that it rebuilds.
_SKIP = shutil.ignore_patterns(".reconcile", "*.tfplan", ".git")

PolicyCheck = Callable[[dict[str, Any], Sequence[FileEdit], Path], list[Violation]]


class Outcome(NamedTuple):
    attempt: Attempt
    plan: dict[str, list[str]] | None  # address -> actions
    replacements: dict[str, list[list[str | int]]]  # address -> replace_paths
    violations: tuple[Violation, ...]
    edits: tuple[FileEdit, ...] = ()  # as validated: terraform fmt's formatting folded in
    #: files that were not fmt-clean before the edit, and what was done about it (for the explanation)
    formatting: tuple[str, ...] = ()


class Intent(NamedTuple):
    """What the validating plan must show for the proposal to be right."""

    strategy: Strategy
    address: str  # the drifted resource (for import: the address it is imported to)
    #: the drifted top-level attributes: all a revert may change of its resource
    paths: frozenset[str] = frozenset()


class Planned(NamedTuple):
    """One resource in a plan: what Terraform would do and the values it would end with."""

    actions: list[str]
    after: Any
    after_unknown: Any
    touched: frozenset[str] = frozenset()  # top-level attributes the change sets to a new known value


Baseline = Callable[[], dict[str, Planned]]


def baseline(root: Path, tf: Terraform) -> Baseline:
    """The plan of the workspace as it is, computed once: other drift shows in it, and in every proposal's
    plan alike, so a proposal is judged by what it changes relative to this plan."""
    cache: list[dict[str, Planned]] = []

    def get() -> dict[str, Planned]:
        if not cache:
            with tempfile.TemporaryDirectory(prefix="reconcile-baseline-") as tmp:
                copy = Path(tmp) / "ws"
                shutil.copytree(root, copy, ignore=_SKIP, symlinks=True)
                with tf.session(copy):
                    planned = tf.plan(copy, out=Path("baseline.tfplan"), extra_args=("-lock=false",))
                    assert planned.planfile is not None
                    cache.append(_planned(tf.show_plan_json(planned.planfile, copy)))
        return cache[0]

    return get


def validate(
    root: Path,
    edits: Sequence[FileEdit],
    intent: Intent,
    tf: Terraform,
    origin: Origin,
    policy: PolicyCheck | None = None,
    before: Baseline | None = None,
    *,
    configuration: Configuration | None = None,
    redactor: Redactor | None = None,
) -> Outcome:
    """``configuration`` is the workspace as ``root`` holds it (loaded again when not given)."""
    steps: list[Step] = []
    redactor = redactor or Redactor()
    caveats: tuple[str, ...] = ()

    def done(
        plan: dict[str, list[str]] | None = None, replacements: Any = None, violations: Any = ()
    ) -> Outcome:
        shown = tuple(s._replace(detail=redactor.redact(s.detail)) for s in steps)
        found = tuple(v._replace(message=redactor.redact(v.message)) for v in violations)
        return Outcome(Attempt(origin, shown), plan, replacements or {}, found, tuple(edits), caveats)

    with tempfile.TemporaryDirectory(prefix="reconcile-validate-") as tmp:
        copy = Path(tmp) / "ws"
        shutil.copytree(root, copy, ignore=_SKIP, symlinks=True)
        problem = _apply(copy, edits)
        steps.append(Step("apply", problem is None, problem or ""))
        if problem:
            return done()

        try:
            load_config(copy)
        except ReconcileError as e:
            steps.append(Step("parse", False, e.message))
            return done()
        steps.append(Step("parse", True))

        scope = static.Scope.of(configuration or load_config(root), intent.strategy, intent.address)
        refused = static.check(edits, scope)
        steps.append(Step("guardrails", not refused, _listed(refused)))
        if refused:
            return done(violations=refused)

        try:
            formatted = format_edits(tf, edits, Path(tmp) / "fmt")
        except ReconcileError as e:
            steps.append(Step("fmt", False, e.message))
            return done()
        edits, caveats = formatted.edits, formatted.caveats
        for edit in edits:
            (copy / edit.path).write_bytes(edit.after.encode("utf-8"))
        steps.append(Step("fmt", True, "\n".join(formatted.notes)))

        with tf.session(copy):  # validate, plan and show: one Terraform process, schemas loaded once
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
        try:
            reference = before() if before else None
        except ReconcileError as e:
            steps.append(Step("intent", False, f"the workspace itself does not plan: {e.message}"))
            return done(actions, replacements)
        wrong = _intent_problems(intent, actions, touched, _planned(document), reference)
        steps.append(Step("intent", not wrong, "\n".join(wrong)))
        if wrong:
            return done(actions, replacements)

        violations = policy(document, edits, root) if policy else []
        steps.append(Step("policy", not violations, _listed(violations)))
        return done(actions, replacements, violations)


def _listed(violations: Sequence[Violation]) -> str:
    return "\n".join(f"{v.rule}: {v.address}: {v.message}" for v in violations)


def _apply(copy: Path, edits: Sequence[FileEdit]) -> str | None:
    for edit in edits:
        target = (copy / edit.path).resolve()
        if copy.resolve() not in target.parents:
            return f"{edit.path}: outside the workspace"
        # Bytes, not read_text: its universal newlines would make a CRLF file differ from edit.before.
        current = target.read_bytes().decode("utf-8") if target.exists() else ""
        if current != edit.before:
            return f"{edit.path}: the file changed since the proposal was made"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(edit.after.encode("utf-8"))
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


def _planned(document: dict[str, Any]) -> dict[str, Planned]:
    out = {}
    for change in document.get("resource_changes", []):
        if change.get("mode") == "data":
            continue
        c = change["change"]
        before, after, unknown = c.get("before") or {}, c.get("after") or {}, c.get("after_unknown") or {}
        touched = frozenset(
            k for k in set(before) | set(after) if before.get(k) != after.get(k) or unknown.get(k)
        )
        out[change["address"]] = Planned(list(c["actions"]), c.get("after"), c.get("after_unknown"), touched)
    return out


def _only_others_drift(
    intent: Intent, planned: dict[str, Planned], reference: dict[str, Planned] | None
) -> bool:
    """A codified resource still updating only because of other drift (a dependency re-created): none of
    its own drifted attributes change any more, and nothing changes that did not already without it."""
    if intent.strategy != "codify" or reference is None:
        return False
    now, was = planned.get(intent.address), reference.get(intent.address)
    if now is None or was is None or now.actions != ["update"] or was.actions != ["update"]:
        return False
    return not (now.touched & intent.paths) and now.touched <= was.touched


def _intent_problems(
    intent: Intent,
    actions: dict[str, list[str]],
    touched: dict[str, set[str]],
    planned: dict[str, Planned],
    reference: dict[str, Planned] | None,
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
    elif mine is not None and mine not in wanted and not _only_others_drift(intent, planned, reference):
        expected = " or ".join(str(w) for w in wanted)
        problems.append(f"{intent.address}: the plan would {mine}, expected {expected}")
    elif intent.strategy == "revert" and mine == ["update"] and intent.paths:
        extra = sorted(touched.get(intent.address, set()) - intent.paths)
        if extra:
            problems.append(
                f"{intent.address}: the plan would also change {', '.join(extra)}, which did not drift"
            )
    for address, now in sorted(planned.items()):
        if address == intent.address:
            continue
        was = reference.get(address) if reference is not None else None
        if reference is None and now.actions == ["no-op"]:
            continue
        if was is not None and now == was:
            continue  # other drift: the same with and without this proposal
        if was is None and now.actions == ["no-op"]:
            continue
        problems.append(
            f"{address}: the plan would also {now.actions} differently; a proposal changes only its resource"
        )
    return problems
