"""Everything ``reconcile drift`` does, in order: settings, workspace, state, live scan, store.

Inputs are checked before anything is read from the cloud or written to the store: a bad
configuration, state or HCL file fails with one line and leaves the store untouched.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from providers.azure.live import LiveReader
from providers.azure.mapping import MAPPINGS
from reconciler.config import Config, load_config
from reconciler.drift.ignore import IgnoreRule, parse_rules, patterns
from reconciler.drift.model import ScanReport, Source
from reconciler.drift.scan import Managed, Progress, ScanSettings, scan
from reconciler.errors import ConfigError, WorkspaceError
from reconciler.workspace import Configuration, StateSnapshot, read_state_file, state_from_document
from reconciler.workspace import load_config as load_workspace


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


def run_drift(options: DriftOptions) -> ScanReport:
    from state.sqlite import SqliteStore
    from state.store import Snapshot, new_scan_id

    root = options.directory.resolve()
    if not root.is_dir():
        raise WorkspaceError(f"{options.directory}: not a directory")
    environ = dict(os.environ if options.environ is None else options.environ)
    settings = load_config(root, env=environ)
    configuration = load_workspace(root, options.stack)
    snapshot = _state(settings, configuration, options.state_file, environ)
    rules = parse_rules(settings.get_list("ignore"), settings["ignore"].where)
    resources = [
        _managed(configuration, r.address, r.type, r.values, r.sensitive_paths, rules)
        for r in snapshot.resources
        if r.mode == "managed"
    ]
    reader = _reader(settings, resources)
    store = None
    if options.store:
        store_path = Path(settings.get_str("store.path"))
        store = SqliteStore(store_path if store_path.is_absolute() else root / store_path)
        _gitignore(store.path.parent)
    now = options.now or datetime.now(UTC)
    since = store.last_scan_at(str(root)) if store else None
    with _progress(options.show_progress) as progress:
        report, snapshots = scan(
            resources,
            reader,
            MAPPINGS,
            workspace=str(root),
            scan_id=new_scan_id(now),
            now=now,
            settings=ScanSettings(
                scope=_scope(settings),
                terraform_ids=_terraform_ids(settings, environ),
                bulk=settings.get_bool("drift.bulk_reads"),
                attribution=options.attribution and settings.get_bool("drift.attribution"),
                lookback=timedelta(days=settings.get_int("drift.lookback_days")),
            ),
            since=since - timedelta(minutes=5) if since else None,
            progress=progress,
        )
    if store is not None:
        store.save_scan(
            report,
            [Snapshot(s.address, s.resource_id, s.type, None, s.state, s.live) for s in snapshots],
            state_serial=snapshot.serial,
            state_lineage=snapshot.lineage,
        )
        store.close()
    return report


def _state(
    settings: Config, configuration: Configuration, state_file: Path | None, environ: dict[str, str]
) -> StateSnapshot:
    if state_file is not None:
        return read_state_file(state_file)
    from reconciler.terraform import Terraform, engine_from_setting

    setting = settings["terraform.engine"]
    engine = engine_from_setting(str(setting.value), setting.where, setting.base_dir)
    with Terraform(engine, base_env=environ) as tf:
        # `state pull` works with every backend and keeps the serial the proposal engine checks.
        result = tf.run(["state", "pull"], configuration.workdir)
    if result.rc != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise WorkspaceError(
            f"{configuration.workdir}: terraform state pull failed: {detail[-1] if detail else ''}"
        )
    if not result.stdout.strip():
        return StateSnapshot(None, None, "", ())
    import json

    try:
        doc = json.loads(result.stdout)
    except json.JSONDecodeError as e:
        raise WorkspaceError(
            f"{configuration.workdir}: terraform state pull gave invalid JSON: {e}"
        ) from None
    return state_from_document(doc, "terraform state pull")


def _managed(
    configuration: Configuration,
    address: str,
    type_name: str,
    values: dict[str, object],
    sensitive: tuple[str, ...],
    rules: tuple[IgnoreRule, ...],
) -> Managed:
    block = configuration.block_for(address)
    source = Source(block.file, block.line) if block else None
    ignore_changes: tuple[str, ...] | str = block.ignore_changes if block else ()
    return Managed(
        address=address,
        type=type_name,
        values=dict(values),
        sensitive=tuple(tuple(int(p) if p.isdigit() else p for p in path.split(".")) for path in sensitive),
        source=source,
        ignore=patterns(rules, address, type_name, ignore_changes),
    )


def _reader(settings: Config, resources: list[Managed]) -> LiveReader:
    from providers.azure.connect import endpoint
    from providers.azure.live import AzureLiveReader, ReadSettings

    subscription = settings.get_str("azure.subscription_id") or _subscription_of(resources)
    if not subscription and resources:
        raise ConfigError(
            "azure.subscription_id: no subscription: set ARM_SUBSCRIPTION_ID or azure.subscription_id"
        )
    read_settings = ReadSettings(concurrency=max(1, settings.get_int("drift.concurrency")))
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
            raise ConfigError(
                f"{settings['drift.scope'].where}: {g!r} is a name; give the id or set ARM_SUBSCRIPTION_ID"
            )
    return tuple(out)


def _terraform_ids(settings: Config, environ: Mapping[str, str]) -> tuple[str, ...]:
    from sandbox.provider.config import DEFAULT_CLIENT_ID

    ids = [str(i) for i in settings.get_list("azure.terraform_client_ids")]
    if environ.get("ARM_CLIENT_ID"):
        ids.append(environ["ARM_CLIENT_ID"])
    return (*ids, DEFAULT_CLIENT_ID)


def _gitignore(directory: Path) -> None:
    """Keep the store and its WAL files out of the Terraform repository."""
    marker = directory / ".gitignore"
    if not marker.exists():
        directory.mkdir(parents=True, exist_ok=True)
        marker.write_text("# Written by reconcile: local state, not for version control.\n*\n")


@contextmanager
def _progress(show: bool) -> Iterator[Progress | None]:
    if not show:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    with Bar(TextColumn("reading live resources"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
             transient=True) as bar:  # fmt: skip
        task = bar.add_task("read", total=None)
        yield Progress(
            start=lambda total: bar.update(task, total=total),
            advance=lambda n: bar.advance(task, n),
        )
