"""`reconcile check [FILES ...]`: the pre-commit guard. Exit 1 when the commit's next apply would revert an
out-of-band change that the staged configuration neither codifies nor ignores; 0 otherwise (with warnings).

pre-commit passes the staged file names (``.pre-commit-hooks.yaml``: hook ``reconcile-guard``); without
FILES, the files changed in the git work tree are checked. ``RECONCILE_ALLOW_REVERT`` (comma-separated
addresses) adds to ``--allow-revert``, since a hook's arguments cannot change for one commit.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from reconciler.errors import UsageError
from reconciler.guard.render import render_json
from reconciler.guard.render import render_text
from reconciler.guard.run import CheckOptions
from reconciler.guard.run import parse_max_age
from reconciler.guard.run import run_check

HELP = "pre-commit guard: fail when the commit's next apply would revert an out-of-band change it leaves out"
ALLOW_ENV = "RECONCILE_ALLOW_REVERT"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="*", type=Path, metavar="FILES", help="the staged files (default: git's)"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="scan the workspaces first instead of using the latest scan"
    )
    parser.add_argument(
        "--max-age",
        metavar="DURATION",
        help="a scan older than this (30m, 24h, 7d) only warns (default: check.max_age, 24h)",
    )
    parser.add_argument(
        "--allow-revert",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="let the next apply revert this resource's drift (repeatable; * and ? are wildcards)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    files = tuple(args.files) or _changed_files(cwd)
    allowed = [
        *args.allow_revert,
        *(a.strip() for a in os.environ.get(ALLOW_ENV, "").split(",") if a.strip()),
    ]
    options = CheckOptions(
        files=files,
        cwd=cwd,
        fresh=args.fresh,
        max_age=parse_max_age(args.max_age, "--max-age") if args.max_age is not None else None,
        allow_revert=tuple(allowed),
        show_progress=sys.stderr.isatty(),
    )
    result = run_check(options)
    sys.stdout.write(render_json(result) if args.format == "json" else render_text(result))
    return result.exit_code


def _changed_files(cwd: Path) -> tuple[Path, ...]:
    """The files changed against HEAD (staged or not) and the untracked ones, as pre-commit would pass."""
    import git  # GitPython: only this path needs it, and it costs a noticeable share of a hook's time

    try:
        repo = git.Repo(cwd, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError("check: not in a git work tree; name the files to check") from None
    top = Path(repo.working_tree_dir or cwd)
    names = repo.git.diff("--name-only", "HEAD", "--").splitlines() if repo.head.is_valid() else []
    names += repo.untracked_files
    return tuple(top / n for n in dict.fromkeys(names) if (top / n).exists())
