"""What is still open of the latest scan's drift, judged again locally: no cloud call.

Two things settle a drift item without reading the cloud again:

- the **state** took the live values in (someone applied a codified change, or ran a refresh): the
  stored live snapshot is compared with today's state, as a scan compares them (secrets, kept masked
  in the store, are left to the next scan);
- the **configuration** now says what is live (it was codified, or an ignore rule covers it): the same
  judgement ``reconcile check`` makes (:mod:`reconciler.guard.verdict`).

Everything else stays open, with the attribution the scan found.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import Literal
from typing import NamedTuple

from providers.azure.mapping import MAPPINGS
from reconciler.config import load_config
from reconciler.drift.compare import compare
from reconciler.drift.ignore import parse_rules
from reconciler.drift.run import state_snapshot
from reconciler.guard.verdict import Context
from reconciler.guard.verdict import judge
from reconciler.workspace import load_config as load_workspace
from state.report import Drift
from state.report import ScanReport
from state.report import drift_to_json
from state.report import rfc3339
from state.sqlite import SqliteStore

Source = Literal["scan", "local", "error"]
VERSION = 1


class View(NamedTuple):
    """One event of ``reconcile watch``: the drift still open, what settled since the scan, and why."""

    event: Source
    at: datetime
    scan_id: str
    mode: str  # the scan's: full or incremental
    open: tuple[Drift, ...]
    settled: tuple[tuple[Drift, str], ...]
    error: str = ""


def evaluate(root: Path, report: ScanReport, environ: Mapping[str, str], event: Source) -> View:
    """The latest scan's drift, settled against today's state and configuration."""
    settings = load_config(root, env=environ)
    rules = parse_rules(settings.get_list("ignore"), settings["ignore"].where)
    config = load_workspace(root)
    state = {r.address: r for r in state_snapshot(settings, root, None, environ).resources}
    with SqliteStore(settings.store_path(root), key_file=settings.store_key_file(root)) as store:
        live = {s.address: s for s in store.snapshots(report.scan_id) if s.address}
    ctx = Context(config, rules, environ, frozenset(), (), False)
    still: list[Drift] = []
    settled: list[tuple[Drift, str]] = []
    for d in report.drifts:
        why = ""
        if d.address is not None and d.kind in ("changed", "deleted") and d.address not in state:
            why = "no longer in the state"
        elif d.kind == "changed" and d.address in live and d.type in MAPPINGS:
            snapshot = live[d.address]
            changes = compare(
                MAPPINGS[d.type].schema,
                state[d.address].values,
                snapshot.live or {},
                ignore=snapshot.sensitive,
            )
            secret = [c for c in d.changes if any(c.path.startswith(p) for p in snapshot.sensitive)]
            if not changes and not secret:
                why = "the state took in the live values"
        if not why:
            finding = judge(d, ctx)
            if finding is not None and finding.verdict in ("codified", "ignored"):
                why = f"{finding.verdict} in the configuration" + (
                    f" ({finding.note})" if finding.note else ""
                )
        if why:
            settled.append((d, why))
        else:
            still.append(d)
    return View(event, datetime.now(UTC), report.scan_id, report.mode, tuple(still), tuple(settled))


def failed(error: str, previous: View | None) -> View:
    """An event saying a scan failed; the view stays what it was."""
    if previous is None:
        return View("error", datetime.now(UTC), "", "", (), (), error)
    return previous._replace(event="error", at=datetime.now(UTC), error=error)


def to_json(view: View) -> dict[str, Any]:
    return {
        "version": VERSION,
        "event": view.event,
        "at": rfc3339(view.at),
        "scan_id": view.scan_id,
        "mode": view.mode,
        "open": [drift_to_json(d) for d in view.open],
        "settled": [{"address": d.address or d.resource_id, "why": why} for d, why in view.settled],
        "error": view.error,
    }
