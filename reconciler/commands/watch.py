"""`reconcile watch [DIR]`: drift as you work: re-judged on every save, rescanned live on an interval."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from pathlib import Path

from rich.console import Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from reconciler.errors import UsageError
from reconciler.errors import WorkspaceError
from reconciler.watch.loop import watch
from reconciler.watch.view import View
from reconciler.watch.view import to_json

HELP = "watch a workspace: drift re-judged when the code or state changes, rescanned live on an interval"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", nargs="?", default=".", type=Path, help="the Terraform root (default: .)"
    )
    parser.add_argument(
        "--interval", type=float, default=300.0, metavar="SECONDS", help="between live rescans (default 300)"
    )
    parser.add_argument(
        "--jsonl", action="store_true", help="one JSON event per line (default off a terminal)"
    )


def run(args: argparse.Namespace) -> int:
    if args.interval <= 0:
        raise UsageError(f"--interval: {args.interval:g} is not a positive number of seconds")
    root = args.directory.resolve()
    if not root.is_dir():
        raise WorkspaceError(f"{args.directory}: not a directory")
    stop = threading.Event()
    live = None if args.jsonl or not sys.stdout.isatty() else Live(_screen(None, root), auto_refresh=False)

    def emit(view: View) -> None:
        if live is None:
            print(json.dumps(to_json(view)), flush=True)
        else:
            live.update(_screen(view, root), refresh=True)

    try:
        if live is not None:
            live.start()
        watch(root, args.interval, emit, stop, dict(os.environ))
    except KeyboardInterrupt:
        stop.set()
    finally:
        if live is not None:
            live.stop()
    return 0


def _screen(view: View | None, root: Path) -> Group:
    if view is None:
        return Group(Text(f"watching {root}: scanning…", style="dim"))
    table = Table(title=f"Open drift in {root}", title_justify="left", expand=True)
    for column in ("resource", "change", "who"):
        table.add_column(column)
    for d in view.open:
        changes = "; ".join(f"{c.path}: {c.state!r} → {c.live!r}" for c in d.changes) or d.kind
        who = f"{d.attribution.caller} via {d.attribution.modality}" if d.attribution else ""
        table.add_row(d.address or d.resource_id, changes, who)
    lines = [Text(f"✔ {d.address or d.resource_id}: {why}", style="green") for d, why in view.settled]
    status = f"{view.event} at {view.at:%H:%M:%S} · scan {view.scan_id} ({view.mode}) · Ctrl-C stops"
    footer = [Text(status, style="dim")]
    if view.error:
        footer.insert(0, Text(view.error, style="bold red"))
    return Group(table, *lines, *footer)
