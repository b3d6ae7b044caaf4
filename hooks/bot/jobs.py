"""One queued job: a comment command on a pull request, or a pull request that merged or closed.

A command is acknowledged with a reaction and answered in the PR, whatever happens: what it did, why
it refused, or how it failed. Before anything runs: the PR must be open; a PR from a fork runs nothing
unless ``[bot] allow_forks``; the commenter must have write permission (``help`` excepted); the
workspace must be one the bot manages. Requirements particular to a verb live in :mod:`hooks.bot.actions`.
"""

from __future__ import annotations

from hooks.bot import actions
from hooks.bot import comments
from hooks.bot import sync
from hooks.bot.commands import HELP
from hooks.bot.commands import Command
from hooks.bot.commands import Invalid
from hooks.bot.commands import parse
from hooks.bot.context import Bot
from hooks.bot.errors import Refusal
from hooks.bot.forge import PullRequest
from hooks.bot.settings import workspace_name
from reconciler.errors import ReconcileError
from state.bot import Job
from state.errors import StoreError


def handle(bot: Bot, job: Job) -> None:
    if job.kind == "closed":
        closed(bot, int(job.payload["pr"]), str(job.payload["state"]))
    elif job.kind == "command":
        p = job.payload
        command(bot, int(p["pr"]), int(p["comment_id"]), str(p["author"]), str(p["body"]))


def closed(bot: Bot, number: int, state: str) -> None:
    """A merged or closed PR gives up every lock it holds, always."""
    for workspace in bot.settings.workspaces:
        if sync.release(bot, workspace, number, f"the pull request was {state}"):
            bot.log(f"{workspace}: released the lock of #{number} ({state})")


def command(bot: Bot, number: int, comment_id: int, author: str, text: str) -> None:
    parsed = parse(text)
    if parsed is None:
        return
    forge = bot.forge
    forge.react(comment_id, "eyes", number)
    if isinstance(parsed, Invalid):
        forge.react(comment_id, "confused", number)
        forge.comment(number, f"**Not a command**: {comments.escape(parsed.reason)}.\n\n{HELP}")
        return
    if parsed.verb == "help":
        forge.comment(number, HELP)
        return
    try:
        pr = forge.get_pr(number)
        workspace = _workspace(bot, parsed, pr)
        _allowed(bot, pr, author)
        answer = _run(bot, parsed, pr, workspace, author)
    except Refusal as e:
        answer = [f"**Refused** `{parsed.verb}`: {comments.escape(bot.settings.redact(e.message))}"]
    except (ReconcileError, StoreError) as e:
        answer = [f"**Failed** `{parsed.verb}`: {comments.escape(bot.settings.redact(e.message))}"]
    except Exception:
        # A bug: the PR still hears of it (the worker logs the traceback and marks the job failed).
        forge.comment(number, f"**Failed** `{parsed.verb}`: an unexpected error; the bot's log has it.")
        raise
    comments.post(forge, number, answer)


def _run(bot: Bot, cmd: Command, pr: PullRequest, workspace: str, author: str) -> list[str]:
    if cmd.verb == "plan":
        return actions.plan(bot, pr, workspace, author)
    if cmd.verb == "apply":
        return actions.apply(bot, pr, workspace, author)
    if cmd.verb == "revert":
        return actions.revert(bot, pr, workspace, author, cmd.addresses)
    if cmd.verb == "unlock":
        return actions.unlock(bot, pr, workspace, author)
    result = sync.cycle(bot, workspace)
    what = {
        "in_sync": "no drift: nothing to do",
        "closed": "no drift is left: this pull request is closed",
        "unchanged": "the drift is what this pull request says",
        "updated": "the drift changed: the branch and the description are updated",
        "opened": f"opened #{result.pull_request} for it",
        "error": f"failed: {result.error}",
    }[result.action]
    return [f"**Rescanned** {comments.code(workspace_name(workspace))}: {comments.escape(what)}."]


def _allowed(bot: Bot, pr: PullRequest, author: str) -> None:
    if pr.state != "open":
        raise Refusal(f"the pull request is {pr.state}")
    if pr.from_fork and not bot.settings.allow_forks:
        raise Refusal(
            "this pull request comes from a fork: the bot runs no Terraform for forks ([bot] allow_forks = "
            "true allows it: its code would run with this repository's cloud credentials)"
        )
    if not bot.forge.can_write(author):
        raise Refusal(f"{author} needs write permission on {bot.forge.repository} to run commands")


def _workspace(bot: Bot, cmd: Command, pr: PullRequest) -> str:
    known = bot.settings.workspaces
    if cmd.directory is not None:
        if cmd.directory not in known:
            raise Refusal(f"{cmd.directory} is not a workspace of the bot (those are: {', '.join(known)})")
        return cmd.directory
    names = {workspace_name(w): w for w in known}
    if cmd.workspace is not None:
        if cmd.workspace not in names:
            raise Refusal(f"no workspace named {cmd.workspace} (there are: {', '.join(names)})")
        return names[cmd.workspace]
    branch_name = pr.head_branch.removeprefix("reconcile/drift/")
    if pr.head_branch.startswith("reconcile/drift/") and branch_name in names:
        return names[branch_name]
    if len(known) == 1:
        return known[0]
    raise Refusal(f"which workspace? add -d DIR (one of: {', '.join(known)})")
