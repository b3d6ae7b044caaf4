"""Scan ids: readable UTC times that sort like the scans, and never collide in practice."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from state.store import new_scan_id


def test_a_scan_id_is_the_utc_start_time_and_a_random_tail() -> None:
    at = datetime(2025, 3, 1, 23, 30, 5, 999999, tzinfo=timezone(timedelta(hours=-5)))
    sid = new_scan_id(at)
    assert re.fullmatch(r"20250302T043005Z-[0-9a-f]{8}", sid), sid


def test_scan_ids_sort_in_time_order() -> None:
    start = datetime(2025, 12, 31, 23, 59, 58, tzinfo=UTC)
    times = [start + timedelta(seconds=s) for s in (0, 1, 2, 3600, 86400 * 40)]
    ids = [new_scan_id(t) for t in times]
    assert sorted(ids) == ids


def test_scan_ids_started_in_the_same_second_differ() -> None:
    at = datetime(2025, 3, 1, tzinfo=UTC)
    assert len({new_scan_id(at) for _ in range(1000)}) == 1000


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        new_scan_id(datetime(2025, 3, 1))
