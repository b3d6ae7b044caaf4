"""The contract of the drift-history store, its records, and scan ids.

A store keeps, per workspace, every drift scan: the :class:`~state.report.ScanReport` (summary,
errors, drift items with their attribution and source) plus one :class:`Snapshot` per resource with its
three views (HCL config, Terraform state, live read). :class:`~state.sqlite.SqliteStore` is the default
implementation, one file inside the workspace (``store.path``, ``.reconcile/state.db`` by default);
the SQL it runs lives in :mod:`state.schema` so that a PostgreSQL store can run the same statements.

Every failure a user can cause or fix (a corrupt file, a database from a newer reconcile, an unknown or
ambiguous scan id, a lock held too long) is a :class:`~reconciler.errors.StoreError` naming the file.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import NamedTuple
from typing import Protocol

from state.report import ScanReport
from state.report import Summary


class Snapshot(NamedTuple):
    """One resource as a scan saw it. A view is ``None`` where that side has no such resource
    (an unmanaged resource has no config or state; a deleted one has no live view).

    The store never holds a secret: the value at each of ``sensitive``'s dotted paths is kept as
    ``(sensitive)`` in every view, with a keyed hash of it in ``digests`` (view → path → hash, filled in
    when a snapshot is read back), so that a changed secret can be told from an unchanged one.
    """

    address: str | None  # None for unmanaged resources
    resource_id: str
    type: str
    config: dict[str, Any] | None
    state: dict[str, Any] | None
    live: dict[str, Any] | None
    sensitive: tuple[str, ...] = ()
    digests: Mapping[str, Mapping[str, str]] | None = None


class ScanInfo(NamedTuple):
    """One line of ``reconcile history``."""

    scan_id: str
    workspace: str
    scanned_at: datetime
    complete: bool
    summary: Summary


class Store(Protocol):
    """The drift history of one or more workspaces.

    ``scan_id`` arguments accept a full id or a unique prefix of one (like git's short hashes); an
    ambiguous prefix raises :class:`~reconciler.errors.StoreError` listing some matches.
    """

    location: str  # the file or database, as messages name it

    def save_scan(
        self,
        report: ScanReport,
        snapshots: Iterable[Snapshot],
        *,
        state_serial: int | None,
        state_lineage: str | None,
    ) -> None:
        """Save a whole scan atomically: afterwards either all of it is readable or none of it is.
        Sensitive values are masked (by path) and every known secret redacted (by value) first."""

    def report(self, scan_id: str) -> ScanReport | None:
        """The report exactly as saved (drifts in order), or None when no scan matches."""

    def scans(self, workspace: str | None = None, limit: int = 20) -> list[ScanInfo]:
        """The newest ``limit`` scans, newest first, of one workspace or of all."""

    def latest(self, workspace: str) -> ScanReport | None:
        """The newest scan of the workspace, complete or not."""

    def modes(self, workspace: str, limit: int) -> list[str]:
        """``full`` or ``incremental`` for the newest scans, newest first."""

    def last_scan_at(self, workspace: str) -> datetime | None:
        """When the newest scan of the workspace started."""

    def lineage(self, workspace: str) -> str | None:
        """The lineage of the state the workspace's newest scan compared against (None: none recorded)."""

    def snapshots(self, scan_id: str) -> list[Snapshot]:
        """The resources of a scan in the order they were saved; raises if no scan matches."""

    def scan_state(self, scan_id: str) -> tuple[int | None, str | None]:
        """The Terraform state ``(serial, lineage)`` the scan compared against; raises if no scan matches."""

    def save_proposals(self, scan_id: str, proposals: Sequence[dict[str, Any]]) -> None:
        """Save the proposals made from a scan (their JSON form), atomically."""

    def proposals(self, scan_id: str) -> list[dict[str, Any]]:
        """The proposals made from a scan, oldest first; raises if no scan matches."""

    def proposal(self, proposal_id: str) -> dict[str, Any] | None:
        """One proposal by id or unique prefix."""

    def close(self) -> None:
        """Release the connection; the store is unusable afterwards."""


def new_scan_id(now: datetime) -> str:
    """A new scan id, ``YYYYMMDDTHHMMSSZ-<8 hex>``: text order is time order (to the second), and the
    random tail keeps two scans started in the same second apart."""
    if now.tzinfo is None:
        raise ValueError("new_scan_id needs an aware datetime")
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"
