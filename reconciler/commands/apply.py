"""`reconcile apply [DIR]`: apply proposals, a revert, or the committed configuration, locked and audited.

Exit codes: 0 applied; 1 refused before anything changed; 3 failed and rolled back; 4 failed and not
rolled back (see reconciler/apply/model.py).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from reconciler.apply.render import render
from reconciler.apply.run import ApplyOptions
from reconciler.apply.run import run_apply
from reconciler.apply.session import Common
from reconciler.errors import UsageError

HELP = "apply proposals, a revert or the committed configuration: locked, verified, audited, rolled back"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", nargs="?", default=None, type=Path, help="the Terraform root (default: .)"
    )
    parser.add_argument(
        "--proposal",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="proposals to apply (one or more; repeatable)",
    )
    parser.add_argument("--all", action="store_true", help="every valid proposal of the latest scan")
    parser.add_argument(
        "--revert",
        nargs="*",
        metavar="ADDRESS",
        help="put drifted resources back as the code says (all drifted ones, or these); no code change",
    )
    parser.add_argument("--yes", action="store_true", help="apply without asking")
    add_lock_timeout(parser)
    parser.add_argument("--no-rollback", action="store_true", help="leave a failed apply as it is")
    parser.add_argument("--format", choices=("table", "json"), default="table")


def add_lock_timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for another apply's lock (default: 60)",
    )


def common(args: argparse.Namespace, name: str) -> Common:
    if args.lock_timeout < 0:
        raise UsageError(f"--lock-timeout: {args.lock_timeout:g} is negative")
    return Common(
        directory=args.directory,
        yes=args.yes,
        lock_timeout=args.lock_timeout,
        command=shlex.join(["reconcile", name, *sys.argv[2:]]) if len(sys.argv) > 2 else f"reconcile {name}",
        confirm=terminal_question(),
    )


def terminal_question() -> Callable[[str], bool] | None:
    """Ask at a terminal; None when there is none to ask (then ``--yes`` is needed)."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None

    def ask(question: str) -> bool:
        print(question, file=sys.stderr)
        return input("Type 'yes' to apply: ").strip().lower() == "yes"

    return ask


def run(args: argparse.Namespace) -> int:
    if args.revert is not None and (args.proposal or args.all):
        raise UsageError("--revert applies no proposal: give either --revert or --proposal/--all")
    proposals = list(args.proposal)
    if args.directory is None and proposals and Path(proposals[-1]).is_dir():
        args.directory = Path(proposals.pop())  # `--proposal ID ... DIR`: the last one is the directory
    args.directory = args.directory or Path(".")
    for value in proposals:
        if Path(value).is_dir():
            raise UsageError(
                f"--proposal {value}: a directory, not a proposal id; give the directory first:"
                f" reconcile apply {shlex.quote(value)} --proposal ID ..."
            )
    report = run_apply(
        ApplyOptions(
            common=common(args, "apply"),
            proposals=tuple(proposals),
            all=args.all,
            revert=None if args.revert is None else tuple(args.revert),
            rollback=not args.no_rollback,
        )
    )
    sys.stdout.write(render(report, args.format))
    return report.exit_code
