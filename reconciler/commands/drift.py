"""`reconcile drift [DIR]`: compare Terraform state with the live cloud; report, remember, exit 0/2/1.

`reconcile drift --all [DIR]`: every workspace the ``reconcile.toml`` of DIR (default: here) lists, a few
at a time, in one combined report; ``--notify URL`` posts what is new, changed or resolved since each
workspace's previous scan (see :mod:`reconciler.cron`). Meant for cron: an overlapping run skips the
workspaces a live run is scanning, with a line saying so.

Exit codes: 0 in sync, 2 drift found, 1 an error or an incomplete scan (the report is still written);
with ``--all``, across every workspace scanned (notifications never change it).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from reconciler.cron.notify import FORMATS as NOTIFY_FORMATS
from reconciler.cron.runner import RunOptions
from reconciler.cron.runner import run_all
from reconciler.drift.run import DriftOptions
from reconciler.drift.run import run_drift
from reconciler.errors import UsageError
from reconciler.report import FORMATS
from reconciler.report import render
from reconciler.report import render_combined
from reconciler.report.output import check_writable
from reconciler.report.output import write_output

HELP = "detect drift between Terraform state and the live cloud, with who did it (exit 0 in sync, 2 drift)"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", nargs="?", default=".", type=Path, help="the Terraform root (default: .)"
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="report format (default: table)")
    parser.add_argument("--output", type=Path, help="write the report to FILE instead of standard output")
    parser.add_argument("--state", type=Path, help="read this local state file instead of asking Terraform")
    parser.add_argument("--stack", help="the CDK stack to scan, when cdktf.out holds several")
    parser.add_argument("--no-attribution", action="store_true", help="skip the Activity Log lookups")
    parser.add_argument("--no-store", action="store_true", help="do not record the scan in the store")
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="read again only what the Activity Log says changed since the last complete scan",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="scan every [[workspace]] the reconcile.toml of DIR lists, into one report (for cron)",
    )
    parser.add_argument(
        "--notify",
        action="append",
        metavar="URL",
        help="with --all: post new, changed and resolved drift to this webhook (repeatable; notify.urls)",
    )
    parser.add_argument(
        "--notify-format", choices=NOTIFY_FORMATS, help="the webhook payload (default: notify.format, json)"
    )


def run(args: argparse.Namespace) -> int:
    if args.output:
        check_writable(args.output, "--output")
    options = DriftOptions(
        directory=args.directory,
        state_file=args.state,
        stack=args.stack,
        attribution=not args.no_attribution,
        store=not args.no_store,
        show_progress=sys.stderr.isatty() and not args.all,
        incremental=args.incremental,
    )
    to_terminal = args.output is None and sys.stdout.isatty()
    width = os.get_terminal_size().columns if to_terminal else 120
    color = to_terminal and args.format == "table"
    if args.all:
        combined = run_all(_all_options(args, options))
        return _write(
            args, render_combined(combined, args.format, color=color, width=width), combined.exit_code
        )
    if args.notify or args.notify_format:
        raise UsageError("drift: --notify and --notify-format go with --all")
    report = run_drift(options)
    return _write(args, render(report, args.format, color=color, width=width), report.exit_code)


def _all_options(args: argparse.Namespace, options: DriftOptions) -> RunOptions:
    for flag, given in (("--state", args.state), ("--stack", args.stack), ("--no-store", args.no_store)):
        if given:
            # Each workspace has its own state and stack; and the store holds the run lock and the
            # previous scans that notifications compare against.
            raise UsageError(f"drift: {flag} cannot be used with --all")
    return RunOptions(
        directory=args.directory,
        drift=options,
        notify=tuple(args.notify) if args.notify else None,
        notify_format=args.notify_format,
        say=lambda line: print(f"reconcile: {line}", file=sys.stderr),
    )


def _write(args: argparse.Namespace, text: str, code: int) -> int:
    if args.output:
        write_output(args.output, text, "--output")
        print(f"wrote the {args.format} report to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return code
