"""``reconcile bot sync``: one cycle — scan, propose, keep one pull request per drifted workspace — and
make the locks agree with the pull requests.

Per workspace, on branch ``reconcile/drift/<workspace>``:

    no drift            → close the open PR with a comment (its lock released), else nothing
    drift, same as PR   → nothing (the body's fingerprint matches): running sync twice changes nothing
    drift, new/changed  → propose; one commit of the validated edits on the default branch's head
                          (an empty one when only a revert can fix it), force-pushed; PR opened or
                          its body edited; labels
    incomplete scan     → an error for that workspace; its PR is left alone (unknown is not gone)

A branch whose head commit the bot did not make (someone pushed to it) is not overwritten: the body is
updated and says so. Then every workspace lock held by a PR of this repository whose PR is merged or
closed is released (audited): a PR closed while the bot was down loses its lock here.

JSON form (``reconcile bot sync --format json``, version 1)::

    {"version": 1, "forge": "github", "repository": "octo/infra", "exit_code": 2,
     "workspaces": [{"workspace": ".", "branch": "reconcile/drift/root", "action": "opened",
                     "pull_request": 7, "url": "...", "drifts": 2, "fingerprint": "...", "error": ""}],
     "locks_released": [{"workspace": ".", "pull_request": 5, "state": "merged"}]}

``action`` is ``in_sync``, ``opened``, ``updated``, ``unchanged``, ``closed`` or ``error``. Exit codes as
for scans: 0 nothing drifted, 2 drift (a PR is open for it), 1 a workspace failed (the others still ran).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import Literal
from typing import NamedTuple

from hooks.bot import body
from hooks.bot import comments
from hooks.bot import locks
from hooks.bot.context import Bot
from hooks.bot.forge import PullRequest
from hooks.bot.forge import pr_key
from hooks.bot.forge import repository_key
from reconciler.drift.run import DriftOptions
from reconciler.drift.run import run_drift
from reconciler.errors import ReconcileError
from reconciler.propose.patch import merge_edits
from reconciler.propose.run import ProposeOptions
from reconciler.propose.run import run_propose
from state.errors import StoreError

Action = Literal["in_sync", "opened", "updated", "unchanged", "closed", "error"]
SYNC_VERSION = 1


class WorkspaceResult(NamedTuple):
    workspace: str
    branch: str
    action: Action
    pull_request: int | None = None
    url: str = ""
    drifts: int = 0
    fingerprint: str = ""
    error: str = ""


class Released(NamedTuple):
    workspace: str
    pull_request: int
    state: str


class SyncReport(NamedTuple):
    forge: str
    repository: str
    workspaces: tuple[WorkspaceResult, ...]
    released: tuple[Released, ...]

    @property
    def exit_code(self) -> int:
        if any(w.action == "error" for w in self.workspaces):
            return 1
        return 2 if any(w.action in ("opened", "updated", "unchanged") for w in self.workspaces) else 0


def run_sync(bot: Bot, workspaces: Sequence[str]) -> SyncReport:
    results = tuple(cycle(bot, w) for w in workspaces)
    released = tuple(r for w in workspaces for r in reconcile_locks(bot, w))
    return SyncReport(bot.forge.name, bot.forge.repository, results, released)


def cycle(bot: Bot, workspace: str) -> WorkspaceResult:
    """One workspace: scan, and open, update, close or leave its pull request."""
    branch = bot.branch(workspace)
    try:
        return _cycle(bot, workspace, branch)
    except (ReconcileError, StoreError) as e:
        bot.log(f"{workspace}: {e.message}")
        return WorkspaceResult(workspace, branch, "error", error=bot.settings.redact(e.message))


def _cycle(bot: Bot, workspace: str, branch: str) -> WorkspaceResult:
    forge = bot.forge
    report = run_drift(DriftOptions(directory=bot.root(workspace), environ=bot.environ))
    existing = forge.find_pr(branch)
    if not report.complete or report.summary.unknown:
        why = "; ".join(report.errors) or f"{report.summary.unknown} resources could not be read"
        return WorkspaceResult(
            workspace, branch, "error", _n(existing), _url(existing), error=f"incomplete scan: {why}"
        )
    fp = body.fingerprint(report)
    if not report.drifts:
        if existing is None:
            return WorkspaceResult(workspace, branch, "in_sync")
        text = f"No drift is left in {comments.code(bot.name(workspace))} (scan `{report.scan_id}`): closing."
        forge.comment(existing.number, text)
        forge.close_pr(existing.number)
        release(bot, workspace, existing.number, "the drift is gone; the bot closed its pull request")
        return WorkspaceResult(workspace, branch, "closed", existing.number, existing.url)
    if existing is not None and body.marker(existing.body) == fp:
        return WorkspaceResult(
            workspace, branch, "unchanged", existing.number, existing.url, len(report.drifts), fp
        )
    proposals = run_propose(
        ProposeOptions(directory=bot.root(workspace), scan_id=report.scan_id, environ=bot.environ)
    )
    edits, left_out = merge_edits([e for p in proposals.proposals if p.valid for e in p.edits])
    name = bot.name(workspace)
    note = ""
    if existing is not None and not _ours(bot, existing):
        note = (
            "Someone else pushed to this branch, so the bot left its commits alone; the drift changed since."
        )
    else:
        base = bot.checkout.fetch(f"refs/heads/{forge.default_branch()}")
        message = body.commit_message(name, report, proposals.proposals)
        bot.checkout.publish(branch, base, workspace, edits, message)
    text = body.render(name, report, proposals.proposals, left_out, forge.max_comment, note)
    title = body.title(name, report)
    if existing is not None:
        forge.update_pr(existing.number, title=title, body=text)
        what = (
            "the description is updated (the branch is left alone)"
            if note
            else "the branch and the description are updated; a plan made before is stale"
        )
        forge.comment(existing.number, f"The drift changed (scan `{report.scan_id}`): {what}.")
        return WorkspaceResult(
            workspace, branch, "updated", existing.number, existing.url, len(report.drifts), fp
        )
    pr = forge.open_pr(branch, forge.default_branch(), title, text)
    labels = [*bot.settings.labels, *([] if edits else ["revert-only"])]
    forge.add_labels(pr.number, labels)
    return WorkspaceResult(workspace, branch, "opened", pr.number, pr.url, len(report.drifts), fp)


def reconcile_locks(bot: Bot, workspace: str) -> list[Released]:
    """Release this workspace's lock when the PR of this repository holding it is merged or closed."""
    root = bot.root(workspace)
    with bot.workspace_store(workspace) as store:
        held = store.lock(str(root))
        number = locks.pr_number(held, repository_key(bot.forge)) if held else None
        if number is None:
            return []
        pr = bot.forge.get_pr(number)
        if pr.state == "open":
            return []
        locks.release(store, str(root), held.holder.pr if held else "", f"the pull request is {pr.state}")
    with bot.store() as store:
        store.drop_plans(repository_key(bot.forge), number)
    bot.log(f"{workspace}: released the lock of pull request #{number} ({pr.state})")
    return [Released(workspace, number, pr.state)]


def to_json(report: SyncReport) -> dict[str, Any]:
    return {
        "version": SYNC_VERSION,
        "forge": report.forge,
        "repository": report.repository,
        "exit_code": report.exit_code,
        "workspaces": [w._asdict() for w in report.workspaces],
        "locks_released": [r._asdict() for r in report.released],
    }


def release(bot: Bot, workspace: str, number: int, why: str) -> bool:
    """Release the workspace's lock if PR ``number`` holds it (audited) and forget its plans."""
    with bot.workspace_store(workspace) as store:
        released = locks.release(store, str(bot.root(workspace)), pr_key(bot.forge, number), why)
    with bot.store() as store:
        store.drop_plans(repository_key(bot.forge), number)
    return released is not None


def _ours(bot: Bot, pr: PullRequest) -> bool:
    """Whether the PR's head commit is one the bot made (a person may have pushed on top)."""
    sha = bot.checkout.fetch(bot.forge.head_ref(pr.number))
    return "Reconcile-Fingerprint: " in bot.checkout.message(sha)


def _n(pr: PullRequest | None) -> int | None:
    return pr.number if pr else None


def _url(pr: PullRequest | None) -> str:
    return pr.url if pr else ""
