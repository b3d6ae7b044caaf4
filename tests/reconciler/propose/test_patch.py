"""Edits made independently against one file merge into one diff that `git apply` accepts."""

from __future__ import annotations

import subprocess
from pathlib import Path

from reconciler.propose.patch import merge_edits
from state.proposal import FileEdit

ORIGINAL = "a = 1\nb = 2\nc = 3\nd = 4\n"


def test_independent_edits_of_one_file_merge_and_apply(tmp_path: Path) -> None:
    first = FileEdit("main.tf", ORIGINAL, ORIGINAL.replace("b = 2", "b = 20"))
    second = FileEdit("main.tf", ORIGINAL, ORIGINAL.replace("d = 4", "d = 40\ne = 5"))
    overlapping = FileEdit("main.tf", ORIGINAL, ORIGINAL.replace("b = 2", "b = 200"))
    merged, left_out = merge_edits([first, second, overlapping])
    assert left_out == [overlapping]
    [edit] = merged
    assert edit.after == "a = 1\nb = 20\nc = 3\nd = 40\ne = 5\n"

    (tmp_path / "main.tf").write_text(ORIGINAL)
    (tmp_path / "fix.patch").write_text(edit.diff())
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, check=True)
    assert (tmp_path / "main.tf").read_text() == edit.after


def test_a_new_file_diff_applies(tmp_path: Path) -> None:
    edit = FileEdit("imported.tf", "", 'import {\n  to = azurerm_public_ip.x\n  id = "/s/x"\n}\n')
    (tmp_path / "fix.patch").write_text(edit.diff())
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, check=True)
    assert (tmp_path / "imported.tf").read_text() == edit.after
