"""`reconcile bot sync|serve`: the PR bot's command line (registered as an entry point of the
``reconcile.commands`` group: the CLI sits below hooks/ and cannot import it).

    reconcile bot sync [DIR ...] [--forge F] [--api-url URL] [--repo OWNER/NAME] [--format text|json]
    reconcile bot serve [--host H] [--port N] [--forge F] [--api-url URL] [--repo OWNER/NAME]

Both run in a clone of the repository (the top of its work tree is found from the current directory);
DIRs default to ``[bot] workspaces`` (default: the top). ``sync`` exits 0 when nothing drifted, 2 when
drift has a pull request, 1 when a workspace failed (see :mod:`hooks.bot.sync` for the JSON form).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import git

from hooks.bot import server
from hooks.bot import sync
from hooks.bot.context import open_bot
from hooks.bot.settings import BotSettings
from hooks.bot.settings import load_settings
from reconciler.errors import UsageError
from reconciler.errors import WorkspaceError

HELP = "the GitOps PR bot: 'sync' runs one cycle (for a schedule), 'serve' answers webhooks"


def register(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="bot_action", metavar="ACTION")
    actions.required = True
    syncing = actions.add_parser("sync", help="scan, propose, open/update/close one PR per drifted workspace")
    syncing.add_argument(
        "directories", nargs="*", type=Path, metavar="DIR", help="workspaces (default: [bot])"
    )
    syncing.add_argument("--format", choices=("text", "json"), default="text")
    serving = actions.add_parser(
        "serve", help="the webhook server: POST /webhooks/github|gitlab, GET /healthz"
    )
    serving.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serving.add_argument("--port", type=int, default=8080, help="port (default: 8080)")
    for sub in (syncing, serving):
        sub.add_argument("--forge", choices=("github", "gitlab"), help="overrides [bot] forge")
        sub.add_argument("--api-url", help="overrides [bot] api_url (GitHub Enterprise, self-hosted GitLab)")
        sub.add_argument("--repo", help="overrides [bot] repository (owner/name)")


def run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    bot = open_bot(settings, os.environ)
    if args.bot_action == "serve":
        settings.require_webhook_secret()
        server.serve(bot, args.host, args.port)
        return 0
    workspaces = _workspaces(settings, args.directories)
    report = sync.run_sync(bot, workspaces)
    if args.format == "json":
        print(json.dumps(sync.to_json(report), indent=2))
    else:
        for w in report.workspaces:
            where = f" #{w.pull_request} {w.url}" if w.pull_request else ""
            print(f"{w.workspace}: {w.action}{where}" + (f": {w.error}" if w.error else ""))
        for r in report.released:
            print(f"{r.workspace}: released the lock of #{r.pull_request} ({r.state})")
    return report.exit_code


def _settings(args: argparse.Namespace) -> BotSettings:
    try:
        top = git.Repo(Path.cwd(), search_parent_directories=True).working_tree_dir
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        top = None
    if top is None:
        raise WorkspaceError(
            f"{Path.cwd()}: not in a git work tree; the bot runs in a clone of the repository"
        )
    return load_settings(
        Path(top).resolve(), os.environ, forge=args.forge, api_url=args.api_url, repository=args.repo
    )


def _workspaces(settings: BotSettings, directories: list[Path]) -> list[str]:
    if not directories:
        return list(settings.workspaces)
    out = []
    for d in directories:
        path = d.resolve()
        if not path.is_dir() or not path.is_relative_to(settings.top):
            raise UsageError(f"{d}: not a directory inside the repository at {settings.top}")
        out.append(path.relative_to(settings.top).as_posix())
    return out
