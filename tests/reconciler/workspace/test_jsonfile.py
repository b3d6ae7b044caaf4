from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reconciler.errors import WorkspaceError
from reconciler.workspace import load_config

FIXTURES = Path(__file__).with_name("fixtures")


def _copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


def _fail(root: Path, stack: str | None = None) -> str:
    with pytest.raises(WorkspaceError) as info:
        load_config(root, stack)
    assert "\n" not in str(info.value)
    return str(info.value)


# -- .tf.json --------------------------------------------------------------------------------------


def test_json_workspace_blocks_with_line_spans(tmp_path: Path) -> None:
    config = load_config(_copy("json", tmp_path))
    spans = {b.address: (b.file, b.line, b.end_line) for b in config.blocks}
    assert spans == {
        # An array of blocks: the span is the array element's.
        "azurerm_managed_disk.data": ("disks.tf.json", 6, 15),
        "azurerm_resource_group.main": ("main.tf.json", 20, 24),
        "azurerm_public_ip.web": ("main.tf.json", 27, 37),
        "data.azurerm_client_config.current": ("main.tf.json", 42, 42),
        # A JSON root can call an HCL module.
        "module.network.azurerm_virtual_network.this": ("modules/network/main.tf", 3, 6),
    }


def test_json_bodies_lifecycle_and_meta_arguments(tmp_path: Path) -> None:
    config = load_config(_copy("json", tmp_path))
    pip = config.block_for("azurerm_public_ip.web[0]")
    assert pip is not None
    assert "//" not in pip.body
    assert pip.body["name"] == "${var.prefix}-pip-${count.index}"
    assert (pip.has_count, pip.has_for_each, pip.ignore_changes) == (True, False, ("tags.owner", "sku"))
    assert pip.arguments["allocation_method"] == (33, 33)
    disk = config.block_for('azurerm_managed_disk.data["logs"]')
    assert disk is not None
    assert (disk.has_count, disk.has_for_each, disk.ignore_changes) == (False, True, "all")
    assert disk.body["for_each"] == '${toset(["logs", "db"])}'


def test_json_variables_locals_and_tfvars(tmp_path: Path) -> None:
    config = load_config(_copy("json", tmp_path))
    prefix = config.variable("prefix")
    assert prefix is not None
    assert (prefix.default, prefix.type, prefix.file, prefix.line, prefix.default_span) == (
        "demo",
        "string",
        "main.tf.json",
        4,
        (6, 6),
    )
    location = config.variable("location")
    assert location is not None and not location.has_default
    assert [(x.name, x.value, x.line) for x in config.locals] == [
        ("tags", {"env": "dev", "owner": "platform"}, 13)
    ]
    assert [(e.name, e.value, e.file, e.line) for e in config.tfvars] == [
        ("prefix", "acme", "terraform.tfvars.json", 2),
        ("location", "northeurope", "terraform.tfvars.json", 3),
    ]


def test_invalid_json_config_names_file_and_line(tmp_path: Path) -> None:
    root = _copy("json", tmp_path)
    text = (
        (root / "main.tf.json")
        .read_text()
        .replace('"allocation_method": "Static",', '"allocation_method": "Static"')
    )
    (root / "main.tf.json").write_text(text)
    assert _fail(root) == "main.tf.json:34: invalid JSON: Expecting ',' delimiter"


def test_json_config_that_is_not_an_object(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text('\n["resource"]\n')
    assert _fail(tmp_path) == "main.tf.json:1: a Terraform JSON file must hold one object"


def test_json_block_type_with_the_wrong_shape(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text('{\n  "resource": {\n    "azurerm_x": "oops"\n  }\n}\n')
    assert _fail(tmp_path) == 'main.tf.json:3: "resource" > "azurerm_x" must be a JSON object'


# -- CDK for Terraform -----------------------------------------------------------------------------


def test_cdk_project_loads_its_synthesized_stack(tmp_path: Path) -> None:
    root = _copy("cdk", tmp_path)
    config = load_config(root)
    assert config.stack == "dev"
    assert config.workdir == root / "cdktf.out" / "stacks" / "dev"
    assert config.files == ("cdktf.out/stacks/dev/cdk.tf.json",)
    spans = {b.address: (b.file, b.line, b.end_line, b.construct_path) for b in config.blocks}
    assert spans == {
        "azurerm_resource_group.rg": ("cdktf.out/stacks/dev/cdk.tf.json", 23, 35, "dev/rg"),
        "azurerm_storage_account.logs": ("cdktf.out/stacks/dev/cdk.tf.json", 38, 55, "dev/logs"),
    }
    rg = config.block_for("azurerm_resource_group.rg")
    assert rg is not None
    # CDK's "//" metadata is a comment to Terraform, not an argument.
    assert rg.body == {"location": "westeurope", "name": "${var.prefix}-rg", "tags": {"env": "dev"}}
    logs = config.block_for("azurerm_storage_account.logs")
    assert logs is not None and logs.ignore_changes == ("tags",)
    prefix = config.variable("prefix")
    assert prefix is not None and (prefix.default, prefix.line) == ("dev", 72)


def _add_stack(root: Path, name: str) -> None:
    source = root / "cdktf.out" / "stacks" / "dev" / "cdk.tf.json"
    target = root / "cdktf.out" / "stacks" / name / "cdk.tf.json"
    target.parent.mkdir(parents=True)
    doc = json.loads(source.read_text())
    doc["//"]["metadata"]["stackName"] = name
    doc["resource"]["azurerm_resource_group"]["rg"]["name"] = f"{name}-rg"
    target.write_text(json.dumps(doc, indent=2))


def test_several_cdk_stacks_need_a_name(tmp_path: Path) -> None:
    root = _copy("cdk", tmp_path)
    _add_stack(root, "prod")
    assert _fail(root) == f"{root}: cdktf.out holds 2 stacks (dev, prod); choose one"
    prod = load_config(root, stack="prod")
    assert prod.stack == "prod"
    rg = prod.block_for("azurerm_resource_group.rg")
    assert rg is not None
    assert (rg.file, rg.body["name"]) == ("cdktf.out/stacks/prod/cdk.tf.json", "prod-rg")
    assert _fail(root, "staging") == f'{root}: no CDK stack "staging" in cdktf.out (stacks: dev, prod)'


def test_cdk_project_never_synthesized(tmp_path: Path) -> None:
    root = _copy("cdk", tmp_path)
    shutil.rmtree(root / "cdktf.out")
    assert _fail(root) == f"{root}: no Terraform configuration (*.tf, *.tf.json or cdktf.out) found"
    assert _fail(root, "dev") == f"{root}: no CDK stacks (cdktf.out/stacks/*/cdk.tf.json) found"


def test_corrupt_cdk_output(tmp_path: Path) -> None:
    root = _copy("cdk", tmp_path)
    stack = root / "cdktf.out" / "stacks" / "dev" / "cdk.tf.json"
    stack.write_text(stack.read_text()[:600])
    assert _fail(root).startswith("cdktf.out/stacks/dev/cdk.tf.json:")
