"""``reconcile watch``: re-judge locally when the code or the state changes, rescan live on an interval.

A watchdog observer sees ``.tf``, ``.tf.json``, ``.tfvars(.json)`` and state files change under the
workspace (not under ``.terraform``, ``.git`` or the store's folder) and wakes the loop, which re-judges
the latest scan at once (:mod:`reconciler.watch.view`, no cloud call). Every ``interval`` seconds an
incremental scan reads what changed live. A scan that fails is reported and tried again at the next
interval; the loop ends when ``stop`` is set (Ctrl-C).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path

from watchdog.events import FileSystemEvent
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from reconciler.drift.run import DriftOptions
from reconciler.drift.run import run_drift
from reconciler.errors import Failure
from reconciler.watch.view import View
from reconciler.watch.view import evaluate
from reconciler.watch.view import failed
from state.report import ScanReport

WATCHED = (".tf", ".tf.json", ".tfvars", ".tfvars.json", ".tfstate")
SKIPPED = {".terraform", ".git", ".reconcile"}
#: editors write a file in several steps: wait this long after the first event before judging
SETTLE_S = 0.3
_WRITES = {"created", "modified", "deleted", "moved", "closed"}


class _Changes(FileSystemEventHandler):
    def __init__(self, root: Path, wake: threading.Event) -> None:
        self.root = root
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _WRITES:
            return  # reads (opened, closed without writing) change nothing; Terraform reads all the time
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = Path(str(raw or ""))
            if not path.name.endswith(WATCHED):
                continue
            try:
                parts = path.relative_to(self.root).parts
            except ValueError:
                continue
            if not SKIPPED & set(parts):
                self.wake.set()


def watch(
    root: Path,
    interval: float,
    emit: Callable[[View], None],
    stop: threading.Event,
    environ: Mapping[str, str],
) -> None:
    root = root.resolve()
    wake = threading.Event()
    observer = Observer()
    observer.schedule(_Changes(root, wake), str(root), recursive=True)
    observer.start()
    try:
        report, view = _rescan(root, environ, None, None, emit)
        due = time.monotonic() + interval
        while not stop.is_set():
            if wake.wait(timeout=min(0.5, max(0.0, due - time.monotonic()))):
                time.sleep(SETTLE_S)
                wake.clear()
                if report is not None:
                    view = _judged(root, report, environ, view, emit)
            if time.monotonic() >= due:
                report, view = _rescan(root, environ, report, view, emit)
                due = time.monotonic() + interval
    finally:
        observer.stop()
        observer.join(timeout=5)


def _rescan(
    root: Path,
    environ: Mapping[str, str],
    report: ScanReport | None,
    view: View | None,
    emit: Callable[[View], None],
) -> tuple[ScanReport | None, View | None]:
    try:
        fresh = run_drift(DriftOptions(directory=root, environ=environ, incremental=True))
    except Exception as e:
        if not isinstance(e, Failure):
            raise
        shown = failed(f"scan failed, retried at the next interval: {e.message}", view)
        emit(shown)
        return report, shown
    problem = "" if fresh.complete else f"scan incomplete, retried at the next interval: {fresh.errors[0]}"
    return fresh, _judged(root, fresh, environ, view, emit, "scan", problem)


def _judged(
    root: Path,
    report: ScanReport,
    environ: Mapping[str, str],
    view: View | None,
    emit: Callable[[View], None],
    event: str = "local",
    problem: str = "",
) -> View | None:
    try:
        judged = evaluate(root, report, environ, "scan" if event == "scan" else "local")
        if problem:
            judged = judged._replace(event="error", error=problem)
    except Exception as e:
        if not isinstance(e, Failure):
            raise
        judged = failed(e.message, view)
    emit(judged)
    return judged
