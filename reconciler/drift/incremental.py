"""An incremental scan: read again only what the Activity Log says changed since the last scan.

Everything else is carried forward from that scan: its drift items (re-annotated with today's sources
and ignore rules) and its in-sync resources. What is read again: managed resources written or deleted
since (by anyone but Terraform, whose writes move the state; an embedded resource when its parent was
written), resources that
were unknown last time, and any resource written since that no state entry owns (a new unmanaged one, or
one that went away). The scan falls back to a full one — and says why — when the last scan is missing or
was incomplete, when it is older than the Activity Log keeps, when the state changed since (someone applied),
when the Activity Log cannot be read, or every ``drift.full_scan_every`` scans.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import datetime
from datetime import timedelta
from typing import NamedTuple

from providers.azure import attribution
from providers.azure.live import LiveReader
from providers.azure.live import ReadError
from providers.azure.live import Request
from providers.azure.mapping.base import Mapping as TypeMapping
from providers.azure.mapping.base import MappingError
from reconciler.drift.compare import ignored
from reconciler.drift.scan import AZURE_PREFIXES
from reconciler.drift.scan import Managed
from reconciler.drift.scan import ScanSettings
from reconciler.drift.scan import Snapshot
from reconciler.drift.scan import assemble
from reconciler.drift.scan import attribute
from reconciler.drift.scan import groups_of
from reconciler.drift.scan import read_id
from reconciler.drift.scan import scan
from reconciler.drift.scan import unmanaged
from state.report import Drift
from state.report import ScanReport

#: the Activity Log keeps 90 days; a scan older than this cannot be brought up to date from it
WINDOW = timedelta(days=89)


class Previous(NamedTuple):
    report: ScanReport
    serial: int | None
    lineage: str | None
    #: scans since the last full one, newest first ("incremental" while they are)
    modes: tuple[str, ...]


def fallback(previous: Previous | None, serial: int | None, lineage: str | None, now: datetime,
             every: int) -> str | None:  # fmt: skip
    """Why this scan must be a full one, or None when an incremental one can build on ``previous``."""
    if previous is None:
        return "no earlier scan of this workspace"
    if not previous.report.complete:
        return "the last scan was incomplete: what it could not read is not known"
    if now - previous.report.scanned_at > WINDOW:
        return "the last complete scan is older than the Activity Log's 90 days"
    if (previous.serial, previous.lineage) != (serial, lineage):
        return f"the state changed since the last complete scan (serial {previous.serial} → {serial})"
    run = 0
    for mode in previous.modes:
        if mode != "incremental":
            break
        run += 1
    if every > 0 and run + 1 >= every:
        return f"every {every} scans is a full one (drift.full_scan_every)"
    return None


def incremental(
    resources: Sequence[Managed],
    reader: LiveReader,
    mappings: Mapping[str, TypeMapping],
    previous: ScanReport,
    *,
    workspace: str,
    scan_id: str,
    now: datetime,
    settings: ScanSettings,
    annotate: Callable[[Managed], Managed],
    delay: timedelta = timedelta(minutes=5),
) -> tuple[ScanReport, list[Snapshot]]:
    """Raises :class:`ReadError` when the Activity Log cannot be read (then only a full scan will do).

    Events are read from ``delay`` before the previous scan: the Activity Log may record a write that
    late, and a write the previous scan's query missed is then found by this one.
    """
    azure = [r for r in resources if r.type.startswith(AZURE_PREFIXES)]
    groups = list(settings.scope) if settings.scope is not None else groups_of(azure)
    writes = attribution.writes(reader.events(groups, previous.scanned_at - delay), settings.terraform_ids)
    # Terraform's own writes change the state, and a changed state makes a full scan: the writes left are
    # people's and programs'.
    touched = {w.resource_id.lower() for w in writes if w.modality != "terraform"}
    unknown = {d.address for d in previous.drifts if d.kind == "unknown"}
    again = [r for r in azure if r.address in unknown or _touched(r, mappings, touched)]
    fresh, snapshots = scan(
        again,
        reader,
        mappings,
        workspace=workspace,
        scan_id=scan_id,
        now=now,
        settings=settings._replace(bulk=False, scope=(), attribution=False),
        annotate=annotate,
    )
    read_again = {r.address for r in again}
    managed = {str(r.values.get("id", "")).lower() for r in azure} | {_owner_id(r, mappings) for r in azure}
    carried = [_carry(d, annotate) for d in previous.drifts if _still(d, read_again, managed, touched)]
    new_unmanaged, errors = _unmanaged(touched, managed, groups, reader, mappings)
    drifts = attribute([*fresh.drifts, *new_unmanaged], writes, mappings)
    drifts += [d for d in carried if d is not None]
    report = assemble(
        workspace, scan_id, now, len(azure), drifts, [*fresh.errors, *errors], fresh.complete and not errors,
        mode="incremental",
    )  # fmt: skip
    return report, snapshots


def _owner_id(r: Managed, mappings: Mapping[str, TypeMapping]) -> str:
    mapping = mappings.get(r.type)
    try:
        return read_id(mapping, str(r.values.get("id", ""))).lower() if mapping else ""
    except MappingError:
        return ""


def _touched(r: Managed, mappings: Mapping[str, TypeMapping], touched: set[str]) -> bool:
    """Whether a write since touched the resource, its ARM parent (an embedded one), a child of it, or its
    resource group."""
    ids = {str(r.values.get("id", "")).lower(), _owner_id(r, mappings)} - {""}
    for rid in ids:
        parts = rid.split("/")
        if any("/".join(parts[:n]) in touched for n in range(5, len(parts) + 1)):
            return True
        if any(t.startswith(rid + "/") for t in touched):
            return True
    return False


def _still(d: Drift, read_again: set[str], managed: set[str], touched: set[str]) -> bool:
    """A previous drift item that stands: its resource was not read again and is still in state (or,
    unmanaged, still owned by nobody and not written since)."""
    if d.kind == "unmanaged":
        return d.resource_id.lower() not in managed and d.resource_id.lower() not in touched
    return d.address not in read_again and d.address is not None and d.kind != "unknown"


def _carry(d: Drift, annotate: Callable[[Managed], Managed]) -> Drift | None:
    """A previous drift item with today's source line and ignore rules (None when now ignored whole)."""
    if d.address is None:
        return d
    now = annotate(Managed(d.address, d.type, {"id": d.resource_id}))
    if "*" in now.ignore:
        return None
    changes = tuple(c for c in d.changes if not ignored(c.path, now.ignore))
    if d.kind == "changed" and not changes:
        return None
    return d._replace(changes=changes, source=now.source)


