from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import WorkspaceError
from reconciler.workspace import load_config

SOURCE = r"""resource "azurerm_linux_virtual_machine" "web" {
  name          = "web-01"
  quoted        = "say \"hi\"\tthere"
  literal_dollar = "cost $${x}"
  template      = "${var.prefix}-vm"
  reference     = var.size
  call          = lookup(var.sizes, "web", "Standard_B1s")
  number        = 1.5
  big           = 1e3
  negative      = -2
  flag          = true
  nothing       = null
  list          = ["a", 1, false]
  object        = { "cost-center" = "42", env = "dev" }
  script        = <<EOT
#!/bin/sh
echo ${var.greeting}
EOT
  indented = <<-EOT
    first
      second
    EOT
}
"""


def _body(tmp_path: Path, source: str = SOURCE) -> dict[str, object]:
    (tmp_path / "main.tf").write_text(source)
    [block] = load_config(tmp_path).blocks
    return block.body


def test_literals_lose_their_quotes_and_expressions_keep_their_text(tmp_path: Path) -> None:
    body = _body(tmp_path)
    assert body["name"] == "web-01"
    assert body["quoted"] == 'say "hi"\tthere'
    assert body["template"] == "${var.prefix}-vm"
    # Strings are templates, as in Terraform's JSON syntax: "$${" is a literal "${".
    assert body["literal_dollar"] == "cost $${x}"
    assert body["reference"] == "${var.size}"
    assert body["call"] == '${lookup(var.sizes, "web", "Standard_B1s")}'
    assert body["number"] == 1.5
    assert body["big"] == 1000
    assert body["negative"] == -2
    assert body["flag"] is True
    assert body["nothing"] is None
    assert body["list"] == ["a", 1, False]
    assert body["object"] == {"cost-center": "42", "env": "dev"}


def test_heredocs_have_terraforms_value(tmp_path: Path) -> None:
    body = _body(tmp_path)
    assert body["script"] == "#!/bin/sh\necho ${var.greeting}\n"
    assert body["indented"] == "first\n  second\n"


def test_argument_spans_cover_multiline_values(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(SOURCE)
    [block] = load_config(tmp_path).blocks
    assert block.arguments["name"] == (2, 2)
    assert block.arguments["script"] == (15, 18)
    assert block.arguments["indented"] == (19, 22)
    assert (block.line, block.end_line) == (1, 23)


def test_tfvars_values_and_lines(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "tags" {}\nvariable "size" {}\n')
    (tmp_path / "terraform.tfvars").write_text(
        '# production\nsize = "Standard_B2s"\ntags = {\n  env   = "prod"\n  owner = "ops"\n}\n'
    )
    [size, tags] = load_config(tmp_path).tfvars
    assert (size.name, size.value, size.line, size.end_line) == ("size", "Standard_B2s", 2, 2)
    assert (tags.name, tags.value, tags.line, tags.end_line) == (
        "tags",
        {"env": "prod", "owner": "ops"},
        3,
        6,
    )


def test_a_block_in_a_tfvars_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "size" {}\n')
    (tmp_path / "dev.auto.tfvars").write_text('size = "x"\n\nresource "a" "b" {}\n')
    with pytest.raises(WorkspaceError, match=r"^dev\.auto\.tfvars:3: a variables file holds only"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('resource "a" "b" {\n  x = 1\n', "main.tf:2: HCL syntax error: unexpected end of file"),
        ('resource "a" "b" {\n  x = 1\n}\n}\n', "main.tf:4: HCL syntax error: unexpected '}'"),
        ('resource "a" "b" {\n  x = 1 @ 2\n}\n', "main.tf:2: HCL syntax error: unexpected '@'"),
        ('resource "a" "b" {\n  x = 1\n  x {\n  }\n}\n', "main.tf:1: Attribute x is already defined"),
    ],
)
def test_syntax_errors(tmp_path: Path, source: str, message: str) -> None:
    (tmp_path / "main.tf").write_text(source)
    with pytest.raises(WorkspaceError) as info:
        load_config(tmp_path)
    assert str(info.value).startswith(message)
