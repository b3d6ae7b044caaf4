"""What the PR bot keeps in the store: webhook deliveries seen, its job queue, plans bound to a PR head.

A webhook is answered as soon as its job is written here, so a restart loses nothing: the server's
worker takes queued jobs one at a time, oldest first, and on start puts back the jobs a dead worker left
running (up to :data:`MAX_ATTEMPTS` tries, then they fail). A delivery id is recorded in the same
transaction as its job, so a replayed delivery never queues a second job.

A plan record binds ``/reconcile plan`` to the PR head commit and the Terraform state serial it was made
at; ``/reconcile apply`` compares both with what they are now. The lock a PR holds lives with every
other workspace lock (:mod:`state.locks`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import Literal
from typing import NamedTuple

from state import rows
from state.transactions import Transactions

JobStatus = Literal["queued", "running", "done", "failed"]
MAX_ATTEMPTS = 3
#: how long a delivery id is remembered (GitHub redelivers for a few days at most)
DELIVERY_MEMORY = timedelta(days=30)


class NewJob(NamedTuple):
    kind: str  # "command" (a comment) | "closed" (a PR merged or closed)
    payload: dict[str, Any]


class Job(NamedTuple):
    job_id: str
    forge: str
    kind: str
    payload: dict[str, Any]
    status: JobStatus
    attempts: int
    enqueued_at: datetime
    error: str = ""


class Received(NamedTuple):
    duplicate: bool  # the delivery id was seen before: nothing was queued
    job_id: str | None  # the job queued (None: a duplicate, or an event the bot ignores)


class PlanRecord(NamedTuple):
    repository: str  # "github:octo/infra"
    pr: int
    workspace: str  # as the store names it (the resolved directory)
    head_sha: str
    state_serial: int | None
    state_lineage: str | None
    changes: dict[str, list[str]]
    digest: str
    planned_at: datetime
    planned_by: str


class BotLedger(Transactions):
    """The bot's verbs; one transaction each."""

    def receive(self, forge: str, delivery_id: str, job: NewJob | None) -> Received:
        """Record a delivery and queue its job, unless the delivery was seen before."""
        now = self._clock()
        job_id = _job_id(now) if job is not None else None
        with self._write() as cur:
            cur.execute(self._q.prune_deliveries, (rows.timestamp(now - DELIVERY_MEMORY),))
            cur.execute(self._q.insert_delivery, (forge, delivery_id, rows.timestamp(now), job_id))
            if not cur.rowcount:
                return Received(True, None)
            if job is not None:
                payload = json.dumps(job.payload, ensure_ascii=False)
                cur.execute(self._q.insert_job, (job_id, forge, job.kind, payload, rows.timestamp(now)))
        return Received(False, job_id)

    def claim_job(self) -> Job | None:
        """The oldest queued job, now running; None when the queue is empty."""
        with self._write() as cur:
            cur.execute(self._q.next_job)
            row = cur.fetchone()
            if row is None:
                return None
            cur.execute(self._q.start_job, (rows.timestamp(self._clock()), row[0]))
            cur.execute(self._q.job, (row[0],))
            return _job(cur.fetchone())

    def finish_job(self, job_id: str, error: str = "") -> None:
        status = "failed" if error else "done"
        with self._write() as cur:
            cur.execute(self._q.finish_job, (status, rows.timestamp(self._clock()), error, job_id))

    def requeue_running(self) -> None:
        """Put back jobs a worker left running when it died; give up on those tried too often."""
        with self._write() as cur:
            cur.execute(self._q.requeue_jobs, (MAX_ATTEMPTS,))
            why = f"abandoned after {MAX_ATTEMPTS} attempts (the worker stopped during each)"
            cur.execute(self._q.abandon_jobs, (rows.timestamp(self._clock()), why))

    def jobs(self) -> list[Job]:
        """Every job, oldest first."""
        with self._read() as cur:
            cur.execute(self._q.jobs)
            return [_job(r) for r in cur.fetchall()]

    def save_plan(self, plan: PlanRecord) -> None:
        with self._write() as cur:
            cur.execute(
                self._q.upsert_plan,
                (
                    plan.repository,
                    plan.pr,
                    plan.workspace,
                    plan.head_sha,
                    plan.state_serial,
                    plan.state_lineage,
                    json.dumps(plan.changes, sort_keys=True),
                    plan.digest,
                    rows.timestamp(plan.planned_at),
                    plan.planned_by,
                ),
            )

    def plan(self, repository: str, pr: int, workspace: str) -> PlanRecord | None:
        with self._read() as cur:
            cur.execute(self._q.plan, (repository, pr, workspace))
            row = cur.fetchone()
        return None if row is None else _plan(row)

    def drop_plans(self, repository: str, pr: int) -> None:
        with self._write() as cur:
            cur.execute(self._q.delete_plans, (repository, pr))


def _job_id(now: datetime) -> str:
    return f"j-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def _job(row: Sequence[Any]) -> Job:
    job_id, forge, kind, payload, status, attempts, enqueued, error = row
    return Job(
        job_id, forge, kind, json.loads(payload), status, int(attempts), rows.parse_timestamp(enqueued), error
    )


def _plan(row: Sequence[Any]) -> PlanRecord:
    repository, pr, workspace, head, serial, lineage, changes, digest, at, by = row
    return PlanRecord(
        repository,
        int(pr),
        workspace,
        head,
        None if serial is None else int(serial),
        lineage,
        json.loads(changes),
        digest,
        rows.parse_timestamp(at),
        by,
    )
