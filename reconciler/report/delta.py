"""What is new, changed or resolved since a workspace's previous scan: the content of a notification.

A drift *item* is one drifted attribute of a changed resource, or one deleted, unmanaged or unreadable
resource. Its fingerprint follows the SARIF one (:func:`reconciler.report.sarif.fingerprint`): the kind,
the resource (its address, else its ARM id in lower case) and, for a change, the attribute path; it is
stable across scans, so the same drift seen again is not news. An item is

- ``new`` when the previous scan did not have its fingerprint;
- ``changed`` when it did, but the live value is another one now (resized again, a tag edited twice);
- ``resolved`` when the previous scan had it and this one does not; never for a resource this scan could
  not read, nor for unmanaged resources when this scan is incomplete (discovery may have failed).

JSON of an event (in notifications and ``reconcile drift --all --format json``)::

    {"event": "new|changed|resolved", "fingerprint": "<sha256>", "kind": "changed", "address": ...,
     "type": ..., "resource_id": ..., "path": "size" | null, "state": ..., "live": ...,
     "previous_live": ... (changed only), "attribution": {...} | null, "source": {...} | null}
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from typing import Literal
from typing import NamedTuple

from state.report import Change
from state.report import Drift
from state.report import ScanReport
from state.report import drift_to_json

EventKind = Literal["new", "changed", "resolved"]


class Item(NamedTuple):
    fingerprint: str
    drift: Drift
    change: Change | None  # the drifted attribute of a changed resource


class Event(NamedTuple):
    kind: EventKind
    item: Item  # as this scan sees it; for ``resolved``, as the previous scan saw it
    previous: Item | None = None  # for ``changed``: as the previous scan saw it


def identity(drift: Drift) -> str:
    """What a drift is about: its address, else its ARM id (case-insensitive in Azure) in lower case."""
    return drift.address or drift.resource_id.lower()


def item_fingerprint(drift: Drift, path: str | None) -> str:
    payload = json.dumps([drift.kind, identity(drift), path])
    return hashlib.sha256(payload.encode()).hexdigest()


def items(report: ScanReport) -> dict[str, Item]:
    out: dict[str, Item] = {}
    for drift in report.drifts:
        changes: tuple[Change | None, ...] = (
            drift.changes if drift.kind == "changed" and drift.changes else (None,)
        )
        for change in changes:
            fp = item_fingerprint(drift, change.path if change else None)
            out[fp] = Item(fp, drift, change)
    return out


def delta(previous: ScanReport | None, current: ScanReport) -> tuple[Event, ...]:
    """The events from ``previous`` (None: the first scan, so every item is new) to ``current``."""
    before = items(previous) if previous is not None else {}
    now = items(current)
    events: list[Event] = []
    for fp, item in now.items():
        old = before.get(fp)
        if old is None:
            events.append(Event("new", item))
        elif _live(old) != _live(item):
            events.append(Event("changed", item, old))
    unreadable = {identity(d) for d in current.drifts if d.kind == "unknown"}
    for fp, item in before.items():
        if fp in now or identity(item.drift) in unreadable:
            continue
        if item.drift.kind == "unmanaged" and not current.complete:
            continue
        events.append(Event("resolved", item))
    return tuple(events)


def _live(item: Item) -> Any:
    return item.change.live if item.change is not None else item.drift.reason


def event_to_json(event: Event) -> dict[str, Any]:
    drift = drift_to_json(event.item.drift)
    change = event.item.change
    doc: dict[str, Any] = {
        "event": event.kind,
        "fingerprint": event.item.fingerprint,
        **{k: drift[k] for k in ("kind", "address", "type", "resource_id")},
        "path": change.path if change else None,
        "state": change.state if change else None,
        "live": change.live if change else None,
    }
    if event.previous is not None:
        doc["previous_live"] = event.previous.change.live if event.previous.change else None
    doc["attribution"] = drift["attribution"]
    doc["source"] = drift["source"]
    return doc
