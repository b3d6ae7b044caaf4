"""All the SQL the store runs, written once for SQLite and PostgreSQL.

Portable on purpose: only TEXT, INTEGER, BIGINT and BOOLEAN columns; JSON kept as TEXT; times as
fixed-width UTC text (``2025-03-01T12:00:00.000000Z``) so that text order is time order under any
collation; no AUTOINCREMENT or SERIAL (rows are keyed by scan id and position); upserts with
``ON CONFLICT ... DO NOTHING`` (SQLite 3.24+, PostgreSQL 9.5+). Column names avoid SQL keywords
(``n_unknown``, ``occurred_at``).

Statements use ``?`` placeholders (sqlite3's ``qmark`` style). :meth:`Queries.for_paramstyle` rewrites
them for a driver with another DB-API ``paramstyle``: psycopg's ``format`` wants ``%s``, and a literal
``%`` doubled. Migrations take no parameters and run as written.

Where each database keeps its schema version differs: SQLite in ``PRAGMA user_version``
(:mod:`state.migrations`); a PostgreSQL store would keep it in a one-row table of its own.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from typing import NamedTuple

from state.scrub import scrub_snapshots


def _new_store_id(conn: Any) -> None:
    conn.execute("INSERT INTO store_meta (name, value) VALUES ('store_id', ?)", (secrets.token_hex(8),))


class Migration(NamedTuple):
    version: int  # 1-based; the schema version after it ran
    name: str
    statements: tuple[str, ...]  # one statement each: DB-API drivers run one at a time
    #: runs after the statements, in the same transaction, with the connection (``?`` placeholders)
    transform: Callable[[Any], None] | None = None
    #: the file is rewritten afterwards: what the migration removed must not survive in free pages or
    #: the write-ahead log
    compact: bool = False


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "workspaces, scans, snapshots, drifts, attributions",
        (
            """CREATE TABLE workspaces (
                workspace TEXT PRIMARY KEY,  -- as the report names it
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE scans (
                scan_id TEXT PRIMARY KEY,
                workspace TEXT NOT NULL REFERENCES workspaces (workspace),
                started_at TEXT NOT NULL,  -- the report's scanned_at
                finished_at TEXT NOT NULL,  -- when the store saved it
                complete BOOLEAN NOT NULL,
                state_serial BIGINT,
                state_lineage TEXT,
                n_managed INTEGER NOT NULL,
                n_in_sync INTEGER NOT NULL,
                n_changed INTEGER NOT NULL,
                n_deleted INTEGER NOT NULL,
                n_unmanaged INTEGER NOT NULL,
                n_unknown INTEGER NOT NULL,
                errors TEXT NOT NULL  -- JSON array of strings
            )""",
            "CREATE INDEX scans_workspace_started ON scans (workspace, started_at)",
            "CREATE INDEX scans_started ON scans (started_at)",
            """CREATE TABLE snapshots (
                scan_id TEXT NOT NULL REFERENCES scans (scan_id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                address TEXT,
                resource_id TEXT NOT NULL,
                type TEXT NOT NULL,
                config TEXT,  -- JSON objects; NULL where that view has no such resource
                state TEXT,
                live TEXT,
                PRIMARY KEY (scan_id, seq)
            )""",
            "CREATE INDEX snapshots_resource ON snapshots (resource_id)",
            """CREATE TABLE drifts (
                scan_id TEXT NOT NULL REFERENCES scans (scan_id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('changed', 'deleted', 'unmanaged', 'unknown')),
                address TEXT,
                type TEXT NOT NULL,
                resource_id TEXT NOT NULL,
                changes TEXT NOT NULL,  -- JSON array of {"path", "state", "live"}
                source_file TEXT,
                source_line INTEGER,
                reason TEXT,
                PRIMARY KEY (scan_id, seq)
            )""",
            "CREATE INDEX drifts_resource ON drifts (resource_id)",
            """CREATE TABLE attributions (
                scan_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                caller TEXT NOT NULL,
                modality TEXT NOT NULL,
                operation TEXT NOT NULL,
                occurred_at TEXT NOT NULL,
                correlation_id TEXT NOT NULL,
                PRIMARY KEY (scan_id, seq),
                FOREIGN KEY (scan_id, seq) REFERENCES drifts (scan_id, seq) ON DELETE CASCADE
            )""",
        ),
    ),
    Migration(
        2,
        "proposals",
        (
            """CREATE TABLE proposals (
                proposal_id TEXT PRIMARY KEY,
                scan_id TEXT NOT NULL REFERENCES scans (scan_id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                address TEXT,
                strategy TEXT NOT NULL,
                valid BOOLEAN NOT NULL,
                created_at TEXT NOT NULL,
                body TEXT NOT NULL  -- the proposal's JSON form (state.proposal.to_json)
            )""",
            "CREATE INDEX proposals_scan ON proposals (scan_id, seq)",
        ),
    ),
    Migration(
        3,
        "locks, audit trail, applied commits, state backups",
        (
            """CREATE TABLE locks (
                workspace TEXT PRIMARY KEY,
                token TEXT NOT NULL,
                holder TEXT NOT NULL,  -- JSON {user, host, pid, command, proposals}
                acquired_at TEXT NOT NULL,
                heartbeat_at TEXT NOT NULL
            )""",
            """CREATE TABLE audit (
                seq BIGINT PRIMARY KEY,  -- one chain per store, across workspaces
                workspace TEXT NOT NULL,
                at TEXT NOT NULL,
                action TEXT NOT NULL,
                result TEXT NOT NULL,
                entry TEXT NOT NULL,  -- JSON (state.audit.entry_json)
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )""",
            "CREATE INDEX audit_workspace ON audit (workspace, seq)",
            """CREATE TABLE applied (
                workspace TEXT NOT NULL,
                seq BIGINT NOT NULL,  -- the audit row of the apply
                commit_sha TEXT NOT NULL,
                applied_at TEXT NOT NULL,
                PRIMARY KEY (workspace, seq)
            )""",
            """CREATE TABLE state_backups (
                workspace TEXT NOT NULL,
                lineage TEXT NOT NULL,
                serial BIGINT NOT NULL,
                sha256 TEXT NOT NULL,
                path TEXT NOT NULL,  -- the file beside the store; the state itself is not kept here
                saved_at TEXT NOT NULL,
                PRIMARY KEY (workspace, lineage, serial)
            )""",
        ),
    ),
    Migration(
        4,
        "scan modes: full or incremental",
        ("ALTER TABLE scans ADD COLUMN mode TEXT NOT NULL DEFAULT 'full'",),
    ),
    Migration(
        5,
        "no secrets at rest: snapshot values masked, keyed hashes of secrets, old proposals dropped",
        (
            # JSON {view: {path: "hmac-sha256:..."}}: the keyed hashes of the masked values
            "ALTER TABLE snapshots ADD COLUMN digests TEXT",
            "DELETE FROM proposals",
        ),
        transform=scrub_snapshots,
        compact=True,
    ),
    Migration(
        6,
        "the PR bot: webhook deliveries seen, its job queue, plans bound to a PR head",
        (
            """CREATE TABLE bot_deliveries (
                forge TEXT NOT NULL,
                delivery_id TEXT NOT NULL,  -- X-GitHub-Delivery, GitLab's Idempotency-Key
                received_at TEXT NOT NULL,
                job_id TEXT,  -- the job it queued; NULL for an event the bot ignores
                PRIMARY KEY (forge, delivery_id)
            )""",
            "CREATE INDEX bot_deliveries_received ON bot_deliveries (received_at)",
            """CREATE TABLE bot_jobs (
                job_id TEXT PRIMARY KEY,
                forge TEXT NOT NULL,
                kind TEXT NOT NULL,  -- command | closed
                payload TEXT NOT NULL,  -- JSON, checked when the webhook arrived
                status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
                attempts INTEGER NOT NULL,
                enqueued_at TEXT NOT NULL,
                started_at TEXT,
                finished_at TEXT,
                error TEXT NOT NULL
            )""",
            "CREATE INDEX bot_jobs_status ON bot_jobs (status, enqueued_at)",
            """CREATE TABLE bot_plans (
                repository TEXT NOT NULL,  -- forge:owner/name
                pr BIGINT NOT NULL,
                workspace TEXT NOT NULL,
                head_sha TEXT NOT NULL,  -- the PR head the plan was made at
                state_serial BIGINT,  -- the state it was made against
                state_lineage TEXT,
                changes TEXT NOT NULL,  -- JSON {address: [actions]}
                digest TEXT NOT NULL,  -- sha256 of the plan file
                planned_at TEXT NOT NULL,
                planned_by TEXT NOT NULL,
                PRIMARY KEY (repository, pr, workspace)
            )""",
        ),
    ),
    Migration(
        7,
        "the store's id: commits name the audit row before them as <store id>/<seq>/<hash>",
        ("CREATE TABLE store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",),
        transform=_new_store_id,
    ),
)

_SCAN_COLUMNS = (
    "scan_id, workspace, started_at, finished_at, complete, state_serial, state_lineage,"
    " n_managed, n_in_sync, n_changed, n_deleted, n_unmanaged, n_unknown, errors, mode"
)
# What a ScanReport or a ScanInfo is rebuilt from (see state.rows).
_SCAN_SELECT = (
    "scan_id, workspace, started_at, complete,"
    " n_managed, n_in_sync, n_changed, n_deleted, n_unmanaged, n_unknown, errors, mode"
)
_NEWEST_FIRST = "ORDER BY started_at DESC, scan_id DESC"


class Queries(NamedTuple):
    insert_workspace: str = (
        "INSERT INTO workspaces (workspace, created_at) VALUES (?, ?) ON CONFLICT (workspace) DO NOTHING"
    )
    insert_scan: str = f"INSERT INTO scans ({_SCAN_COLUMNS}) VALUES ({', '.join('?' * 15)})"
    insert_drift: str = (
        "INSERT INTO drifts (scan_id, seq, kind, address, type, resource_id, changes,"
        " source_file, source_line, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    insert_attribution: str = (
        "INSERT INTO attributions (scan_id, seq, caller, modality, operation, occurred_at, correlation_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    insert_snapshot: str = (
        "INSERT INTO snapshots (scan_id, seq, address, resource_id, type, config, state, live, digests)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    scan_exists: str = "SELECT scan_id FROM scans WHERE scan_id = ?"
    # substr, not LIKE (case-insensitive in SQLite) nor a range (collation-dependent in PostgreSQL).
    scans_with_prefix: str = (
        "SELECT scan_id FROM scans WHERE substr(scan_id, 1, ?) = ? ORDER BY scan_id LIMIT ?"
    )
    scan: str = f"SELECT {_SCAN_SELECT} FROM scans WHERE scan_id = ?"
    drifts: str = (
        "SELECT d.kind, d.address, d.type, d.resource_id, d.changes, d.source_file, d.source_line,"
        " d.reason, a.caller, a.modality, a.operation, a.occurred_at, a.correlation_id"
        " FROM drifts d LEFT JOIN attributions a ON a.scan_id = d.scan_id AND a.seq = d.seq"
        " WHERE d.scan_id = ? ORDER BY d.seq"
    )
    snapshots: str = (
        "SELECT address, resource_id, type, config, state, live, digests FROM snapshots"
        " WHERE scan_id = ? ORDER BY seq"
    )
    scan_state: str = "SELECT state_serial, state_lineage FROM scans WHERE scan_id = ?"
    # Proposing again for the same scan replaces the earlier proposal for the same drift and strategy.
    insert_proposal: str = (
        "INSERT INTO proposals (proposal_id, scan_id, seq, address, strategy, valid, created_at, body)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (proposal_id) DO UPDATE SET"
        " seq = excluded.seq, valid = excluded.valid, created_at = excluded.created_at, body = excluded.body"
    )
    proposals: str = "SELECT body FROM proposals WHERE scan_id = ? ORDER BY created_at, seq"
    proposal_with_prefix: str = (
        "SELECT body FROM proposals WHERE substr(proposal_id, 1, ?) = ? ORDER BY proposal_id LIMIT 2"
    )
    scans_all: str = f"SELECT {_SCAN_SELECT} FROM scans {_NEWEST_FIRST} LIMIT ?"
    scans_of: str = f"SELECT {_SCAN_SELECT} FROM scans WHERE workspace = ? {_NEWEST_FIRST} LIMIT ?"
    latest: str = f"SELECT scan_id FROM scans WHERE workspace = ? {_NEWEST_FIRST} LIMIT 1"
    modes: str = f"SELECT mode FROM scans WHERE workspace = ? {_NEWEST_FIRST} LIMIT ?"
    last_scan_at: str = "SELECT MAX(started_at) FROM scans WHERE workspace = ?"
    insert_lock: str = (
        "INSERT INTO locks (workspace, token, holder, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (workspace) DO NOTHING"
    )
    lock: str = "SELECT workspace, token, holder, acquired_at, heartbeat_at FROM locks WHERE workspace = ?"
    heartbeat: str = "UPDATE locks SET heartbeat_at = ? WHERE workspace = ? AND token = ?"
    delete_lock: str = "DELETE FROM locks WHERE workspace = ? AND token = ?"
    last_audit: str = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"
    store_id: str = "SELECT value FROM store_meta WHERE name = 'store_id'"
    insert_audit: str = (
        "INSERT INTO audit (seq, workspace, at, action, result, entry, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    audit_all: str = "SELECT seq, at, entry, prev_hash, hash FROM audit ORDER BY seq"
    audit_of: str = "SELECT seq, at, entry, prev_hash, hash FROM audit WHERE workspace = ? ORDER BY seq"
    insert_applied: str = "INSERT INTO applied (workspace, seq, commit_sha, applied_at) VALUES (?, ?, ?, ?)"
    applied_of: str = "SELECT commit_sha FROM applied WHERE workspace = ? ORDER BY seq DESC LIMIT ?"
    insert_backup: str = (
        "INSERT INTO state_backups (workspace, lineage, serial, sha256, path, saved_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workspace, lineage, serial) DO NOTHING"
    )
    lineage: str = (
        "SELECT state_lineage FROM scans WHERE workspace = ? AND state_lineage IS NOT NULL"
        f" {_NEWEST_FIRST} LIMIT 1"
    )

    # The PR bot (state.bot): a delivery and its job land together, or neither does.
    insert_delivery: str = (
        "INSERT INTO bot_deliveries (forge, delivery_id, received_at, job_id) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (forge, delivery_id) DO NOTHING"
    )
    prune_deliveries: str = "DELETE FROM bot_deliveries WHERE received_at < ?"
    insert_job: str = (
        "INSERT INTO bot_jobs (job_id, forge, kind, payload, status, attempts, enqueued_at, error)"
        " VALUES (?, ?, ?, ?, 'queued', 0, ?, '')"
    )
    next_job: str = "SELECT job_id FROM bot_jobs WHERE status = 'queued' ORDER BY enqueued_at, job_id LIMIT 1"
    start_job: str = (
        "UPDATE bot_jobs SET status = 'running', attempts = attempts + 1, started_at = ?"
        " WHERE job_id = ? AND status = 'queued'"
    )
    finish_job: str = "UPDATE bot_jobs SET status = ?, finished_at = ?, error = ? WHERE job_id = ?"
    requeue_jobs: str = "UPDATE bot_jobs SET status = 'queued' WHERE status = 'running' AND attempts < ?"
    abandon_jobs: str = (
        "UPDATE bot_jobs SET status = 'failed', finished_at = ?, error = ? WHERE status = 'running'"
    )
    job: str = (
        "SELECT job_id, forge, kind, payload, status, attempts, enqueued_at, error FROM bot_jobs"
        " WHERE job_id = ?"
    )
    jobs: str = (
        "SELECT job_id, forge, kind, payload, status, attempts, enqueued_at, error FROM bot_jobs"
        " ORDER BY enqueued_at, job_id"
    )
    upsert_plan: str = (
        "INSERT INTO bot_plans (repository, pr, workspace, head_sha, state_serial, state_lineage, changes,"
        " digest, planned_at, planned_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (repository, pr, workspace) DO UPDATE SET head_sha = excluded.head_sha,"
        " state_serial = excluded.state_serial, state_lineage = excluded.state_lineage,"
        " changes = excluded.changes, digest = excluded.digest, planned_at = excluded.planned_at,"
        " planned_by = excluded.planned_by"
    )
    plan: str = (
        "SELECT repository, pr, workspace, head_sha, state_serial, state_lineage, changes, digest,"
        " planned_at, planned_by FROM bot_plans WHERE repository = ? AND pr = ? AND workspace = ?"
    )
    delete_plans: str = "DELETE FROM bot_plans WHERE repository = ? AND pr = ?"

    def for_paramstyle(self, paramstyle: str) -> Queries:
        """These statements for a DB-API driver's ``paramstyle`` (``qmark``, ``format`` or ``pyformat``)."""
        if paramstyle == "qmark":
            return self
        if paramstyle in ("format", "pyformat"):
            return Queries(*(qmark_to_format(q) for q in self))
        raise ValueError(f"unsupported DB-API paramstyle {paramstyle!r}")


QUERIES = Queries()


def qmark_to_format(sql: str) -> str:
    """``?`` placeholders to ``%s``, leaving quoted text and comments alone; every ``%`` doubled, because
    a ``format`` driver reads ``%`` as a placeholder even inside string literals."""
    out: list[str] = []
    quote: str | None = None  # the open quote character, inside '...' or "..."
    comment = False
    for ch in sql:
        if ch == "%":
            out.append("%%")
            continue
        if comment:
            comment = ch != "\n"
        elif quote:
            if ch == quote:  # a doubled quote closes and reopens: same result
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "-" and out and out[-1] == "-":
            comment = True
        elif ch == "?":
            out.append("%s")
            continue
        out.append(ch)
    if quote:
        raise ValueError(f"unterminated quote in SQL: {sql}")
    return "".join(out)
