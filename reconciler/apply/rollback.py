"""`reconcile rollback`: bring the cloud back to the configuration of an earlier commit.

The old configuration is planned first against today's state in a temporary ``git worktree`` (with a
copy of the state: nothing of the workspace is touched), and shown. On confirmation its files are
restored in the workspace as a new commit (``Reconcile-Rollback: <commit>``), and the shared apply
steps run with that preview as the expectation: the real plan must do exactly what was shown.
Default target: the configuration applied before the last ``reconcile apply``.
"""

from __future__ import annotations

import shutil
from typing import NamedTuple

from reconciler.apply import plan as saved_plan
from reconciler.apply.deliver import Refused
from reconciler.apply.deliver import backup_state
from reconciler.apply.model import ApplyReport
from reconciler.apply.model import Steps
from reconciler.apply.run import Selection
from reconciler.apply.run import execute
from reconciler.apply.session import Common
from reconciler.apply.session import Session
from reconciler.apply.session import session
from reconciler.errors import GitError


class RollbackOptions(NamedTuple):
    common: Common
    to: str | None = None
    dry_run: bool = False


def run_rollback(options: RollbackOptions) -> ApplyReport:
    with session(options.common) as s:
        dirty = s.repo.dirty()
        if dirty:
            raise GitError(f"uncommitted changes in {', '.join(dirty)}: commit or stash them first")
        target = s.repo.resolve(options.to) if options.to else _default_target(s)
        files = tuple(s.repo.changed_since(target))
        if not files:
            raise Refused(
                f"{target[:12]} has the configuration HEAD has: nothing to roll back (to put drifted"
                " resources back as the code says: reconcile apply --revert)"
            )
        steps = Steps()
        with steps.step("preview"):
            preview = _preview(s, target)
        if options.dry_run:
            return ApplyReport(
                s.workspace, "rollback", "planned", (), (), preview.changes, preview.digest, tuple(steps.done)
            )
        subject = s.repo.subject(target)
        message = (
            f"reconcile: roll back to {target[:12]} ({subject})\n\n"
            f"Restores the configuration of {target} and applies it.\n\nReconcile-Rollback: {target}\n"
        )
        selection = Selection(
            action="rollback",
            proposals=(),
            targets=(),
            expected={a: [tuple(x)] for a, x in preview.changes.items()},
            edit=lambda: s.repo.restore(target, files),
            files=files,
            message=message,
        )
        report = execute(s, selection, rollback=False)
        return report._replace(steps=(*steps.done, *report.steps))


def _default_target(s: Session) -> str:
    """The configuration applied before the one applied last: an earlier applied commit that differs
    (a revert re-applies the same commit), else the parent of the first one reconcile applied."""
    applied = s.store.applied(s.workspace, 50)
    earlier = next((c for c in applied if c != applied[0]), None) if applied else None
    if earlier is not None:
        return earlier
    parent = s.repo.parent(applied[0]) if applied else None
    if parent is None:
        raise Refused(f"no earlier configuration is recorded for {s.workspace}: name the commit with --to")
    return parent


def _preview(s: Session, target: str) -> saved_plan.SavedPlan:
    """The old configuration planned against a copy of today's state, in a temporary work tree."""
    where = s.scratch / "worktree"
    with s.repo.worktree(target, where) as old:
        backup = backup_state(s)
        if backup.path is not None:
            shutil.copyfile(backup.path, old / "terraform.tfstate")
        if (s.root / ".terraform").is_dir():
            shutil.copytree(s.root / ".terraform", old / ".terraform", symlinks=True)
        return saved_plan.make(s.tf, old, s.scratch / "preview.tfplan", (), 0)
