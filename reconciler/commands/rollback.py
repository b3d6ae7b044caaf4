"""`reconcile rollback [DIR]`: bring the cloud back to an earlier commit's configuration, as a new commit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reconciler.apply.render import render
from reconciler.apply.rollback import RollbackOptions
from reconciler.apply.rollback import run_rollback
from reconciler.commands.apply import add_lock_timeout
from reconciler.commands.apply import common

HELP = "bring the cloud back to the configuration of an earlier commit (default: before the last apply)"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", nargs="?", default=".", type=Path, help="the Terraform root (default: .)"
    )
    parser.add_argument("--to", metavar="COMMIT", help="the commit to return to")
    parser.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
    parser.add_argument("--yes", action="store_true", help="apply without asking")
    add_lock_timeout(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")


def run(args: argparse.Namespace) -> int:
    report = run_rollback(RollbackOptions(common(args, "rollback"), to=args.to, dry_run=args.dry_run))
    sys.stdout.write(render(report, args.format))
    return report.exit_code
