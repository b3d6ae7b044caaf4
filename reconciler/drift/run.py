"""Everything ``reconcile drift`` does, in order: settings, workspace, state, live scan, store.

Inputs are checked before anything is written: a bad configuration, state or HCL file fails with one
line and leaves the store untouched, and so does a ``--state`` of another workspace (another lineage than
the one recorded). Parsing HCL (slow) overlaps reading state and the cloud. Every secret the run knows
(credential variables, state's and the schema's sensitive values, sensitive variables) is redacted from
the report, and the store keeps sensitive values masked.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from typing import NamedTuple

from providers.azure.connect import endpoint
from providers.azure.live import AzureLiveReader
from providers.azure.live import LiveReader
from providers.azure.live import ReadError
from providers.azure.live import ReadSettings
from providers.azure.mapping import MAPPINGS
from reconciler.config import Config
from reconciler.config import load_config
from reconciler.drift.ignore import IgnoreRule
from reconciler.drift.ignore import parse_rules
from reconciler.drift.ignore import patterns
from reconciler.drift.incremental import Previous
from reconciler.drift.incremental import fallback
from reconciler.drift.incremental import incremental
from reconciler.drift.scan import Managed
from reconciler.drift.scan import Progress
from reconciler.drift.scan import ScanSettings
from reconciler.drift.scan import Snapshot
from reconciler.drift.scan import scan
from reconciler.errors import ConfigError
from reconciler.errors import WorkspaceError
from reconciler.terraform import Terraform
from reconciler.terraform import engine_from_config
from reconciler.workspace import Configuration
from reconciler.workspace import StateSnapshot
from reconciler.workspace import load_config as load_workspace
from reconciler.workspace import read_state_file
from reconciler.workspace import state_from_document
from reconciler.workspace.loader import working_directory
from reconciler.workspace.secrets import known_secrets
from reconciler.workspace.secrets import leaves
from reconciler.workspace.secrets import sensitive_paths
from reconciler.workspace.secrets import value_at
from state.redaction import Redactor
from state.report import ScanReport
from state.report import Source
from state.report import from_json
from state.report import to_json
from state.sqlite import SqliteStore
from state.store import Snapshot as Stored
from state.store import new_scan_id


class DriftOptions(NamedTuple):
    directory: Path
    state_file: Path | None = None
    stack: str | None = None
    attribution: bool = True
    store: bool = True
    show_progress: bool = False
    now: datetime | None = None
    #: the environment settings and Terraform see (default: this process's)
    environ: Mapping[str, str] | None = None
    #: read again only what the Activity Log says changed since the last complete scan
    incremental: bool = False


def run_drift(options: DriftOptions) -> ScanReport:
    root = options.directory.resolve()
    if not root.is_dir():
        raise WorkspaceError(f"{options.directory}: not a directory")
    environ = dict(os.environ if options.environ is None else options.environ)
    settings = load_config(root, env=environ)
    rules = parse_rules(settings.get_list("ignore"), settings["ignore"].where)
    workdir, _ = working_directory(root, options.stack)
    store_path = settings.store_path(root)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-config") as pool:
        loading = pool.submit(load_workspace, root, options.stack)
        try:
            snapshot = state_snapshot(settings, workdir, options.state_file, environ)
        except WorkspaceError:
            loading.result()  # Terraform fails on a broken configuration too; ours names the file and line
            raise
        resources = [
            Managed(r.address, r.type, dict(r.values), _paths(r.sensitive_paths))
            for r in snapshot.resources
            if r.mode == "managed"
        ]
        configuration = loading.result() if not resources else None
        if options.store and options.state_file is not None:
            _same_lineage(store_path, root, options.state_file, snapshot)
        now = options.now or datetime.now(UTC)
        since = _last_scan(store_path, root) if options.store else None
        reader = _reader(settings, resources)
        scan_settings = ScanSettings(
            scope=_scope(settings),
            terraform_ids=_terraform_ids(settings, environ),
            bulk=settings.get_bool("drift.bulk_reads"),
            attribution=options.attribution and settings.get_bool("drift.attribution"),
            lookback=timedelta(days=settings.get_int("drift.lookback_days")),
        )

        def annotate(m: Managed) -> Managed:
            return _annotate(configuration or loading.result(), rules, m)

        why_full = "not asked for (--incremental)"
        if options.incremental:
            previous = _previous(store_path, root) if options.store else None
            every = settings.get_int("drift.full_scan_every")
            why_full = fallback(previous, snapshot.serial, snapshot.lineage, now, every) or ""
            if previous is not None and not why_full:
                try:
                    report, snapshots = incremental(
                        resources, reader, MAPPINGS, previous.report, workspace=str(root),
                        scan_id=_scan_id(now), now=now, settings=scan_settings, annotate=annotate,
                        delay=timedelta(seconds=settings.get_int("drift.activity_log_delay")),
                    )  # fmt: skip
                except ReadError as e:
                    why_full = f"the Activity Log cannot be read ({e})"
        if why_full:
            with _progress(options.show_progress) as progress:
                report, snapshots = scan(
                    resources,
                    reader,
                    MAPPINGS,
                    workspace=str(root),
                    scan_id=_scan_id(now),
                    now=now,
                    settings=scan_settings,
                    since=since - timedelta(minutes=5) if since else None,
                    progress=progress,
                    annotate=annotate,
                )
            if options.incremental:
                report = report._replace(mode_note=f"full scan: {why_full}")
        redactor = known_secrets(
            environ,
            resources=snapshot.resources,
            configuration=loading.result(),
            key_variables=(settings.get_str("llm.api_key_env"),),
        )
    stored = _stored(snapshots, snapshot)
    # A secret the cloud holds now (a sensitive tag changed out of band) is one too.
    redactor = redactor.with_secrets(v for s in stored for v in _hidden(s.live, s.sensitive))
    report = from_json(redactor.scrub(to_json(report)))
    if options.store:
        _save(store_path, settings.store_key_file(root), redactor, report, stored, snapshot)
    return report


def state_snapshot(
    settings: Config, workdir: Path, state_file: Path | None, environ: Mapping[str, str]
) -> StateSnapshot:
    """The workspace's state: a local file when given, else ``terraform state pull`` (any backend)."""
    if state_file is not None:
        return read_state_file(state_file)
    with Terraform(engine_from_config(settings), base_env=dict(environ)) as tf:
        # `state pull` works with every backend and keeps the serial the proposal engine checks.
        result = tf.run(["state", "pull"], workdir)
    if result.rc != 0:
        lines = [_plain(line) for line in (result.stderr or result.stdout).splitlines() if _plain(line)]
        raise WorkspaceError(f"{workdir}: terraform state pull failed: {lines[0] if lines else 'no output'}")
    if not result.stdout.strip():
        return StateSnapshot(None, None, "", ())
    try:
        doc = json.loads(result.stdout)
    except json.JSONDecodeError as e:
        raise WorkspaceError(f"{workdir}: terraform state pull gave invalid JSON: {e}") from None
    return state_from_document(doc, "terraform state pull")


