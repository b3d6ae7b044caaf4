"""`reconcile apply`: proposals, a revert, or the committed configuration, through one locked path.

- ``--proposal ID ...`` / ``--all``: the proposals' edits (``git apply`` of their validated diffs; the
  files must be clean and the diffs must still apply exactly), one commit with ``Reconcile-Proposal``
  and ``Reconcile-Scan`` trailers, a plan targeted at the proposals' resources that must do exactly
  what validation saw.
- ``--revert [ADDRESS ...]``: no code change; the plan may touch only resources that drifted.
- neither: the configuration committed at HEAD (a dirty work tree is refused), as a PR bot does.

Then the shared steps of :mod:`reconciler.apply.deliver`; a failure from the apply on is rolled back.
A scan older than the state (another apply since) is stale: its proposals and drift are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import NamedTuple

from reconciler.apply import plan as saved_plan
from reconciler.apply.deliver import Refused
from reconciler.apply.deliver import backup_state
from reconciler.apply.deliver import deliver
from reconciler.apply.deliver import edits_of
from reconciler.apply.deliver import roll_back
from reconciler.apply.model import ApplyReport
from reconciler.apply.model import Rollback
from reconciler.apply.model import StepFailed
from reconciler.apply.model import Steps
from reconciler.apply.session import Common
from reconciler.apply.session import Session
from reconciler.apply.session import session
from reconciler.errors import GitError
from reconciler.errors import StaleScanError
from state.audit import ANCHOR_TRAILER
from state.audit import Action
from state.audit import AuditEntry
from state.report import ScanReport

REVERT_ACTIONS: list[saved_plan.Actions] = [
    ("update",),
    ("create",),
    ("delete", "create"),
    ("create", "delete"),
]


class ApplyOptions(NamedTuple):
    common: Common
    proposals: tuple[str, ...] = ()
    all: bool = False
    revert: tuple[str, ...] | None = None  # () reverts every drifted resource of the latest scan
    rollback: bool = True


class Selection(NamedTuple):
    """What one apply means to do."""

    action: Action
    proposals: tuple[str, ...]
    targets: tuple[str, ...]
    expected: dict[str, list[saved_plan.Actions]] | None
    edit: Callable[[], None] | None  # writes the files (a proposal's diffs, a restore); None: no edit
    files: tuple[str, ...]  # the workspace files it changes (put back if anything refuses)
    message: str  # the commit message; "" makes no commit


def run_apply(options: ApplyOptions) -> ApplyReport:
    with session(options.common, options.proposals) as s:
        if options.revert is not None:
            selection = _revert(s, options.revert)
        elif options.proposals or options.all:
            selection = _proposals(s, options.proposals, options.all)
        else:
            selection = _head(s)
        return execute(s, selection, options.rollback)


def execute(s: Session, sel: Selection, rollback: bool) -> ApplyReport:
    """Edit, then deliver; on a failed apply or verification, audit it and roll back."""
    steps = Steps()
    before = {f: _read(s.root / f) for f in sel.files}
    applied = s.store.applied(s.workspace, 1)
    started: list[tuple[saved_plan.SavedPlan, tuple[str, ...]]] = []
    try:
        if sel.edit is not None:
            with steps.step("edit"):
                sel.edit()
        delivery = deliver(
            s,
            steps,
            targets=sel.targets,
            expected=sel.expected,
            edits=edits_of(before, s.root),
            commit=(lambda: (s.repo.commit(sel.files, _anchored(sel.message, s)),)) if sel.message else None,
            on_applying=lambda plan, commits: started.append((plan, commits)),
        )
    except StepFailed as e:
        plan, commits = started[-1]
        failed = _audit(s, sel, "failed", commits, plan, steps, str(e))
        back: Rollback | None = None
        seqs = [failed]
        if rollback and sel.action != "revert":
            back = roll_back(s, applied[0] if applied else None, commits, sorted(plan.changes))
            seqs.append(_audit_rollback(s, sel, back))
        return ApplyReport(
            s.workspace, sel.action, "failed", commits, sel.proposals, plan.changes, plan.digest,
            tuple(steps.done), str(e), back, tuple(seqs),
        )  # fmt: skip
    except BaseException:
        if not started:
            for path, text in before.items():  # nothing was applied or committed: put the files back
                _write(s.root / path, text)
            s.repo.unstage(sel.files)
        raise
    seq = _audit(s, sel, "applied", delivery.commits, delivery.plan, steps, "", s.repo.head())
    return ApplyReport(
        s.workspace, sel.action, "applied", delivery.commits, sel.proposals, delivery.plan.changes,
        delivery.plan.digest, tuple(steps.done), audit=(seq,),
    )  # fmt: skip


# -- what to apply ------------------------------------------------------------------------------------


def _proposals(s: Session, ids: tuple[str, ...], every: bool) -> Selection:
    docs = _chosen(s, ids, every)
    scans = {d["scan_id"] for d in docs}
    if len(scans) > 1:
        raise Refused(
            f"the proposals come from {len(scans)} scans ({', '.join(sorted(scans))}); apply one scan's"
        )
    _not_stale(s, scans.pop())
    files = tuple(sorted({f for d in docs for f in d.get("files") or ()}))
    dirty = s.repo.dirty(files) if files else []
    if dirty:
        raise GitError(f"uncommitted changes in {', '.join(dirty)}: commit or stash them first")
    addresses = [d["address"] for d in docs if d.get("address")]
    accepts = any(d["strategy"] == "accept" for d in docs)
    expected = {
        d["address"]: [tuple((d.get("plan") or {}).get(d["address"]) or ["no-op"])]
        for d in docs
        if d.get("address")
    }
    return Selection(
        action="apply",
        proposals=tuple(d["proposal_id"] for d in docs),
        targets=() if accepts else tuple(addresses),
        expected=expected,
        edit=lambda: s.repo.apply_patches([d["diff"] for d in docs if d.get("diff")], s.scratch),
        files=files,
        message=_message(docs) if files else "",
    )


def _chosen(s: Session, ids: tuple[str, ...], every: bool) -> list[dict[str, Any]]:
    if every:
        scan = _latest(s)
        # One per drift: the newest valid proposal (re-proposing with another strategy adds one).
        newest = {
            p.get("address") or p["resource_id"]: p for p in s.store.proposals(scan.scan_id) if p["valid"]
        }
        if not newest:
            raise Refused(f"scan {scan.scan_id} has no valid proposal; run 'reconcile propose' first")
        return list(newest.values())
    docs = []
    for pid in ids:
        doc = s.store.proposal(pid)
        if doc is None:
            raise Refused(f"no proposal {pid!r} in {s.store.location} ('reconcile propose' lists them)")
        if not doc["valid"]:
            raise Refused(
                f"proposal {doc['proposal_id']} did not pass validation; 'reconcile propose' says why"
            )
        docs.append(doc)
    return docs


def _revert(s: Session, addresses: tuple[str, ...]) -> Selection:
    scan = _latest(s)
    _not_stale(s, scan.scan_id)
    drifted = sorted({d.address for d in scan.drifts if d.kind in ("changed", "deleted") and d.address})
    chosen = addresses or tuple(drifted)
    strangers = [a for a in chosen if a not in drifted]
    if strangers:
        raise Refused(f"{', '.join(strangers)} did not drift in scan {scan.scan_id}; nothing to revert there")
    if not chosen:
        raise Refused(f"nothing drifted in scan {scan.scan_id}; nothing to revert")
    expected = {a: REVERT_ACTIONS for a in chosen}
    return Selection("revert", (), tuple(chosen), expected, None, (), "")


def _head(s: Session) -> Selection:
    dirty = s.repo.dirty()
    if dirty:
        raise GitError(
            f"uncommitted changes in {', '.join(dirty)}: apply runs the configuration committed at HEAD; "
            "commit or stash them first"
        )
    return Selection("apply", (), (), None, None, (), "")


def _latest(s: Session) -> ScanReport:
    scan = s.store.latest(s.workspace)
    if scan is None:
        raise Refused(f"no scan of {s.workspace} yet; run 'reconcile drift' first")
    return scan


def _not_stale(s: Session, scan_id: str) -> None:
    then, _ = s.store.scan_state(scan_id)
    now = backup_state(s).serial
    if then is not None and now is not None and then != now:
        raise StaleScanError(
            f"scan {scan_id} is stale: the state's serial is {now} now, the scan saw {then}; "
            "run 'reconcile drift' (and 'reconcile propose') again"
        )


def _anchored(message: str, s: Session) -> str:
    """The message with the audit row before the commit (``Reconcile-Audit``) in its trailers: cutting
    the newest rows off the chain then shows against a commit that is pushed elsewhere."""
    head = s.store.audit_anchor()
    return message if head is None else f"{message.rstrip()}\n{ANCHOR_TRAILER}: {head}\n"


def _message(docs: list[dict[str, Any]]) -> str:
    addresses = [d.get("address") or d["resource_id"] for d in docs]
    verbs = sorted({d["strategy"] for d in docs})
    subject = f"reconcile: {'/'.join(verbs)} drift of {', '.join(addresses)}"
    if len(subject) > 72:
        subject = f"reconcile: {'/'.join(verbs)} drift of {len(addresses)} resources"
    body = "\n".join(f"- {d.get('explanation') or d['proposal_id']}" for d in docs)
    # Proposals come from one scan (a stale one is refused): each proposal, then that scan, once.
    lines = [f"Reconcile-Proposal: {d['proposal_id']}" for d in docs]
    lines += [f"Reconcile-Scan: {scan}" for scan in dict.fromkeys(d["scan_id"] for d in docs)]
    trailers = "\n".join(lines)
    return f"{subject}\n\n{body}\n\n{trailers}\n"


# -- the audit ----------------------------------------------------------------------------------------


def _audit(
    s: Session,
    sel: Selection,
    result: str,
    commits: tuple[str, ...],
    plan: saved_plan.SavedPlan,
    steps: Steps,
    error: str,
    applied_commit: str | None = None,
) -> int:
    entry = AuditEntry(
        workspace=s.workspace,
        action=sel.action,
        result=result,
        os_user=s.lock.me.user,
        git_author=s.repo.author(),
        principal=s.principal(),
        commits=commits,
        plan_hash=plan.digest,
        proposals=sel.proposals,
        addresses=tuple(sorted(set(plan.changes) | set(sel.expected or {}))),
        steps=tuple(steps.done),
        error=error,
    )
    return s.store.append_audit(entry, applied_commit=applied_commit).seq


def _audit_rollback(s: Session, sel: Selection, back: Rollback) -> int:
    result = "rolled_back" if back.result == "rolled_back" else "rollback_failed"
    entry = AuditEntry(
        workspace=s.workspace,
        action="rollback",
        result=result,
        os_user=s.lock.me.user,
        git_author=s.repo.author(),
        principal=s.principal(),
        commits=back.commits,
        proposals=sel.proposals,
        steps=back.steps,
        error=back.error,
    )
    # A rollback that held brings back the configuration applied before: that is applied again.
    held = back.result == "rolled_back"
    return s.store.append_audit(entry, applied_commit=s.repo.head() if held else None).seq


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _write(path: Path, text: str) -> None:
    if text:
        path.write_text(text, encoding="utf-8")
    else:
        path.unlink(missing_ok=True)