def _unmanaged(
    touched: set[str], managed: set[str], groups: Sequence[str], reader: LiveReader,
    mappings: Mapping[str, TypeMapping],
) -> tuple[list[Drift], list[str]]:  # fmt: skip
    """Resources written since that no state entry owns and that exist now: new unmanaged ones. (A new
    child of a managed resource, a subnet, is found when its parent is read again, as an echo.)"""
    in_scope = {g.lower() for g in groups}
    versions = {m.arm_type.lower(): m.api_version for m in mappings.values() if m.embedded is None}
    requests = [
        Request(rid, versions[_arm_type(rid)])
        for rid in sorted(touched - managed)
        if _arm_type(rid) in versions and "/".join(rid.split("/")[:5]) in in_scope
    ]
    reads = reader.read(requests).values()
    errors = [f"{r.resource_id}: live read failed: {r.error}" for r in reads if r.status == "unknown"]
    bodies = [r.body for r in reads if r.status == "found" and r.body is not None]
    return unmanaged(bodies, mappings, managed), errors


def _arm_type(resource_id: str) -> str:
    """``microsoft.network/virtualnetworks/subnets`` from a lowercase ARM id."""
    parts = resource_id.strip("/").split("/")
    if len(parts) < 8 or parts[4] != "providers":
        return ""
    return "/".join([parts[5], *parts[6::2]])


__all__ = ["Previous", "ReadError", "fallback", "incremental"]