def _plain(line: str) -> str:
    """A line of Terraform's human output without colour codes and box drawing."""
    return re.sub(r"\x1b\[[0-9;]*m", "", line).strip(" │╷╵")


def _paths(sensitive: tuple[str, ...]) -> tuple[tuple[str | int, ...], ...]:
    return tuple(tuple(int(p) if p.isdigit() else p for p in path.split(".")) for path in sensitive)


def _annotate(configuration: Configuration, rules: tuple[IgnoreRule, ...], m: Managed) -> Managed:
    """The configuration's word on a resource: where its block is, and what not to call drift."""
    block = configuration.block_for(m.address)
    source = Source(block.file, block.line) if block else None
    ignore_changes: tuple[str, ...] | str = block.ignore_changes if block else ()
    return m._replace(
        source=source,
        ignore=patterns(rules, m.address, m.type, ignore_changes),
        configured=block.configured if block else None,
    )


def _reader(settings: Config, resources: list[Managed]) -> LiveReader:
    subscription = settings.get_str("azure.subscription_id") or _subscription_of(resources)
    if not subscription and resources:
        raise ConfigError(
            "azure.subscription_id: no subscription: set ARM_SUBSCRIPTION_ID or azure.subscription_id"
        )
    read_settings = ReadSettings(concurrency=settings.get_int("drift.concurrency"))
    return AzureLiveReader(endpoint(settings.get_str("azure.endpoint"), subscription), read_settings)


