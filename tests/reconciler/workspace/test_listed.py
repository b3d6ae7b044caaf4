"""[[workspace]] entries of a reconcile.toml: directories, globs, names, and errors that name the entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import load_config
from reconciler.errors import ConfigError
from reconciler.workspace.listed import listed_workspaces


@pytest.fixture(autouse=True)
def _roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("prod", "dev"):
        (tmp_path / "envs" / name).mkdir(parents=True)
        (tmp_path / "envs" / name / "main.tf").write_text("")
    (tmp_path / "envs" / "docs").mkdir()  # no Terraform in it: a glob skips it
    monkeypatch.chdir(tmp_path)


def _listed(tmp_path: Path, toml: str) -> list[tuple[str, Path]]:
    (tmp_path / "reconcile.toml").write_text(toml)
    return [(w.name, w.path) for w in listed_workspaces(load_config(tmp_path, env={}), tmp_path)]


def test_paths_and_globs_in_order_with_names(tmp_path: Path) -> None:
    got = _listed(
        tmp_path, '[[workspace]]\npath = "envs/prod"\nname = "production"\n\n[[workspace]]\npath = "envs/*"\n'
    )
    envs = (tmp_path / "envs").resolve()
    assert got == [("production", envs / "prod"), ("envs/dev", envs / "dev")]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[workspace]]\npath = "nothing/*"\n',
            "reconcile.toml: workspace[0].path: 'nothing/*' matches no Terraform root",
        ),
        (
            '[[workspace]]\npath = "envs/nope"\n',
            "reconcile.toml: workspace[0].path: 'envs/nope' is not a directory",
        ),
        (
            '[[workspace]]\npath = "envs/*"\nname = "all"\n',
            "reconcile.toml: workspace[0].name: 'envs/*' matches 2 roots",
        ),
        ('[[workspace]]\npath = "envs/dev"\ndir = "x"\n', "reconcile.toml: workspace[0]: unknown key 'dir'"),
        (
            '[[workspace]]\npath = "envs/dev"\nname = "a"\n\n[[workspace]]\npath = "envs/prod"\nname = "a"\n',
            "reconcile.toml: workspace[1]: the name 'a' is taken by workspace[0]",
        ),
        ('workspace = ["envs/dev"]\n', "reconcile.toml: workspace[0]: expected a table ([[workspace]])"),
    ],
)
def test_mistakes_name_the_entry(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _listed(tmp_path, toml)
    assert raised.value.message.startswith(message)
