"""The workspace lock a pull request holds, from ``/reconcile plan`` until it merges or closes.

It is the same lock every ``reconcile apply`` takes (:mod:`state.locks`), held in the name of the PR
(``pr``, no process), so an operator's apply meanwhile waits and then fails naming the PR, and the PR's
own apply runs under it (:attr:`reconciler.apply.session.Common.lock_token`). Releasing it is always
audited (``lock-release``), whoever or whatever releases it: the merge, the close, ``/reconcile unlock``
or a ``bot sync`` that finds the PR closed while the bot was down.
"""

from __future__ import annotations

import secrets
import socket

from hooks.bot.errors import Refusal
from reconciler.apply.lock import os_user
from state.audit import AuditEntry
from state.ledger import Ledger
from state.locks import Holder
from state.locks import Lock


def take(store: Ledger, workspace: str, pr: str, command: str, user: str) -> Lock:
    """The PR's lock on the workspace: taken now, or already the PR's. Refuses naming another holder."""
    me = Holder(user, socket.gethostname(), 0, command, pr=pr)
    held = store.try_lock(workspace, secrets.token_hex(16), me)
    if held.holder.pr != pr:
        raise Refusal(f"the workspace is locked by {held.describe()}")
    return held


def held_by(store: Ledger, workspace: str, pr: str) -> Lock | None:
    """The workspace's lock if this PR holds it."""
    held = store.lock(workspace)
    return held if held is not None and held.holder.pr == pr else None


def release(store: Ledger, workspace: str, pr: str, why: str) -> Lock | None:
    """Release the PR's lock (audited); the lock released, or None when the PR held none."""
    held = held_by(store, workspace, pr)
    if held is None or not store.unlock(workspace, held.token):
        return None
    store.append_audit(
        AuditEntry(
            workspace=workspace,
            action="lock-release",
            result="released",
            os_user=os_user(),
            error=f"lock of {held.describe()}: {why}",
        )
    )
    return held


def pr_number(lock: Lock, repository: str) -> int | None:
    """The number of the PR of ``repository`` (``github:octo/infra``) holding ``lock``, if one does."""
    head, _, number = lock.holder.pr.rpartition("#")
    return int(number) if head == repository and number.isdigit() else None
