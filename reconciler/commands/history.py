"""`reconcile history [SCAN_ID]`: past scans of a workspace and their drift counts, or one scan in full."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reconciler.config import load_config
from reconciler.errors import ReconcileError
from reconciler.report import FORMATS
from reconciler.report import render
from state.report import rfc3339
from state.sqlite import SqliteStore

HELP = "list past drift scans and their counts, or show one scan (SCAN_ID or a unique prefix)"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scan_id", nargs="?", help="show this scan (full id or a unique prefix)")
    parser.add_argument(
        "-C", "--directory", type=Path, default=Path("."), help="the Terraform root (default: .)"
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("--limit", type=int, default=20, help="how many scans to list (default: 20)")
    parser.add_argument(
        "--all-workspaces", action="store_true", help="list scans of every workspace in the store"
    )


def run(args: argparse.Namespace) -> int:
    root = args.directory.resolve()
    settings = load_config(root)
    path = settings.store_path(root)
    if not path.exists():
        raise ReconcileError(f"{path}: no scans yet; run 'reconcile drift' first")
    with SqliteStore(path) as store:
        if args.scan_id:
            report = store.report(args.scan_id)
            if report is None:
                raise ReconcileError(f"{path}: no scan {args.scan_id!r}")
            sys.stdout.write(
                render(report, args.format, color=sys.stdout.isatty() and args.format == "table")
            )
            return 0
        scans = store.scans(None if args.all_workspaces else str(root), limit=max(1, args.limit))
    if args.format == "json":
        rows = [
            {
                "scan_id": s.scan_id,
                "workspace": s.workspace,
                "scanned_at": rfc3339(s.scanned_at),
                "complete": s.complete,
                "summary": s.summary._asdict(),
            }
            for s in scans
        ]
        print(json.dumps({"version": 1, "scans": rows}, indent=2))
        return 0
    if args.format != "table":
        raise ReconcileError(f"--format {args.format}: the scan list is available as table or json")
    if not scans:
        print(f"no scans of {root} yet")
        return 0
    header = ("scan", "when (UTC)", "managed", "changed", "deleted", "unmanaged", "unknown")
    print("{:<26} {:<17} {:>7} {:>7} {:>7} {:>9} {:>7}".format(*header))
    for s in scans:
        flag = "" if s.complete else "  (incomplete)"
        counts = (
            s.summary.managed,
            s.summary.changed,
            s.summary.deleted,
            s.summary.unmanaged,
            s.summary.unknown,
        )
        when = s.scanned_at.strftime("%Y-%m-%d %H:%M")
        print("{:<26} {:<17} {:>7} {:>7} {:>7} {:>9} {:>7}".format(s.scan_id, when, *counts) + flag)
    return 0
