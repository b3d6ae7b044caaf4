"""Workspace locks: one holder per workspace at a time, kept in the store so every process sees it.

A lock names its holder (user, host, pid, the command and the proposals it applies) and carries a
heartbeat the holder refreshes while it works. A lock is *stale* when its holder is gone: on the same
host the pid no longer exists, or (any host) the heartbeat is older than the time-to-live. Whoever
finds a stale lock may break it — only that exact lock, by its token — and must say so in the audit.

A pull request can hold the lock too (the PR bot takes it at ``/reconcile plan``): its holder names the
PR (``pr``, e.g. ``github:octo/infra#12``) and no process (pid 0). It is never stale by pid or heartbeat:
it is released when the PR merges or closes, by the bot or by the next ``reconcile bot sync``, or by
hand (``reconcile lock release --force``, audited).
"""

from __future__ import annotations

import os
from datetime import datetime
from datetime import timedelta
from typing import NamedTuple

from state.report import rfc3339

#: a holder refreshes its heartbeat this often; a lock whose heartbeat is older than TTL is stale
HEARTBEAT = timedelta(seconds=10)
TTL = timedelta(seconds=90)


class Holder(NamedTuple):
    user: str
    host: str
    pid: int
    command: str  # what it runs, as typed: "reconcile apply --proposal p-1a2b"
    proposals: tuple[str, ...] = ()
    pr: str = ""  # a pull request holding the lock ("github:octo/infra#12"); pid is then 0


class Lock(NamedTuple):
    workspace: str
    token: str  # random, the holder's proof of ownership
    holder: Holder
    acquired_at: datetime
    heartbeat_at: datetime

    def describe(self) -> str:
        h = self.holder
        if h.pr:
            return f"pull request {h.pr} ('{h.command}' by {h.user}) since {rfc3339(self.acquired_at)}"
        return f"{h.user} on {h.host} (pid {h.pid}) running '{h.command}' since {rfc3339(self.acquired_at)}"

    def stale(self, now: datetime, host: str, ttl: timedelta = TTL) -> str | None:
        """Why the holder is gone, or None while it may still be working."""
        if self.holder.pr:
            return None  # held until the pull request merges or closes, not by a process
        if self.holder.host == host and not _alive(self.holder.pid):
            return f"its process {self.holder.pid} on {host} is gone"
        if now - self.heartbeat_at > ttl:
            return f"no heartbeat since {rfc3339(self.heartbeat_at)}"
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True
