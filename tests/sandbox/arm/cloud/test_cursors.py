"""Paging cursors stay consistent under many threads and never grow past their bound."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from sandbox.arm.cloud.cursors import Cursors


def test_the_least_recently_read_result_is_forgotten_first() -> None:
    cursors = Cursors(capacity=2)
    first = cursors.open([{"n": 1}])
    second = cursors.open([{"n": 2}])
    assert cursors.rows(first) == [{"n": 1}]  # reading it makes `second` the oldest
    third = cursors.open([{"n": 3}])
    assert cursors.rows(second) is None
    assert cursors.rows(first) == [{"n": 1}] and cursors.rows(third) == [{"n": 3}]
    assert len(cursors) == 2


def test_many_threads_open_and_read_without_losing_or_mixing_results() -> None:
    cursors = Cursors(capacity=64)  # each thread holds one unread cursor at most: 16 < 64
    start = threading.Barrier(16)

    def worker(k: int) -> list[str]:
        start.wait()
        problems = []
        for i in range(200):
            rows = [{"worker": k, "i": i}]
            cursor = cursors.open(rows)
            if cursors.rows(cursor) is not rows:
                problems.append(f"{k}/{i}")
        return problems

    with ThreadPoolExecutor(max_workers=16) as pool:
        problems = [p for result in pool.map(worker, range(16)) for p in result]
    assert problems == []
    assert len(cursors) == 64  # 3,200 opened, the bound held


def test_a_bound_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Cursors(capacity=0)
