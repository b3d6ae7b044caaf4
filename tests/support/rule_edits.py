"""Test support for the deterministic rules: write a workspace, codify a drift, check what the edit did."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.propose.edits import Decline
from reconciler.propose.edits import codify
from reconciler.workspace import load_config
from state.proposal import FileEdit
from state.report import Change
from state.report import Drift

GROUP_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    return root


def changed(address: str, *changes: tuple[str, Any, Any], type_: str = "") -> Drift:
    return Drift(
        kind="changed",
        address=address,
        type=type_ or address.split(".")[-2].split("[")[0],
        resource_id=f"{GROUP_ID}/providers/x/y",
        changes=tuple(Change(p, s, v) for p, s, v in changes),
    )


def propose(root: Path, drift: Drift, state: dict[str, Any] | None = None) -> list[FileEdit]:
    """Codify, check the edits against the files, write them, and check the workspace still loads."""
    before = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    edits = codify(load_config(root), drift, state or {})
    assert not isinstance(edits, Decline), edits
    for edit in edits:
        assert before[edit.path].decode() == edit.before
        (root / edit.path).write_bytes(edit.after.encode())
    load_config(root)  # python-hcl2 still parses every file
    for path, data in before.items():
        if path not in {e.path for e in edits}:
            assert (root / path).read_bytes() == data, f"{path} changed"
    return edits


def declined(root: Path, drift: Drift, state: dict[str, Any] | None = None) -> str:
    result = codify(load_config(root), drift, state or {})
    assert isinstance(result, Decline), result
    assert "\n" not in result.reason
    return result.reason


def only(edits: list[FileEdit]) -> FileEdit:
    assert len(edits) == 1, [e.path for e in edits]
    return edits[0]
