"""Which workspace each staged file belongs to.

A workspace is a Terraform root whose store holds scans of it, or one listed in the ``reconcile.toml``
of the directory the check runs in. A file belongs to the nearest such directory above it; a file of a
shared module outside every root (``modules/vm/main.tf``) belongs to each listed workspace whose
configuration loads it. A Terraform file in no known workspace is reported: its root was never scanned.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from reconciler.config import load_config
from reconciler.workspace.listed import Listed
from reconciler.workspace.listed import terraform_root
from state.sqlite import SqliteStore

CONFIG_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")


class Target(NamedTuple):
    root: Path  # the workspace, absolute
    name: str  # as messages show it
    files: tuple[Path, ...]  # the staged files that belong to it, absolute


class Mapped(NamedTuple):
    targets: tuple[Target, ...]
    #: Terraform files under a root that has never been scanned, and the nearest such root
    unscanned: tuple[tuple[Path, Path], ...]
    #: files of no workspace at all (shared modules no listed workspace loads, other files)
    elsewhere: tuple[Path, ...]


class _Finder:
    def __init__(self, cwd: Path, listed: Sequence[Listed], environ: Mapping[str, str]) -> None:
        self.cwd = cwd
        self.listed = {w.path: w.name for w in listed}
        self.environ = environ
        self.scanned: dict[Path, bool] = {}

    def root_of(self, file: Path) -> Path | None:
        for directory in file.parents:
            if directory in self.listed or self.has_scans(directory):
                return directory
        return None

    def has_scans(self, directory: Path) -> bool:
        if directory not in self.scanned:
            self.scanned[directory] = terraform_root(directory) and self._store_has(directory)
        return self.scanned[directory]

    def _store_has(self, directory: Path) -> bool:
        store = load_config(directory, env=self.environ).store_path(directory)
        if not store.is_file():  # never create a store just by looking
            return False
        with SqliteStore(store) as opened:
            return bool(opened.scans(str(directory), limit=1))

    def name(self, root: Path) -> str:
        if root in self.listed:
            return self.listed[root]
        try:
            return Path(os.path.relpath(root, self.cwd)).as_posix()
        except ValueError:  # another drive
            return str(root)


def map_files(
    files: Sequence[Path],
    cwd: Path,
    listed: Sequence[Listed],
    environ: Mapping[str, str],
    loads: Mapping[Path, frozenset[Path]] | None = None,
) -> Mapped:
    """Group ``files`` (absolute) by workspace. ``loads`` (root → the files its configuration loads) is
    consulted for files under no root; pass it for listed workspaces when shared modules matter."""
    finder = _Finder(cwd, listed, environ)
    groups: dict[Path, list[Path]] = {}
    unscanned: list[tuple[Path, Path]] = []
    elsewhere: list[Path] = []
    for file in files:
        root = finder.root_of(file)
        if root is not None:
            groups.setdefault(root, []).append(file)
            continue
        users = [r for r, loaded in (loads or {}).items() if file in loaded]
        for r in users:
            groups.setdefault(r, []).append(file)
        if users:
            continue
        if file.name.endswith(CONFIG_SUFFIXES):
            nearest = next((d for d in file.parents if terraform_root(d)), None)
            if nearest is not None:
                unscanned.append((file, nearest))
                continue
        elsewhere.append(file)
    targets = tuple(Target(root, finder.name(root), tuple(fs)) for root, fs in groups.items())
    return Mapped(targets, tuple(unscanned), tuple(elsewhere))
