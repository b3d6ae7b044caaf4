"""Everything ``reconcile check`` does, in order: files → workspaces → latest scan → verdicts.

No cloud call and no Terraform run unless ``--fresh``: the verdicts come from the store's latest scan and
the configuration as it is on disk (under pre-commit, the staged content: it stashes the rest).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

from reconciler.config import load_config
from reconciler.drift.ignore import parse_rules
from reconciler.drift.run import DriftOptions
from reconciler.drift.run import run_drift
from reconciler.errors import ConfigError
from reconciler.guard.duration import describe
from reconciler.guard.duration import parse_duration
from reconciler.guard.files import Target
from reconciler.guard.files import map_files
from reconciler.guard.verdict import Context
from reconciler.guard.verdict import Finding
from reconciler.guard.verdict import judge
from reconciler.workspace import Configuration
from reconciler.workspace import load_config as load_workspace
from reconciler.workspace.listed import listed_workspaces
from state.report import ScanReport
from state.sqlite import SqliteStore


class CheckOptions(NamedTuple):
    files: tuple[Path, ...]  # as given: relative to ``cwd`` or absolute
    cwd: Path
    fresh: bool = False
    max_age: timedelta | None = None  # None: each workspace's check.max_age
    allow_revert: tuple[str, ...] = ()
    environ: Mapping[str, str] | None = None
    now: datetime | None = None
    show_progress: bool = False


class WorkspaceCheck(NamedTuple):
    root: Path
    name: str
    files: tuple[str, ...]  # the staged files of this workspace, relative to its root
    scan: ScanReport | None
    fresh: bool  # the scan was made by this check (--fresh)
    age: timedelta | None
    max_age: timedelta
    findings: tuple[Finding, ...]
    warnings: tuple[str, ...]

    @property
    def stale(self) -> bool:
        return self.age is not None and self.age > self.max_age


class CheckResult(NamedTuple):
    workspaces: tuple[WorkspaceCheck, ...]
    warnings: tuple[str, ...]  # about files in no scanned workspace

    @property
    def blocked(self) -> tuple[tuple[WorkspaceCheck, Finding], ...]:
        return tuple((w, f) for w in self.workspaces for f in w.findings if f.verdict == "blocked")

    @property
    def exit_code(self) -> int:
        return 1 if self.blocked else 0


def run_check(options: CheckOptions) -> CheckResult:
    environ = dict(os.environ if options.environ is None else options.environ)
    cwd = options.cwd.resolve()
    files = tuple(dict.fromkeys((cwd / f).resolve() for f in options.files))
    listed = listed_workspaces(load_config(cwd, env=environ), cwd)
    configs: dict[Path, Configuration] = {}
    mapped = map_files(files, cwd, listed, environ)
    if (mapped.unscanned or mapped.elsewhere) and listed:
        # Files outside every root may be shared modules: ask the listed workspaces what they load.
        for w in listed:
            configs[w.path] = load_workspace(w.path)
        loads = {root: frozenset((root / f).resolve() for f in c.files) for root, c in configs.items()}
        mapped = map_files(files, cwd, listed, environ, loads)
    now = options.now or datetime.now(UTC)
    checks = tuple(_check(t, options, environ, configs, now) for t in mapped.targets)
    warnings = tuple(
        f"{_shown(f, cwd)}: in {_shown(root, cwd)}, which has never been scanned: run "
        f"'reconcile drift {_shown(root, cwd)}' (or 'reconcile check --fresh')"
        for f, root in mapped.unscanned
    )
    return CheckResult(checks, warnings)


def _check(
    target: Target,
    options: CheckOptions,
    environ: dict[str, str],
    configs: dict[Path, Configuration],
    now: datetime,
) -> WorkspaceCheck:
    root = target.root
    settings = load_config(root, env=environ)
    max_age = options.max_age
    if max_age is None:
        setting = settings["check.max_age"]
        try:
            max_age = parse_duration(settings.get_str("check.max_age"))
        except ValueError as e:
            raise setting.error(str(e)) from None
    rules = parse_rules(settings.get_list("ignore"), settings["ignore"].where)
    staged = tuple(Path(os.path.relpath(f, root)).as_posix() for f in target.files)
    if options.fresh:
        report: ScanReport | None = run_drift(
            DriftOptions(directory=root, show_progress=options.show_progress, environ=environ)
        )
    else:
        report = _latest(settings.store_path(root), root)
    if report is None:
        warning = (
            f"{target.name}: no scan yet, so no drift is known: run 'reconcile drift {target.name}' "
            "(or 'reconcile check --fresh')"
        )
        return WorkspaceCheck(root, target.name, staged, None, False, None, max_age, (), (warning,))
    age = now - report.scanned_at
    warnings: list[str] = []
    if age > max_age:
        warnings.append(
            f"{target.name}: the latest scan is {describe(age)} old (more than {describe(max_age)}): its "
            "drift is reported, not enforced; run 'reconcile drift' or 'reconcile check --fresh'"
        )
    if not report.complete or report.summary.unknown:
        warnings.append(
            f"{target.name}: the latest scan is incomplete; resources it could not read are not checked"
        )
    config = configs.get(root) or load_workspace(root)
    ctx = Context(config, rules, environ, frozenset(staged), options.allow_revert, age > max_age)
    findings = tuple(f for f in (judge(d, ctx) for d in report.drifts) if f is not None)
    return WorkspaceCheck(
        root, target.name, staged, report, options.fresh, age, max_age, findings, tuple(warnings)
    )


def _latest(store: Path, root: Path) -> ScanReport | None:
    if not store.is_file():  # looking never creates a store
        return None
    with SqliteStore(store) as opened:
        return opened.latest(str(root))


def _shown(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix() or "."
    except ValueError:
        return str(path)


def parse_max_age(text: str, flag: str) -> timedelta:
    """A ``--max-age`` value; a :class:`ConfigError` naming the flag when it is not a duration."""
    try:
        return parse_duration(text)
    except ValueError as e:
        raise ConfigError(f"{flag}: {e}") from None
