"""Holding a workspace's lock while an apply runs: wait for a live holder, break a dead one, heartbeat.

The lock lives in the store (:mod:`state.locks`), so every process and every host sharing the store
sees it. A holder whose process is gone (same host) or whose heartbeat stopped is broken automatically,
with a line saying so and an audit row. A live holder makes us wait up to ``timeout`` seconds, then fail
in one line naming it. A background thread refreshes the heartbeat; if the lock is broken under us (a
heartbeat finds it gone), :attr:`WorkspaceLock.lost` turns true and the apply stops before its next step.

A caller that already holds the lock under another name — the PR bot's job for a pull request that took
it at ``/reconcile plan`` — passes that lock's token (``adopt``): the apply runs under it when it is still
held with that token, refuses otherwise, and leaves it held afterwards (the PR's merge or close releases
it).
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from types import TracebackType

from reconciler.errors import LockHeldError
from state.audit import AuditEntry
from state.ledger import Ledger
from state.locks import HEARTBEAT
from state.locks import Holder
from state.locks import Lock

POLL_S = 0.5


def os_user() -> str:
    """Who runs this process, as the operating system knows them."""
    try:
        import pwd  # not on Windows

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def holder(command: str, proposals: tuple[str, ...] = ()) -> Holder:
    """This process as a lock holder."""
    return Holder(os_user(), socket.gethostname(), os.getpid(), command, proposals)


class WorkspaceLock:
    """``with WorkspaceLock(...):`` holds the workspace's lock for the block."""

    def __init__(
        self,
        store: Ledger,
        workspace: str,
        me: Holder,
        *,
        timeout: float,
        notify: Callable[[str], None] = lambda line: None,
        clock: Callable[[], datetime],
        key: str | None = None,
        adopt: str | None = None,
    ) -> None:
        self.store = store
        self.workspace = workspace
        # Where the lock lives in the store: the workspace itself for applies; another key for a lock of
        # another purpose (a cron run's scan lock), which must not keep applies out.
        self.key = workspace if key is None else key
        self.me = me
        self.timeout = timeout
        self.notify = notify
        self.clock = clock
        self.adopted = adopt is not None
        self.token = adopt if adopt is not None else secrets.token_hex(16)
        self.broken: list[Lock] = []  # stale locks broken on the way in
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def lost(self) -> bool:
        """The lock was broken by someone else while we held it."""
        return self._lost.is_set()

    def __enter__(self) -> WorkspaceLock:
        if self.adopted:
            held = self.store.lock(self.key)
            if held is None or held.token != self.token:
                now = "unlocked" if held is None else f"locked by {held.describe()}"
                raise LockHeldError(f"{self.workspace}: the lock this apply was to run under is gone; {now}")
        else:
            self._acquire()
        self._thread = threading.Thread(target=self._beat, name="reconcile-lock-heartbeat", daemon=True)
        self._thread.start()
        return self

    def _acquire(self) -> None:
        deadline = time.monotonic() + max(0.0, self.timeout)
        waiting = False
        while True:
            held = self.store.try_lock(self.key, self.token, self.me)
            if held.token == self.token:
                break
            why = held.stale(self.clock(), self.me.host)
            if why is not None:
                self._break(held, why)
                continue
            if time.monotonic() >= deadline:
                raise LockHeldError(
                    f"{self.workspace}: locked by {held.describe()}"
                    + (f"; waited {self.timeout:g} s" if self.timeout > 0 else "")
                    + (" (see 'reconcile lock status')" if self.key == self.workspace else "")
                )
            if not waiting:
                self.notify(f"waiting up to {self.timeout:g} s for the lock held by {held.describe()}")
                waiting = True
            time.sleep(POLL_S)

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if not self.adopted:
            self.store.unlock(self.key, self.token)

    def _break(self, held: Lock, why: str) -> None:
        # Delete exactly the lock we judged stale: if its holder came back to life and took a new
        # token, or someone else broke it first, the compare-and-delete does nothing.
        if not self.store.unlock(self.key, held.token):
            return
        self.broken.append(held)
        self.notify(f"broke the stale lock of {held.describe()}: {why}")
        self.store.append_audit(
            AuditEntry(
                workspace=self.workspace,
                action="lock-break",
                result="broken",
                os_user=self.me.user,
                error=f"stale lock of {held.describe()}: {why}",
            )
        )

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT.total_seconds()):
            if not self.store.heartbeat(self.key, self.token):
                self._lost.set()
                return
