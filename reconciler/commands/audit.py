"""`reconcile audit [DIR] [--verify]`: the audit trail of applies, rollbacks and lock events."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from reconciler.apply.repo import Repo
from reconciler.config import load_config
from reconciler.errors import GitError
from reconciler.errors import WorkspaceError
from state import audit
from state.report import rfc3339
from state.sqlite import SqliteStore

HELP = "list the audit trail of applies, rollbacks and lock events; --verify checks its hash chain"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", nargs="?", default=".", type=Path, help="the Terraform root (default: .)"
    )
    parser.add_argument("--verify", action="store_true", help="check that no row was edited or deleted")
    parser.add_argument("--format", choices=("table", "json"), default="table")


def run(args: argparse.Namespace) -> int:
    root = args.directory.resolve()
    if not root.is_dir():
        raise WorkspaceError(f"{args.directory}: not a directory")
    settings = load_config(root, env=dict(os.environ))
    path = settings.store_path(root)
    rows: list[audit.AuditRow] = []
    chain: list[audit.AuditRow] = []
    store_id = ""
    if path.exists():
        with SqliteStore(path, key_file=settings.store_key_file(root)) as store:
            rows = store.audit(str(root))
            chain = store.audit() if args.verify else []
            store_id = store.store_id()
    if args.verify:
        anchors = audit.check_anchors(store_id, chain, _anchored(root))
        problems = [*audit.verify(chain), *anchors.problems]
        for line in problems:
            print(f"reconcile: audit: {line}", file=sys.stderr)
        if problems:
            return 1
        newest = chain[-1].hash if chain else "(empty)"
        held = f"; {anchors.checked} anchored by commits, all present" if anchors.checked else ""
        other = f" ({anchors.foreign} anchors of other stores not checked)" if anchors.foreign else ""
        print(f"audit chain intact: {len(chain)} rows, newest hash {newest}{held}{other}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(audit.to_json(str(root), rows), indent=2))
        return 0
    if not rows:
        print("no audit rows for this workspace")
        return 0
    print(_line("#", "time (UTC)", "action", "result", "user", "commits", "took", "resources"))
    for r in rows:
        e = r.entry
        what = ", ".join(e.addresses or e.proposals) or "-"
        commits = ",".join(c[:12] for c in e.commits) or "-"
        took = f"{sum(s.seconds for s in e.steps):.1f}s"
        line = _line(str(r.seq), rfc3339(r.at), e.action, e.result, e.os_user, commits, took, what)
        print(line + (f"  error: {e.error}" if e.error else ""))
    return 0


def _line(seq: str, at: str, action: str, result: str, user: str, commits: str, took: str, what: str) -> str:
    return f"{seq:>4}  {at:<27} {action:<12} {result:<15} {user:<12} {commits:<26} {took:>7}  {what}"


def _anchored(root: Path) -> list[tuple[str, str]]:
    """The audit rows the workspace's git history names; none outside a git work tree."""
    try:
        return Repo(root).trailers(audit.ANCHOR_TRAILER)
    except GitError:
        return []
