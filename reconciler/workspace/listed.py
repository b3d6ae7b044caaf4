"""The workspaces a repository lists in its ``reconcile.toml``, for ``reconcile drift --all`` and the check.

    [[workspace]]
    path = "envs/prod"          # a Terraform root, relative to the file
    name = "prod"               # optional; default: the path

    [[workspace]]
    path = "envs/*"             # a glob: every Terraform root it matches, named by its path

A glob that matches no Terraform root, a path that is not a directory, and two entries with one name are
errors naming the entry (``reconcile.toml: workspace[1]``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from reconciler.config import Config
from reconciler.errors import ConfigError
from reconciler.workspace.loader import CDK_FILE
from reconciler.workspace.loader import CDK_OUT
from reconciler.workspace.loader import config_files

_KEYS = {"path", "name"}
_GLOB = frozenset("*?[")


class Listed(NamedTuple):
    name: str
    path: Path  # absolute


def listed_workspaces(settings: Config, directory: Path) -> tuple[Listed, ...]:
    """The ``[[workspace]]`` entries of ``settings`` (read from ``directory``), globs expanded, in order."""
    setting = settings["workspace"]
    base = setting.source.path.parent if setting.source.path is not None else directory
    out: dict[Path, Listed] = {}
    names: dict[str, int] = {}
    for index, item in enumerate(settings.get_list("workspace")):
        here = f"{setting.where}[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{here}: expected a table ([[workspace]]) with a path, got {item!r}")
        unknown = set(item) - _KEYS
        if unknown:
            raise ConfigError(f"{here}: unknown key {sorted(unknown)[0]!r} (expected path and name)")
        pattern, name = item.get("path"), item.get("name")
        if not isinstance(pattern, str) or not pattern:
            raise ConfigError(f"{here}.path: expected a directory or a glob, got {pattern!r}")
        if name is not None and (not isinstance(name, str) or not name):
            raise ConfigError(f"{here}.name: expected a non-empty string, got {name!r}")
        if _GLOB & set(pattern):
            matches = sorted(p.resolve() for p in base.glob(pattern) if p.is_dir() and terraform_root(p))
            if not matches:
                raise ConfigError(f"{here}.path: {pattern!r} matches no Terraform root under {base}")
            if name is not None and len(matches) > 1:
                raise ConfigError(
                    f"{here}.name: {pattern!r} matches {len(matches)} roots; one name cannot fit"
                )
        else:
            path = (base / pattern).resolve()
            if not path.is_dir():
                raise ConfigError(f"{here}.path: {pattern!r} is not a directory (under {base})")
            matches = [path]
        for path in matches:
            shown = name or _relative(path, base)
            if shown in names and out.get(path) is None:
                raise ConfigError(f"{here}: the name {shown!r} is taken by workspace[{names[shown]}]")
            names.setdefault(shown, index)
            out.setdefault(path, Listed(shown, path))
    return tuple(out.values())


def terraform_root(directory: Path) -> bool:
    """Whether ``directory`` holds Terraform configuration (``.tf`` / ``.tf.json``) or CDK output."""
    try:
        return bool(config_files(directory)) or any((directory / CDK_OUT / "stacks").glob(f"*/{CDK_FILE}"))
    except OSError:
        return False


def _relative(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base.resolve())).as_posix()
