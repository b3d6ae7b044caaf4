"""The audit trail: an append-only list of what was applied, reverted, rolled back, unlocked, and by whom.

Each row carries the SHA-256 of the row before it and its own, over a canonical JSON of its fields, so
that an edited row (its hash no longer matches) or a deleted one (the next row's ``prev_hash`` no longer
matches) is found by :func:`verify`. The chain cannot show that the newest rows were cut off; the
newest hash is printed by ``reconcile audit`` for anyone who wants to keep it elsewhere.

JSON form (``reconcile audit --format json``, version 1)::

    {"version": 1, "workspace": "<dir>", "rows": [{"seq": 1, "at": "<RFC 3339>", "action": "apply",
      "result": "applied", "workspace": "...", "os_user": "...", "git_author": "...", "principal": "...",
      "commits": ["<sha>"], "plan_hash": "<sha256>", "proposals": ["p-..."], "addresses": ["..."],
      "steps": [{"name": "plan", "ok": true, "seconds": 1.2, "detail": ""}], "error": "",
      "prev_hash": "<sha256 or empty>", "hash": "<sha256>"}]}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from typing import Literal
from typing import NamedTuple

from state.report import rfc3339

Action = Literal["apply", "revert", "rollback", "lock-break", "lock-release"]
AUDIT_VERSION = 1


class StepTime(NamedTuple):
    """One step of an apply, as the audit keeps it."""

    name: str
    ok: bool
    seconds: float
    detail: str = ""


class AuditEntry(NamedTuple):
    """What happened; the store adds the sequence number, the time and the hashes."""

    workspace: str
    action: Action
    result: str  # applied | rolled_back | rollback_failed | failed | refused | broken | released
    os_user: str
    git_author: str = ""
    principal: str = ""  # the cloud identity the credential resolves to, as far as it is known
    commits: tuple[str, ...] = ()
    plan_hash: str = ""
    proposals: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    steps: tuple[StepTime, ...] = ()
    error: str = ""


class AuditRow(NamedTuple):
    seq: int
    at: datetime
    entry: AuditEntry
    prev_hash: str
    hash: str


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    out = entry._asdict()
    for key in ("commits", "proposals", "addresses"):
        out[key] = list(out[key])
    out["steps"] = [s._asdict() for s in entry.steps]
    return out


def entry_from_json(doc: dict[str, Any]) -> AuditEntry:
    fields = dict(doc)
    for key in ("commits", "proposals", "addresses"):
        fields[key] = tuple(fields.get(key) or ())
    fields["steps"] = tuple(StepTime(**s) for s in fields.get("steps") or ())
    return AuditEntry(**{k: v for k, v in fields.items() if k in AuditEntry._fields})


def row_hash(seq: int, at: datetime, entry: AuditEntry, prev_hash: str) -> str:
    """SHA-256 over the canonical JSON of everything a row says, its predecessor's hash included."""
    doc = {"seq": seq, "at": rfc3339(at), "entry": entry_json(entry), "prev_hash": prev_hash}
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def verify(rows: Sequence[AuditRow]) -> list[str]:
    """What is wrong with a chain (oldest first), one line a row; empty when it is intact."""
    problems = []
    previous = ""
    for row in rows:
        if row.prev_hash != previous:
            problems.append(
                f"row {row.seq}: the row before it was deleted or changed (its recorded predecessor hash "
                f"{row.prev_hash[:12] or '(none)'} is not {previous[:12] or '(none)'})"
            )
        if row_hash(row.seq, row.at, row.entry, row.prev_hash) != row.hash:
            problems.append(f"row {row.seq}: edited after it was written (its hash does not match)")
        previous = row.hash
    return problems


# -- anchors in git ------------------------------------------------------------------------------------

#: the trailer of every commit reconcile makes: the audit row before the commit, as <store id>/<seq>/<hash>
ANCHOR_TRAILER = "Reconcile-Audit"


class Anchors(NamedTuple):
    problems: tuple[str, ...]  # rows a commit names that this store no longer has as they were
    checked: int  # anchors of this store that hold
    foreign: int  # anchors of other stores (another machine's, an older store's): not this chain's


def anchor(store_id: str, seq: int, digest: str) -> str:
    return f"{store_id}/{seq}/{digest}"


def check_anchors(store_id: str, rows: Sequence[AuditRow], anchored: Sequence[tuple[str, str]]) -> Anchors:
    """Whether the rows that commits (``(sha, trailer value)``) name are still in the chain: the hash
    chain alone cannot show that its newest rows were cut off, a pushed commit can."""
    by_seq = {r.seq: r for r in rows}
    problems: list[str] = []
    checked = foreign = 0
    if not store_id and rows:
        # Every store has an id from its first migration on: one without it was tampered with.
        problems.append("the store has lost its id (store_meta): commits' anchors cannot be matched to it")
    for sha, value in anchored:
        parts = value.strip().split("/")
        if len(parts) != 3 or not parts[1].isdigit():
            problems.append(
                f"commit {sha[:12]}: {ANCHOR_TRAILER} {value.strip()!r} is not <store id>/<seq>/<hash>"
            )
            continue
        store, seq, digest = parts[0], int(parts[1]), parts[2]
        if store != store_id:
            foreign += 1
            continue
        row = by_seq.get(seq)
        if row is None:
            problems.append(
                f"row {seq}: commit {sha[:12]} names it (hash {digest[:12]}) and the chain no longer has it:"
                " rows were cut off"
            )
        elif row.hash != digest:
            problems.append(
                f"row {seq}: its hash is {row.hash[:12]}, commit {sha[:12]} recorded {digest[:12]}:"
                " the chain was rewritten"
            )
        else:
            checked += 1
    return Anchors(tuple(problems), checked, foreign)


def to_json(workspace: str, rows: Sequence[AuditRow]) -> dict[str, Any]:
    return {
        "version": AUDIT_VERSION,
        "workspace": workspace,
        "rows": [
            {"seq": r.seq, "at": rfc3339(r.at), **entry_json(r.entry), "prev_hash": r.prev_hash,
             "hash": r.hash}
            for r in rows
        ],
    }  # fmt: skip
