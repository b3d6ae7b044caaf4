"""The steps every apply shares, from the state backup to the verification, and the rollback.

    backup → plan (-out) → intent → policy → confirm → [commit] → apply (that plan file) → verify

Up to ``confirm`` nothing has changed anywhere: a failing step raises and the caller puts the files
back. From ``apply`` on, a failure is answered by rolling back (:func:`roll_back`): the commits since
the last successful apply are reverted with new commits and the configuration before them is applied,
to the resources this apply changed, and verified.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from reconciler.apply import plan as saved_plan
from reconciler.apply.model import Rollback
from reconciler.apply.model import StepFailed
from reconciler.apply.model import Steps
from reconciler.apply.session import Session
from reconciler.apply.verify import verify
from reconciler.errors import ReconcileError
from reconciler.errors import TerraformError
from reconciler.errors import UsageError
from reconciler.policy import PolicySettings
from reconciler.policy import evaluate
from reconciler.workspace import state_from_document
from reconciler.workspace.secrets import resource_secrets
from state.proposal import FileEdit

STATES_DIR = "states"  # beside the store: .reconcile/states/<lineage>/<serial>.tfstate


class Delivery(NamedTuple):
    plan: saved_plan.SavedPlan
    commits: tuple[str, ...]


class Refused(ReconcileError):
    """A check before anything changed said no; the message says which and why."""


class Backup(NamedTuple):
    path: Path | None  # None: there is no state yet
    serial: int | None
    lineage: str | None


def backup_state(s: Session) -> Backup:
    """``terraform state pull`` into a file beside the store (mode 0600, like Terraform's own backup):
    the state as it was before this apply, versioned by lineage and serial. Pulled once per session:
    the workspace is locked, and the staleness check and the backup read the same state."""
    if "backup" not in s.memo:
        s.memo["backup"] = _backup(s)
    backup: Backup = s.memo["backup"]
    return backup


def _backup(s: Session) -> Backup:
    result = s.tf.run(["state", "pull"], s.root)
    if result.rc != 0:
        raise TerraformError(f"{s.root}: terraform state pull failed: {result.stderr.strip()[:200]}")
    text = result.stdout
    if not text.strip():
        return Backup(None, None, None)
    doc = json.loads(text)
    s.store.redact_also(v for r in state_from_document(doc, "state").resources for v in resource_secrets(r))
    serial, lineage = int(doc.get("serial", 0)), str(doc.get("lineage", ""))
    folder = s.settings.store_path(s.root).parent / STATES_DIR / (lineage or "no-lineage")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{serial}.tfstate"
    if not target.exists():
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    s.store.record_state_backup(s.workspace, lineage, serial, digest, str(target))
    return Backup(target, serial, lineage)


def deliver(
    s: Session,
    steps: Steps,
    *,
    targets: Sequence[str],
    expected: Mapping[str, Sequence[saved_plan.Actions]] | None,
    edits: Sequence[FileEdit],
    commit: Callable[[], tuple[str, ...]] | None,
    on_applying: Callable[[saved_plan.SavedPlan, tuple[str, ...]], None],
) -> Delivery:
    """Plan, check, confirm, commit, apply, verify. Raises :class:`Refused` (or another
    ReconcileError) before ``apply`` when nothing has changed, :class:`StepFailed` from ``apply`` on."""
    timeout = s.common.lock_timeout
    with steps.step("backup"):
        backup_state(s)
    with steps.step("plan"):
        plan = saved_plan.make(s.tf, s.root, s.scratch / "apply.tfplan", targets, timeout)
    if expected is not None:
        with steps.step("intent"):
            problems = saved_plan.unexpected(plan, expected)
            if problems:
                raise Refused("the plan differs from what was validated: " + "; ".join(problems))
    with steps.step("policy"):
        violations = evaluate(plan.document, edits, PolicySettings.from_config(s.settings), s.root)
        if violations:
            raise Refused("policy: " + "; ".join(f"{v.rule}: {v.message}" for v in violations))
    with steps.step("confirm"):
        _confirm(s, plan)
    commits: tuple[str, ...] = ()
    if commit is not None:
        with steps.step("commit"):
            commits = commit()
    on_applying(plan, commits)
    try:
        with steps.step("apply"):
            if s.lock.lost:
                raise StepFailed("the workspace lock was broken by someone else; not applying")
            s.tf.apply(s.root, planfile=plan.file, extra_args=(f"-lock-timeout={int(timeout)}s",))
        with steps.step("verify"):
            affected = set(plan.changes) | set(expected or {})
            problems = verify(s.tf, s.root, s.environ, affected, targets, s.scratch, timeout)
            if problems:
                raise StepFailed("; ".join(problems))
    except ReconcileError as e:
        raise StepFailed(e.message) from e
    return Delivery(plan, commits)


def _confirm(s: Session, plan: saved_plan.SavedPlan) -> None:
    if s.common.yes:
        return
    if s.common.confirm is None:
        raise UsageError("not at a terminal: pass --yes to apply without a question")
    if not s.common.confirm(f"The plan: {plan.summary()}. Apply it?"):
        raise Refused("not applied: the answer was no")


def roll_back(s: Session, since: str | None, made: Sequence[str], touched: Sequence[str]) -> Rollback:
    """Revert the commits after ``since`` (the last successful apply; None: only ``made``, this run's
    commits), then apply that configuration to the resources this apply changed and verify it."""
    steps = Steps()
    commits = s.repo.since(since) if since else list(made)
    if not commits:
        return Rollback(
            "rollback_failed",
            (),
            (),
            "nothing to roll back to: no configuration changed since the last successful apply "
            "(or none is recorded); the resources it changed may be partly changed",
        )
    reverts: list[str] = []
    try:
        with steps.step("revert"):
            reverts = s.repo.revert(commits)
        if touched:
            with steps.step("plan"):
                plan = saved_plan.make(s.tf, s.root, s.scratch / "rollback.tfplan", touched, 0)
            with steps.step("apply"):
                s.tf.apply(s.root, planfile=plan.file)
            with steps.step("verify"):
                problems = verify(s.tf, s.root, s.environ, set(touched), touched, s.scratch, 0)
                if problems:
                    raise StepFailed("; ".join(problems))
    except (ReconcileError, StepFailed) as e:
        left = f"{e}; the configuration is at {s.repo.head()[:12]}, the cloud may be partly changed"
        return Rollback("rollback_failed", tuple(reverts), tuple(steps.done), left)
    return Rollback("rolled_back", tuple(reverts), tuple(steps.done))


def edits_of(before: Mapping[str, str], root: Path) -> list[FileEdit]:
    """The files as they were (``before``) and as they are now, for the policy's per-block checks."""
    return [
        FileEdit(path, text, (root / path).read_text(encoding="utf-8") if (root / path).exists() else "")
        for path, text in before.items()
    ]
