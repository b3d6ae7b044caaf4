"""The PR bot's records in the store: a delivery queues one job, once; jobs survive a restart; plans."""

from __future__ import annotations

import threading
from datetime import UTC
from datetime import datetime
from pathlib import Path

from state.bot import MAX_ATTEMPTS
from state.bot import NewJob
from state.bot import PlanRecord
from state.locks import Holder
from state.sqlite import SqliteStore

COMMENT = NewJob("command", {"pr": 7, "body": "/reconcile plan", "author": "alice"})


def test_a_replayed_delivery_queues_nothing(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "state.db") as store:
        first = store.receive("github", "d-1", COMMENT)
        again = store.receive("github", "d-1", COMMENT)
        other_forge = store.receive("gitlab", "d-1", COMMENT)
        assert not first.duplicate and first.job_id
        assert again.duplicate and again.job_id is None
        assert not other_forge.duplicate
        assert [j.payload for j in store.jobs()] == [COMMENT.payload, COMMENT.payload]


def test_concurrent_replays_of_one_delivery_queue_one_job(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteStore(path).close()
    results: list[bool] = []

    def deliver() -> None:
        with SqliteStore(path) as store:
            results.append(store.receive("github", "same", COMMENT).duplicate)

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] + [True] * 5
    with SqliteStore(path) as store:
        assert len(store.jobs()) == 1


def test_jobs_run_oldest_first_and_a_restart_puts_back_what_was_running(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with SqliteStore(path) as store:
        for n in range(3):
            store.receive("github", f"d-{n}", NewJob("command", {"n": n}))
        first = store.claim_job()
        assert first is not None and first.payload == {"n": 0} and first.status == "running"
        store.finish_job(first.job_id)
        second = store.claim_job()
        assert second is not None and second.payload == {"n": 1}
    # The worker died while the second job ran: a new server puts it back in front.
    with SqliteStore(path) as store:
        store.requeue_running()
        again = store.claim_job()
        assert again is not None and again.job_id == second.job_id and again.attempts == 2
        store.finish_job(again.job_id, "the forge answered 502")
        last = store.claim_job()
        assert last is not None and last.payload == {"n": 2}
        assert store.claim_job() is None
        statuses = {j.payload["n"]: (j.status, j.error) for j in store.jobs()}
        assert statuses == {0: ("done", ""), 1: ("failed", "the forge answered 502"), 2: ("running", "")}


def test_a_job_that_kills_its_worker_every_time_is_given_up(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "state.db") as store:
        store.receive("github", "d", COMMENT)
        for _ in range(MAX_ATTEMPTS):
            assert store.claim_job() is not None
            store.requeue_running()
        assert store.claim_job() is None
        [job] = store.jobs()
        assert job.status == "failed" and "abandoned" in job.error


def test_a_plan_record_reads_back_and_is_replaced_by_a_new_plan(tmp_path: Path) -> None:
    at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    plan = PlanRecord(
        "github:octo/infra", 7, "/ws", "a" * 40, 3, "lin", {"x.y": ["create"]}, "d1", at, "alice"
    )
    with SqliteStore(tmp_path / "state.db") as store:
        store.save_plan(plan)
        assert store.plan("github:octo/infra", 7, "/ws") == plan
        newer = plan._replace(head_sha="b" * 40, state_serial=4, changes={})
        store.save_plan(newer)
        assert store.plan("github:octo/infra", 7, "/ws") == newer
        assert store.plan("github:octo/infra", 8, "/ws") is None
        store.drop_plans("github:octo/infra", 7)
        assert store.plan("github:octo/infra", 7, "/ws") is None


def test_a_lock_held_by_a_pull_request_is_never_stale_and_names_the_pr(tmp_path: Path) -> None:
    pr = Holder("bot", "ci-host", 0, "/reconcile plan", pr="github:octo/infra#7")
    with SqliteStore(tmp_path / "state.db") as store:
        lock = store.try_lock("/ws", "tok", pr)
        assert lock.holder == pr
        long_after = datetime(2099, 1, 1, tzinfo=UTC)
        assert lock.stale(long_after, "ci-host") is None
        assert lock.describe().startswith("pull request github:octo/infra#7 ('/reconcile plan' by bot)")
