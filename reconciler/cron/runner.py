"""``reconcile drift --all``: scan every listed workspace, a few at a time, then tell the webhooks the news.

Each workspace is scanned exactly as ``reconcile drift DIR`` scans it (its own settings and store), under
a *run lock*: the workspace lock of :mod:`reconciler.apply.lock` under a key of its own, so a dead
holder is detected and broken the same way, while applies (which take the workspace's own key) are
never kept out by a scan. A second run that finds a live run scanning a workspace skips it with a line
saying so. One workspace failing (bad configuration, state Terraform cannot read) fails only its part.

The scan itself is a :class:`~reconciler.drift.run.DriftOptions` template, so flags of ``reconcile
drift`` (``--no-attribution`` now, an incremental mode later) apply to every workspace alike.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from reconciler.apply.lock import WorkspaceLock
from reconciler.apply.lock import holder
from reconciler.config import Flag
from reconciler.config import load_config
from reconciler.cron.notify import Policy
from reconciler.cron.notify import Webhook
from reconciler.cron.notify import deliver
from reconciler.cron.notify import webhooks
from reconciler.cron.payload import has_news
from reconciler.cron.payload import json_payload
from reconciler.cron.payload import slack_payload
from reconciler.drift.run import DriftOptions
from reconciler.drift.run import run_drift
from reconciler.errors import ConfigError
from reconciler.errors import Failure
from reconciler.errors import LockHeldError
from reconciler.report.combined import CombinedReport
from reconciler.report.combined import Delivery
from reconciler.report.combined import WorkspaceRun
from reconciler.report.delta import delta
from reconciler.workspace.listed import Listed
from reconciler.workspace.listed import listed_workspaces
from state.sqlite import SqliteStore
from state.transactions import utcnow

SCAN_LOCK = "#scan"  # the run lock's key: the workspace's, with this suffix
COMMAND = "reconcile drift --all"


class RunOptions(NamedTuple):
    directory: Path  # whose reconcile.toml lists the workspaces
    drift: DriftOptions  # the scan of one workspace; its directory is replaced by each workspace's
    concurrency: int | None = None  # None: drift.workspace_concurrency
    notify: tuple[str, ...] | None = None  # --notify URLs; None: notify.urls
    notify_format: str | None = None  # --notify-format; None: notify.format
    environ: Mapping[str, str] | None = None
    say: Callable[[str], None] = lambda line: None  # one line per skipped workspace, broken lock, failure


def run_all(options: RunOptions) -> CombinedReport:
    environ = dict(os.environ if options.environ is None else options.environ)
    directory = options.directory.resolve()
    flags = {
        "notify.urls": Flag("--notify", list(options.notify) if options.notify else None),
        "notify.format": Flag("--notify-format", options.notify_format),
    }
    settings = load_config(directory, env=environ, flags=flags)
    listed = listed_workspaces(settings, directory)
    if not listed:
        where = settings.file or directory / "reconcile.toml"
        raise ConfigError(f"{where}: no [[workspace]] entries: list the workspaces to scan (path = ...)")
    concurrency = options.concurrency or settings.get_int("drift.workspace_concurrency")
    if concurrency < 1:
        raise settings["drift.workspace_concurrency"].error(f"expected at least 1, got {concurrency}")
    urls, fmt = settings.get_list("notify.urls"), settings.get_str("notify.format")
    hooks = webhooks(urls, fmt, settings["notify.urls"].where, settings["notify.format"].where)
    policy = Policy(
        timeout=settings.get_int("notify.timeout_s"), attempts=settings.get_int("notify.attempts")
    )
    started = datetime.now(UTC)
    with ThreadPoolExecutor(
        max_workers=min(concurrency, len(listed)), thread_name_prefix="workspace"
    ) as pool:
        runs = tuple(pool.map(lambda w: _scan(w, options, environ), listed))
    report = CombinedReport(str(directory), started, runs)
    return report._replace(deliveries=notify(report, hooks, policy, options.say))


def notify(
    report: CombinedReport, hooks: tuple[Webhook, ...], policy: Policy, say: Callable[[str], None]
) -> tuple[Delivery, ...]:
    """Post the news to every webhook (nothing when nothing is new); failures are said, never raised."""
    if not hooks or not has_news(report):
        return ()
    events = sum(len(r.events) for r in report.runs)
    payloads = {"json": json_payload(report), "slack": slack_payload(report)}
    out = []
    for hook in hooks:
        done = deliver(hook, payloads[hook.format], events, policy)
        if not done.ok:
            say(f"notification to {done.target} failed after {done.attempts} attempt(s): {done.error}")
        out.append(done)
    return tuple(out)


def _scan(w: Listed, options: RunOptions, environ: dict[str, str]) -> WorkspaceRun:
    path = str(w.path)
    try:
        store_path = load_config(w.path, env=environ).store_path(w.path)
        with SqliteStore(store_path) as store, ExitStack() as held:
            lock = WorkspaceLock(
                store,
                path,
                holder(COMMAND),
                timeout=0,
                notify=lambda line: options.say(f"{w.name}: {line}"),
                clock=utcnow,
                key=path + SCAN_LOCK,
            )
            try:
                held.enter_context(lock)
            except LockHeldError as e:
                why = e.message.removeprefix(f"{path}: ")
                options.say(f"{w.name}: skipped: another run is scanning it ({why})")
                return WorkspaceRun(w.name, path, "skipped", message=f"another run is scanning it ({why})")
            previous = store.latest(path)
            report = run_drift(options.drift._replace(directory=w.path, environ=environ))
    except Exception as e:
        if not isinstance(e, Failure):
            raise
        options.say(f"{w.name}: {e.message}")
        return WorkspaceRun(w.name, path, "failed", message=e.message)
    events = delta(previous, report)
    return WorkspaceRun(w.name, path, "scanned", report, "", previous.scan_id if previous else None, events)
