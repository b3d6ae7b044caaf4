"""One drift scan: live reads for every managed resource, comparison, unmanaged discovery, attribution.

Input is already-loaded state (one :class:`Managed` per resource instance); output is a
:class:`~state.report.ScanReport` plus per-resource snapshots for the store. The cloud is a
:class:`~providers.azure.live.LiveReader`, so the same scan runs against Azure or the sandbox.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import NamedTuple
from typing import cast

from providers.azure import attribution
from providers.azure.live import LiveRead
from providers.azure.live import LiveReader
from providers.azure.live import ReadError
from providers.azure.live import Request
from providers.azure.mapping.base import Echo
from providers.azure.mapping.base import Mapping as TypeMapping
from providers.azure.mapping.base import MappingError
from reconciler.drift.compare import Path
from reconciler.drift.compare import compare
from state.report import Attribution
from state.report import Drift
from state.report import Modality
from state.report import ScanReport
from state.report import Source
from state.report import Summary

#: Providers whose resources live in Azure; others (random, null, tls, terraform_data) are not scanned.
AZURE_PREFIXES = ("azurerm_",)


class Managed(NamedTuple):
    """One resource instance in the state, with what the configuration says about it."""

    address: str
    type: str
    values: dict[str, Any]
    sensitive: tuple[Path, ...] = ()
    source: Source | None = None
    ignore: tuple[str, ...] = ()  # attribute globs; ("*",) ignores every change
    #: the arguments and blocks its configuration sets (None: not known); an Optional+Computed block it
    #: does not set may hold echoes of other resources (see providers.azure.mapping.base.Echo)
    configured: frozenset[str] | None = None


class Snapshot(NamedTuple):
    address: str | None
    resource_id: str
    type: str
    state: dict[str, Any] | None
    live: dict[str, Any] | None


class ScanSettings(NamedTuple):
    #: resource groups (ids) searched for unmanaged resources; None: the groups holding managed ones
    scope: tuple[str, ...] | None = None
    terraform_ids: tuple[str, ...] = ()
    bulk: bool = True
    attribution: bool = True
    lookback: timedelta = timedelta(days=7)


class Progress(NamedTuple):
    """Callbacks for long work: ``start(total)`` then ``advance(n)`` as resources are read."""

    start: Callable[[int], None]
    advance: Callable[[int], None]


def scan(
    resources: Sequence[Managed],
    reader: LiveReader,
    mappings: Mapping[str, TypeMapping],
    *,
    workspace: str,
    scan_id: str,
    now: datetime,
    settings: ScanSettings,
    since: datetime | None = None,
    progress: Progress | None = None,
    annotate: Callable[[Managed], Managed] | None = None,
) -> tuple[ScanReport, list[Snapshot]]:
    azure = [r for r in resources if r.type.startswith(AZURE_PREFIXES)]
    supported = [r for r in azure if r.type in mappings and r.values.get("id")]
    reads = _read(supported, reader, mappings, settings, progress)
    if annotate is not None:
        # Sources and ignore rules may still be loading (HCL parsing overlaps the live reads).
        azure = [annotate(r) for r in azure]
        supported = [r for r in azure if r.type in mappings and r.values.get("id")]
    drifts: list[Drift] = [
        Drift(
            "unknown",
            r.address,
            r.type,
            str(r.values.get("id") or ""),
            source=r.source,
            reason=f"resource type {r.type} is not supported yet",
        )
        for r in azure
        if r.type not in mappings
    ]
    snapshots: list[Snapshot] = []
    managed_ids: set[str] = {str(r.values["id"]).lower() for r in resources if r.values.get("id")}
    errors = list(reads.errors)
    for r in supported:
        mapping = mappings[r.type]
        resource_id = str(r.values["id"])
        try:
            managed_ids.add(read_id(mapping, resource_id).lower())
            live, found = _examine(r, mapping, reads, managed_ids)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
            # A bug in a mapping is ours, not the cloud's: the scan is incomplete and says where.
            errors.append(f"{r.address}: cannot map the live resource ({type(e).__name__}: {e})")
            continue
        snapshots.append(Snapshot(r.address, resource_id, r.type, r.values, live))
        drifts.extend(found)

    groups = list(settings.scope) if settings.scope is not None else groups_of(supported)
    drifts += _unmanaged(groups, mappings, managed_ids, reads)

    if settings.attribution and any(d.kind in ("changed", "deleted", "unmanaged") for d in drifts):
        try:
            drifts = attribute(
                drifts, history(drifts, reader, settings, since or now - settings.lookback), mappings
            )
        except ReadError as e:
            errors.append(f"attribution: {e}")
    # Attribution that could not be read leaves the drift itself complete.
    complete = not reads.errors and len(snapshots) == len(supported)
    report = assemble(workspace, scan_id, now, len(azure), drifts, errors, complete)
    return report, snapshots


class _Reads(NamedTuple):
    by_id: dict[str, LiveRead]  # lowercase id -> read
    listed: list[dict[str, Any]]  # every resource of the scanned groups (bulk listing), for discovery
    errors: list[str]  # reads that failed as a whole (the listing): the scan is incomplete


def read_id(mapping: TypeMapping, resource_id: str) -> str:
    """The ARM resource to read for a state entry: itself, or the parent an embedded resource lives in."""
    return mapping.embedded.parent_of(resource_id) if mapping.embedded else resource_id


def _read(
    resources: Sequence[Managed],
    reader: LiveReader,
    mappings: Mapping[str, TypeMapping],
    settings: ScanSettings,
    progress: Progress | None,
) -> _Reads:
    requests: dict[str, Request] = {}
    for r in resources:
        mapping = mappings[r.type]
        try:
            target = read_id(mapping, str(r.values["id"]))
        except MappingError:
            continue
        version = mapping.embedded.parent_api_version if mapping.embedded else mapping.api_version
        requests.setdefault(target.lower(), Request(target, version))
    if progress:
        progress.start(len(requests))
    by_id: dict[str, LiveRead] = {}
    listed: list[dict[str, Any]] = []
    errors: list[str] = []
    groups = list(settings.scope) if settings.scope is not None else groups_of(resources)
    if settings.bulk and groups:
        types = sorted(
            {m.arm_type for m in mappings.values() if m.embedded is None and _top_level(m.arm_type)}
        )
        try:
            listed = reader.list_groups(groups, types)
        except ReadError as e:
            # Without the listing, unmanaged resources cannot be found: say so, never "none found".
            errors.append(str(e))
        for body in listed:
            key = str(body.get("id", "")).lower()
            if key in requests:
                by_id[key] = LiveRead(requests[key].resource_id, "found", body)
        if progress:
            progress.advance(len(by_id))
    # Everything the bulk listing did not return is read by id: that alone may say "deleted".
    rest = [req for key, req in requests.items() if key not in by_id]
    by_id.update(reader.read(rest, progress.advance if progress else None))
    return _Reads(by_id, listed, errors)


def _top_level(arm_type: str) -> bool:
    return arm_type.count("/") == 1 and arm_type.lower() != "microsoft.resources/resourcegroups"


def _examine(
    r: Managed, mapping: TypeMapping, reads: _Reads, managed_ids: set[str]
) -> tuple[dict[str, Any] | None, list[Drift]]:
    """The live attributes of one resource and its drift: its own change, and children nobody manages."""
    resource_id = str(r.values["id"])
    try:
        read = reads.by_id.get(read_id(mapping, resource_id).lower())
    except MappingError as e:
        return None, [Drift("unknown", r.address, r.type, resource_id, source=r.source, reason=str(e))]
    if read is None or read.status == "unknown":
        reason = f"live read failed: {read.error if read else 'not read'}"
        return None, [Drift("unknown", r.address, r.type, resource_id, source=r.source, reason=reason)]
    if read.status == "missing" or read.body is None:
        return None, [Drift("deleted", r.address, r.type, resource_id, source=r.source)]
    try:
        if mapping.embedded:
            live = mapping.embedded.extract(read.body, resource_id, r.values)
        else:
            live = mapping.from_arm(read.body, r.values)
    except MappingError as e:
        reason = f"cannot read the live resource: {e}"
        return None, [Drift("unknown", r.address, r.type, resource_id, source=r.source, reason=reason)]
    if live is None:
        return None, [Drift("deleted", r.address, r.type, resource_id, source=r.source)]
    echoes = [e for e in mapping.echoes if r.configured is None or e.block not in r.configured]
    found = [d for e in echoes for d in _unowned(e, resource_id, live, managed_ids)]
    if "*" in r.ignore:
        return live, found
    ignore = (*r.ignore, *(e.block for e in echoes))
    changes = compare(mapping.schema, r.values, live, ignore=ignore, sensitive=r.sensitive)
    if changes:
        found.insert(0, Drift("changed", r.address, r.type, resource_id, tuple(changes), source=r.source))
    return live, found


def _unowned(echo: Echo, resource_id: str, live: dict[str, Any], managed: set[str]) -> list[Drift]:
    """Elements of an echo block that no resource in state owns: unmanaged resources of the owner type.

    The rest are echoes of resources in state (an ``azurerm_subnet`` seen in its network's ``subnet``
    block): their drift is theirs, reported on them.
    """
    out = []
    for element in live.get(echo.block) or []:
        element_id = echo.element_id(resource_id, element)
        if element_id.lower() not in managed:
            out.append(Drift("unmanaged", None, echo.owner, element_id))
    return out


def groups_of(resources: Sequence[Managed]) -> list[str]:
    groups: dict[str, str] = {}
    for r in resources:
        parts = str(r.values.get("id", "")).strip("/").split("/")
        if len(parts) >= 4 and parts[0].lower() == "subscriptions" and parts[2].lower() == "resourcegroups":
            gid = f"/subscriptions/{parts[1]}/resourceGroups/{parts[3]}"
            groups.setdefault(gid.lower(), gid)
    return sorted(groups.values())


def _unmanaged(
    groups: Sequence[str], mappings: Mapping[str, TypeMapping], managed: set[str], reads: _Reads
) -> list[Drift]:
    in_scope = {g.lower() for g in groups}
    listed = [b for b in reads.listed if "/".join(str(b.get("id", "")).lower().split("/")[:5]) in in_scope]
    return unmanaged(listed, mappings, managed)


def unmanaged(
    bodies: Sequence[dict[str, Any]], mappings: Mapping[str, TypeMapping], managed: set[str]
) -> list[Drift]:
    """The top-level resources among ``bodies`` (live reads) that no state entry owns."""
    by_type: dict[str, list[TypeMapping]] = {}
    for m in mappings.values():
        if m.embedded is None and _top_level(m.arm_type):
            by_type.setdefault(m.arm_type.lower(), []).append(m)
    drifts = []
    for body in bodies:
        resource_id = str(body.get("id", ""))
        if resource_id.lower() in managed:
            continue
        owner = str(body.get("managedBy") or "").lower()
        if owner and owner in managed:
            continue  # e.g. a VM's OS disk: Azure made it for a managed VM
        # one ARM type may be several azurerm types: a VM is a Linux or a Windows one
        candidates = by_type.get(str(body.get("type", "")).lower(), [])
        tf_type = next((m.tf_type for m in candidates if m.owns(body)), None)
        if tf_type:
            drifts.append(Drift("unmanaged", None, tf_type, resource_id))
    return drifts


def assemble(
    workspace: str,
    scan_id: str,
    now: datetime,
    managed: int,
    drifts: Sequence[Drift],
    errors: Sequence[str],
    complete: bool,
    mode: str = "full",
) -> ScanReport:
    """The report of a scan: counts from its drift items; unknown items make it incomplete."""
    changed = sum(d.kind == "changed" for d in drifts)
    deleted = sum(d.kind == "deleted" for d in drifts)
    unknown = sum(d.kind == "unknown" for d in drifts)
    summary = Summary(
        managed=managed,
        in_sync=managed - changed - deleted - unknown,
        changed=changed,
        deleted=deleted,
        unmanaged=sum(d.kind == "unmanaged" for d in drifts),
        unknown=unknown,
    )
    return ScanReport(
        workspace=workspace,
        scan_id=scan_id,
        scanned_at=now,
        summary=summary,
        drifts=tuple(drifts),
        complete=complete and unknown == 0,
        errors=(
            *errors,
            *(f"{d.address or d.resource_id}: {d.reason}" for d in drifts if d.kind == "unknown"),
        ),
        mode=mode,
    )


def history(
    drifts: Sequence[Drift], reader: LiveReader, settings: ScanSettings, since: datetime
) -> list[attribution.Write]:
    """The writes of the Activity Log since ``since`` in the groups of ``drifts``."""
    groups = groups_of([Managed("", "", {"id": d.resource_id}) for d in drifts if d.kind != "unknown"])
    return attribution.writes(reader.events(groups, since), settings.terraform_ids)


def attribute(
    drifts: Sequence[Drift], history: Sequence[attribution.Write], mappings: Mapping[str, TypeMapping]
) -> list[Drift]:
    """Each drift item with who made it, from the Activity Log's writes (unknown items stay as they are)."""
    out = []
    for d in drifts:
        if d.kind == "unknown":
            out.append(d)
            continue
        # An embedded resource (a load balancer's NAT rule) is written by writing its parent: that is
        # what the Activity Log records.
        mapping = mappings.get(d.type) if d.address else None
        try:
            written = read_id(mapping, d.resource_id) if mapping else d.resource_id
        except MappingError:
            written = d.resource_id
        write = attribution.culprit(written, history)
        if write is None:
            out.append(d)
            continue
        modality = cast(Modality, write.modality)
        who = Attribution(write.caller, modality, write.operation, write.at, write.correlation_id)
        out.append(d._replace(attribution=who))
    return out
