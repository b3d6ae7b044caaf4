"""`reconcile drift [DIR]`: compare Terraform state with the live cloud; report, remember, exit 0/2/1.

Exit codes: 0 in sync, 2 drift found, 1 an error or an incomplete scan (the report is still written).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from reconciler.drift.run import DriftOptions, run_drift
from reconciler.report import FORMATS, render
from reconciler.report.output import check_writable, write_output

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


def run(args: argparse.Namespace) -> int:
    if args.output:
        check_writable(args.output, "--output")
    options = DriftOptions(
        directory=args.directory,
        state_file=args.state,
        stack=args.stack,
        attribution=not args.no_attribution,
        store=not args.no_store,
        show_progress=sys.stderr.isatty(),
        incremental=args.incremental,
    )
    report = run_drift(options)
    to_terminal = args.output is None and sys.stdout.isatty()
    width = os.get_terminal_size().columns if to_terminal else 120
    text = render(report, args.format, color=to_terminal and args.format == "table", width=width)
    if args.output:
        write_output(args.output, text, "--output")
        print(f"wrote the {args.format} report to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return report.exit_code
