"""Terraform's own ``fmt`` folded into proposals: patched files pass ``terraform fmt -check``, and a file
that was not formatted before keeps its layout outside the edited lines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.errors import TerraformError
from reconciler.propose.formatting import format_edits
from reconciler.terraform import EmbeddedEngine
from reconciler.terraform import Terraform
from state.proposal import FileEdit

CLEAN = """\
resource "azurerm_public_ip" "web" {
  name                = "web-pip"
  location            = "westeurope"
  resource_group_name = "demo-rg"
  allocation_method   = "Static"
}
"""


@pytest.fixture(scope="module")
def tf() -> Iterator[Terraform]:
    with Terraform(EmbeddedEngine(), base_env=dict(os.environ)) as tf:
        yield tf


def fmt_check(tf: Terraform, tmp_path: Path, edit: FileEdit) -> bool:
    target = tmp_path / "check" / Path(edit.path).name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(edit.after.encode())
    return tf.run(["fmt", "-check", "-no-color", target.name], target.parent).rc == 0


def test_a_clean_file_is_formatted_whole_neighbours_realigned(tf: Terraform, tmp_path: Path) -> None:
    added = CLEAN.replace('"Static"\n', '"Static"\n  idle_timeout_in_minutes = 10\n')
    [edit], notes, caveats = format_edits(tf, [FileEdit("main.tf", CLEAN, added)], tmp_path / "fmt")
    assert edit.after == (
        'resource "azurerm_public_ip" "web" {\n'
        '  name                    = "web-pip"\n'
        '  location                = "westeurope"\n'
        '  resource_group_name     = "demo-rg"\n'
        '  allocation_method       = "Static"\n'
        "  idle_timeout_in_minutes = 10\n"
        "}\n"
    )
    assert notes == ("main.tf: formatted with terraform fmt",) and caveats == ()
    assert fmt_check(tf, tmp_path, edit)


def test_an_unformatted_file_gets_only_its_edited_lines_formatted(tf: Terraform, tmp_path: Path) -> None:
    messy = CLEAN.replace("  name                = ", "  name = ") + 'variable "x" {\n    type = string\n}\n'
    edited = messy.replace('  location            = "westeurope"', '  location   =    "northeurope"')
    [edit], _, caveats = format_edits(tf, [FileEdit("main.tf", messy, edited)], tmp_path / "fmt")
    # The edited line is aligned like its neighbours; the user's own layout elsewhere stays.
    assert edit.after == messy.replace('"westeurope"', '"northeurope"')
    assert caveats == ("main.tf: was not fmt-clean before this edit; only the edited lines were formatted",)
    [edit], _, caveats = format_edits(
        tf, [FileEdit("main.tf", messy, messy.replace("demo-rg", "ops-rg"))], tmp_path / "fmt2"
    )
    assert edit.after == messy.replace("demo-rg", "ops-rg")
    assert caveats == ("main.tf: was not fmt-clean before this edit; its formatting is left as it was",)


def test_line_endings_new_files_and_json_are_kept(tf: Terraform, tmp_path: Path) -> None:
    crlf = CLEAN.replace("\n", "\r\n")
    edits = [
        FileEdit("main.tf", crlf, crlf.replace('"Static"\r\n', '"Static"\r\n  sku = "Standard"\r\n')),
        FileEdit("imported.tf", "", 'import {\n  to = azurerm_public_ip.x\n  id   = "/x"\n}\n'),
        FileEdit("override.tf.json", "{}", '{"resource":  {}}'),
    ]
    crlf_edit, new, json = format_edits(tf, edits, tmp_path / "fmt").edits
    assert crlf_edit.after == crlf.replace(
        '"Static"\r\n', '"Static"\r\n  sku                 = "Standard"\r\n'
    )
    assert new.after == 'import {\n  to = azurerm_public_ip.x\n  id = "/x"\n}\n'
    assert json == edits[2]


def test_text_terraform_cannot_read_fails_the_step(tf: Terraform, tmp_path: Path) -> None:
    with pytest.raises(TerraformError, match="fmt failed"):
        format_edits(tf, [FileEdit("main.tf", CLEAN, CLEAN.replace('"Static"', ""))], tmp_path / "fmt")