def _subscription_of(resources: list[Managed]) -> str:
    for r in resources:
        parts = str(r.values.get("id", "")).strip("/").split("/")
        if len(parts) > 1 and parts[0].lower() == "subscriptions":
            return parts[1]
    return ""


def _scope(settings: Config) -> tuple[str, ...] | None:
    groups = [str(g) for g in settings.get_list("drift.scope")]
    if not groups:
        return None
    subscription = settings.get_str("azure.subscription_id")
    out = []
    for g in groups:
        if g.startswith("/"):
            out.append(g.rstrip("/"))
        elif subscription:
            out.append(f"/subscriptions/{subscription}/resourceGroups/{g}")
        else:
            where = settings["drift.scope"].where
            raise ConfigError(f"{where}: {g!r} is a name; give the group's id or set ARM_SUBSCRIPTION_ID")
    return tuple(out)


def _terraform_ids(settings: Config, environ: Mapping[str, str]) -> tuple[str, ...]:
    ids = [str(i) for i in settings.get_list("azure.terraform_client_ids")]
    if environ.get("ARM_CLIENT_ID"):
        ids.append(environ["ARM_CLIENT_ID"])
    return tuple(ids)


# -- the store ----------------------------------------------------------------------------------------


def _scan_id(now: datetime) -> str:
    return new_scan_id(now)


def _previous(path: Path, root: Path) -> Previous | None:
    """The newest scan, which an incremental scan builds on when it was complete, with the state it saw."""
    if not path.exists():
        return None
    with SqliteStore(path) as store:
        report = store.latest(str(root))
        if report is None:
            return None
        serial, lineage = store.scan_state(report.scan_id)
        return Previous(report, serial, lineage, tuple(store.modes(str(root), 1000)))


def _last_scan(path: Path, root: Path) -> datetime | None:
    """When the workspace was last scanned (the Activity Log is read from then); never creates the store."""
    if not path.exists():
        return None
    with SqliteStore(path) as store:
        return store.last_scan_at(str(root))


def _same_lineage(path: Path, root: Path, state_file: Path, state: StateSnapshot) -> None:
    """Refuse a state file of another workspace: its scans must not be recorded in this one's history."""
    if not path.exists():
        return
    with SqliteStore(path) as store:
        recorded = store.lineage(str(root))
    if recorded is not None and state.lineage != recorded:
        raise WorkspaceError.at(
            state_file,
            None,
            f"lineage {state.lineage} is not this workspace's ({recorded}, recorded in {path}); a foreign "
            "state is not recorded here (scan it with --no-store)",
        )


def _stored(snapshots: list[Snapshot], state: StateSnapshot) -> list[Stored]:
    """The snapshots for the store, with their sensitive paths: state's, and the schema's in either view."""
    marked = {r.address: r.sensitive_paths for r in state.resources}
    out = []
    for s in snapshots:
        paths = set(sensitive_paths(s.type, s.state, marked.get(s.address or "", ())))
        paths.update(sensitive_paths(s.type, s.live))
        out.append(Stored(s.address, s.resource_id, s.type, None, s.state, s.live, tuple(sorted(paths))))
    return out


def _hidden(values: dict[str, Any] | None, paths: tuple[str, ...]) -> Iterator[str]:
    for path in paths:
        yield from leaves(value_at(values, path.split(".")))


def _save(
    path: Path,
    key_file: Path | None,
    redactor: Redactor,
    report: ScanReport,
    snapshots: list[Stored],
    state: StateSnapshot,
) -> None:
    with SqliteStore(path, redactor=redactor, key_file=key_file) as store:
        store.save_scan(report, snapshots, state_serial=state.serial, state_lineage=state.lineage)


@contextmanager
def _progress(show: bool) -> Iterator[Progress | None]:
    if not show:
        yield None
        return
    from rich.progress import BarColumn
    from rich.progress import MofNCompleteColumn
    from rich.progress import Progress as Bar
    from rich.progress import TextColumn
    from rich.progress import TimeElapsedColumn

    columns = (TextColumn("reading live resources"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Bar(*columns, transient=True) as bar:
        task = bar.add_task("read", total=None)
        yield Progress(
            start=lambda total: bar.update(task, total=total), advance=lambda n: bar.advance(task, n)
        )
