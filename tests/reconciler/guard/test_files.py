"""Staged files to workspaces: the nearest scanned root above a file, listed roots, shared modules."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from pathlib import Path

from reconciler.config import load_config
from reconciler.guard.files import map_files
from reconciler.workspace import load_config as load_workspace
from reconciler.workspace.listed import listed_workspaces
from state.report import ScanReport
from state.report import Summary
from state.sqlite import SqliteStore
from state.store import new_scan_id

RG = 'resource "azurerm_resource_group" "rg" {\n  name     = "rg"\n  location = "westeurope"\n}\n'


def _root(path: Path, body: str = RG) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "main.tf").write_text(body)
    return path.resolve()


def _scanned(root: Path) -> None:
    now = datetime.now(UTC)
    report = ScanReport(str(root), new_scan_id(now), now, Summary(1, 1, 0, 0, 0, 0), ())
    with SqliteStore(root / ".reconcile" / "state.db") as store:
        store.save_scan(report, [], state_serial=1, state_lineage="l")


def test_a_file_belongs_to_the_nearest_scanned_root_above_it(tmp_path: Path) -> None:
    prod = _root(tmp_path / "envs" / "prod")
    _scanned(prod)
    dev = _root(tmp_path / "envs" / "dev")  # never scanned
    (prod / "nested").mkdir()
    files = [prod / "main.tf", prod / "nested" / "x.tfvars", dev / "main.tf", tmp_path / "README.md"]
    mapped = map_files(files, tmp_path, (), {})
    [target] = mapped.targets
    assert (target.root, target.name) == (prod, "envs/prod")
    assert target.files == (prod / "main.tf", prod / "nested" / "x.tfvars")
    assert mapped.unscanned == ((dev / "main.tf", dev),)
    assert mapped.elsewhere == (tmp_path / "README.md",)


def test_a_shared_module_belongs_to_every_listed_workspace_that_loads_it(tmp_path: Path) -> None:
    module = _root(tmp_path / "modules" / "rg")
    call = 'module "rg" {\n  source = "../../modules/rg"\n}\n'
    prod, dev = _root(tmp_path / "envs" / "prod", call), _root(tmp_path / "envs" / "dev", call)
    _root(tmp_path / "envs" / "other")
    (tmp_path / "reconcile.toml").write_text(
        '[[workspace]]\npath = "envs/*"\n\n[[workspace]]\npath = "envs/prod"\n'
    )
    listed = listed_workspaces(load_config(tmp_path, env={}), tmp_path)
    assert [w.name for w in listed] == ["envs/dev", "envs/other", "envs/prod"]
    loads = {w.path: frozenset((w.path / f).resolve() for f in load_workspace(w.path).files) for w in listed}
    mapped = map_files([module / "main.tf"], tmp_path, listed, {}, loads)
    assert {(t.root, t.files) for t in mapped.targets} == {
        (prod, (module / "main.tf",)),
        (dev, (module / "main.tf",)),
    }
