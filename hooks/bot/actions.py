"""What ``/reconcile plan``, ``apply``, ``revert`` and ``unlock`` do to a workspace, each returning the
comments that answer it.

**plan** takes the workspace's lock in the PR's name (refusing, naming the holder, when someone else
has it), plans the PR's head commit with a saved plan file and records the plan bound to that commit
and to the state's serial. **apply** refuses what the settings require and is missing (an approval by
someone other than the author, mergeable, not behind the default branch); a plan made at another head
commit or against another state serial is stale: it refuses and plans again. Then the PR's head is
applied through :mod:`reconciler.apply` — under the PR's lock, checked against exactly the plan shown
in the PR, verified, audited, rolled back on failure — and merged. **revert** puts drifted resources
back as the default branch says, through the same path.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from pathlib import Path

from hooks.bot import comments
from hooks.bot import locks
from hooks.bot import sync
from hooks.bot.context import Bot
from hooks.bot.errors import ForgeError
from hooks.bot.errors import Refusal
from hooks.bot.forge import PullRequest
from hooks.bot.forge import pr_key
from hooks.bot.forge import repository_key
from reconciler.apply import plan as saved_plan
from reconciler.apply.model import ApplyReport
from reconciler.apply.render import render
from reconciler.apply.run import ApplyOptions
from reconciler.apply.run import Selection
from reconciler.apply.run import execute
from reconciler.apply.run import run_apply
from reconciler.apply.session import Common
from reconciler.apply.session import session
from reconciler.config import load_config
from reconciler.drift.run import state_snapshot
from reconciler.terraform import Terraform
from reconciler.terraform import engine_from_config
from state.bot import PlanRecord

PLAN_LOCK_TIMEOUT_S = 60  # Terraform's own state lock: another run may be finishing


def plan(bot: Bot, pr: PullRequest, workspace: str, author: str) -> list[str]:
    root, key = bot.root(workspace), pr_key(bot.forge, pr.number)
    with bot.workspace_store(workspace) as store:
        locks.take(store, str(root), key, "/reconcile plan", author)
    head = bot.checkout.fetch(bot.forge.head_ref(pr.number))
    settings = load_config(root, env=bot.environ)
    with bot.checkout.at(head), tempfile.TemporaryDirectory(prefix="reconcile-bot-plan-") as tmp:
        state = state_snapshot(settings, root, None, bot.environ)
        with Terraform(engine_from_config(settings), base_env=bot.environ) as tf:
            made = saved_plan.make(tf, root, Path(tmp) / "pr.tfplan", (), PLAN_LOCK_TIMEOUT_S)
            shown = tf.run(["show", "-no-color", str(made.file)], root).stdout
    record = PlanRecord(
        repository_key(bot.forge), pr.number, str(root), head, state.serial, state.lineage, made.changes,
        made.digest, datetime.now(UTC), author,
    )  # fmt: skip
    with bot.store() as store:
        store.save_plan(record)
    name = comments.code(bot.name(workspace))
    summary = (
        f"**Planned** {name} at `{head[:12]}` (state serial {state.serial}): "
        f"{changes(made.changes)}.\n\nComment `/reconcile apply` to apply exactly this plan. "
        f"{name} is locked by this pull request until it merges or closes (`/reconcile unlock` releases it)."
    )
    return comments.parts(summary, "Plan output", bot.settings.redact(shown), bot.forge.max_comment)


def apply(bot: Bot, pr: PullRequest, workspace: str, author: str) -> list[str]:
    root, key = bot.root(workspace), pr_key(bot.forge, pr.number)
    lock = _pr_lock(bot, workspace, key)
    missing = requirements(bot, pr, ("approved", "mergeable", "undiverged"))
    if missing:
        raise Refusal("; ".join(missing))
    head = bot.checkout.fetch(bot.forge.head_ref(pr.number))
    with bot.store() as store:
        record = store.plan(repository_key(bot.forge), pr.number, str(root))
    settings = load_config(root, env=bot.environ)
    report: ApplyReport | None = None
    with bot.checkout.at(head):
        serial = state_snapshot(settings, root, None, bot.environ).serial
        why = "this pull request holds no lock: plan first" if lock is None else _stale(record, head, serial)
        if why is None and record is not None and lock is not None:
            expected = {address: [tuple(actions)] for address, actions in record.changes.items()}
            with session(_common(bot, root, "apply", key, author, lock)) as s:
                report = execute(s, Selection("apply", (), (), expected, None, (), ""), True)
    if report is None:
        refused = f"**Refused** `apply`: {comments.escape(why or 'no plan')}. Planning again:"
        return [refused, *plan(bot, pr, workspace, author)]
    return _applied(bot, pr, workspace, report)


def revert(bot: Bot, pr: PullRequest, workspace: str, author: str, addresses: Sequence[str]) -> list[str]:
    root, key = bot.root(workspace), pr_key(bot.forge, pr.number)
    missing = requirements(bot, pr, ("approved",))
    if missing:
        raise Refusal("; ".join(missing))
    with bot.workspace_store(workspace) as store:
        lock = locks.take(store, str(root), key, "/reconcile revert", author)
    base = bot.checkout.fetch(f"refs/heads/{pr.base_branch}")
    with bot.checkout.at(base):
        options = ApplyOptions(_common(bot, root, "revert", key, author, lock), revert=tuple(addresses))
        report = run_apply(options)
    text = _report_text(bot, workspace, report, "Reverted")
    if report.result == "applied":
        after = sync.cycle(bot, workspace)  # the drift is gone (or less): close or update this PR
        text += f"\n\nRescanned: {comments.escape(after.action.replace('_', ' '))}."
    return [text]


def unlock(bot: Bot, pr: PullRequest, workspace: str, author: str) -> list[str]:
    if not sync.release(bot, workspace, pr.number, f"/reconcile unlock by {author}"):
        return [f"This pull request holds no lock on {comments.code(bot.name(workspace))}."]
    return [f"**Unlocked** {comments.code(bot.name(workspace))} (audited); plans made before are forgotten."]


def requirements(bot: Bot, pr: PullRequest, which: Sequence[str]) -> list[str]:
    """What of ``which`` (and of the settings' apply requirements) the PR lacks, one phrase each."""
    wanted = bot.settings.requirements.intersection(which)
    missing = []
    if "approved" in wanted and not [u for u in bot.forge.approvals(pr.number) if u != pr.author]:
        missing.append(f"it needs an approval by someone other than its author ({pr.author})")
    if "mergeable" in wanted and pr.mergeable is not True:
        missing.append(
            "it is not mergeable" + (" yet (the forge is still checking)" if pr.mergeable is None else "")
        )
    if "undiverged" in wanted and bot.forge.diverged(pr):
        missing.append(f"{pr.base_branch} has commits it lacks: update the branch, then plan again")
    return missing


def _pr_lock(bot: Bot, workspace: str, key: str) -> locks.Lock | None:
    """The PR's lock; a refusal naming the holder when another holds it (None: nobody does)."""
    with bot.workspace_store(workspace) as store:
        held = store.lock(str(bot.root(workspace)))
    if held is not None and held.holder.pr != key:
        raise Refusal(f"the workspace is locked by {held.describe()}")
    return held


def _stale(record: PlanRecord | None, head: str, serial: int | None) -> str | None:
    if record is None:
        return "there is no plan for this pull request yet"
    if record.head_sha != head:
        return f"the plan is stale: it was made at {record.head_sha[:12]}, the head is now {head[:12]}"
    if record.state_serial != serial:
        return (
            f"the plan is stale: it was made against state serial {record.state_serial}, the state is at "
            f"{serial} now (another apply happened)"
        )
    return None


def _common(bot: Bot, root: Path, verb: str, key: str, author: str, lock: locks.Lock) -> Common:
    return Common(
        directory=root,
        yes=True,  # the approval and the plan shown in the PR are the confirmation
        lock_timeout=0,
        command=f"/reconcile {verb} on pull request {key} by {author}",
        environ=bot.environ,
        notify=bot.log,
        lock_token=lock.token,
    )


def _applied(bot: Bot, pr: PullRequest, workspace: str, report: ApplyReport) -> list[str]:
    text = _report_text(bot, workspace, report, "Applied")
    if report.result != "applied":
        return [text]
    if bot.settings.auto_merge:
        try:
            bot.forge.merge(pr, bot.settings.merge_method)
        except ForgeError as e:
            why = comments.escape(bot.settings.redact(e.message))
            return [f"{text}\n\n**Not merged**: {why}; merge it by hand."]
        sync.release(bot, workspace, pr.number, "the pull request was merged after its apply")
        text += "\n\nMerged; the workspace's lock is released."
    return [text]


def _report_text(bot: Bot, workspace: str, report: ApplyReport, done: str) -> str:
    name = comments.code(bot.name(workspace))
    audit = ", ".join(f"#{n}" for n in report.audit) or "none"
    if report.result == "applied":
        head = f"**{done}** {name}: {changes(report.plan)}; verified. Audit row {audit}."
    elif report.rollback is not None and report.rollback.result == "rolled_back":
        head = (
            f"**Failed and rolled back** {name}: {comments.escape(report.error)}. The cloud is back at the "
            f"configuration applied before (verified). Audit rows {audit}."
        )
    else:
        left = report.rollback.error if report.rollback else report.error
        head = f"**Failed, not rolled back** {name}: {comments.escape(left)}. Audit rows {audit}."
    # The first line names the bot's own directory: of no use in the PR.
    steps = render(report, "table").split("\n", 1)[1]
    return f"{head}\n\n{comments.details('Steps', bot.settings.redact(steps))}"


def changes(plan: dict[str, list[str]]) -> str:
    """What a plan changes, for a comment: addresses in code spans."""
    return "; ".join(f"{comments.code(a)} {'/'.join(x)}" for a, x in sorted(plan.items())) or "no changes"
