"""Proposals are kept with the scan they were made from."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest

from state.errors import StoreError
from state.report import ScanReport
from state.report import Summary
from state.sqlite import SqliteStore
from state.store import new_scan_id


def test_proposals_round_trip_with_their_scan(tmp_path: Path) -> None:
    now = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    scan_id = new_scan_id(now)
    report = ScanReport("/ws", scan_id, now, Summary(1, 0, 1, 0, 0, 0), ())
    proposals = [
        {"proposal_id": "p-aaaa-1", "address": "x.a", "strategy": "codify", "valid": True, "diff": "+"},
        {"proposal_id": "p-bbbb-2", "address": None, "strategy": "import", "valid": False, "diff": ""},
    ]
    with SqliteStore(tmp_path / "state.db") as store:
        store.save_scan(report, [], state_serial=3, state_lineage="l")
        store.save_proposals(scan_id, proposals)
        assert store.proposals(scan_id[:20]) == proposals
        assert store.proposal("p-bbbb") == proposals[1]
        assert store.proposal("nope") is None
        with pytest.raises(StoreError, match="ambiguous"):
            store.proposal("p-")
        with pytest.raises(StoreError):
            store.save_proposals("missing-scan", proposals)
