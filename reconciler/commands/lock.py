"""`reconcile lock [DIR] status|release [--force]`: who holds the workspace's apply lock; let it go."""

from __future__ import annotations

import argparse
import json
import os
import socket
from datetime import UTC
from datetime import datetime
from pathlib import Path

from reconciler.apply.lock import os_user
from reconciler.config import load_config
from reconciler.errors import LockHeldError
from reconciler.errors import UsageError
from reconciler.errors import WorkspaceError
from state.audit import AuditEntry
from state.locks import Lock
from state.report import rfc3339
from state.sqlite import SqliteStore

HELP = "show or release the workspace's apply lock (release a live holder's lock only with --force)"
ACTIONS = ("status", "release")


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("words", nargs="+", metavar="[DIR] ACTION", help="status or release")
    parser.add_argument("--force", action="store_true", help="release a lock whose holder is alive")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    *where, action = args.words
    if action not in ACTIONS or len(where) > 1:
        raise UsageError(f"lock: expected [DIR] {'|'.join(ACTIONS)}, got {' '.join(args.words)}")
    root = Path(where[0] if where else ".").resolve()
    if not root.is_dir():
        raise WorkspaceError(f"{root}: not a directory")
    settings = load_config(root, env=dict(os.environ))
    path = settings.store_path(root)
    if not path.exists():
        _show(args.format, None, "unlocked")
        return 0
    with SqliteStore(path, key_file=settings.store_key_file(root)) as store:
        held = store.lock(str(root))
        if action == "status" or held is None:
            _show(args.format, held, "unlocked" if held is None else f"locked by {held.describe()}")
            return 0
        why = held.stale(datetime.now(UTC), socket.gethostname())
        if why is None and not args.force:
            raise LockHeldError(f"{root}: locked by {held.describe()}, alive; release it with --force")
        if store.unlock(str(root), held.token):
            reason = why or "released by force while its holder may still run"
            store.append_audit(
                AuditEntry(
                    workspace=str(root),
                    action="lock-release",
                    result="released",
                    os_user=os_user(),
                    error=f"lock of {held.describe()}: {reason}",
                )
            )
        _show(args.format, held, f"released the lock of {held.describe()}")
    return 0


def _show(fmt: str, lock: Lock | None, text: str) -> None:
    if fmt == "json":
        doc = {
            "version": 1,
            "message": text,
            "lock": None
            if lock is None
            else {
                **lock.holder._asdict(),
                "proposals": list(lock.holder.proposals),
                "acquired_at": rfc3339(lock.acquired_at),
                "heartbeat_at": rfc3339(lock.heartbeat_at),
            },
        }
        print(json.dumps(doc, indent=2))
    else:
        print(text)
