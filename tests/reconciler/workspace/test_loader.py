from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reconciler.errors import ReconcileError
from reconciler.errors import WorkspaceError
from reconciler.workspace import Configuration
from reconciler.workspace import load_config

FIXTURES = Path(__file__).with_name("fixtures")
EXAMPLE = Path(__file__).parents[3] / "examples" / "azure-vm"


def _copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


@pytest.fixture
def hcl(tmp_path: Path) -> Configuration:
    return load_config(_copy("hcl", tmp_path))


def _fail(root: Path) -> str:
    with pytest.raises(WorkspaceError) as info:
        load_config(root)
    message = str(info.value)
    assert "\n" not in message
    assert isinstance(info.value, ReconcileError) and info.value.exit_code == 1
    return message


def test_every_block_of_every_file_and_module_with_its_span(hcl: Configuration) -> None:
    spans = {b.address: (b.file, b.line, b.end_line) for b in hcl.blocks}
    assert spans == {
        "azurerm_resource_group.main": ("main.tf", 2, 6),
        "azurerm_public_ip.web": ("main.tf", 8, 14),
        "azurerm_managed_disk.data": ("main.tf", 16, 32),
        "data.azurerm_client_config.current": ("main.tf", 45, 45),
        "azurerm_linux_virtual_machine.web": ("vm.tf", 1, 35),
        "azurerm_storage_account.logs": ("vm.tf", 37, 47),
        "module.network.azurerm_virtual_network.this": ("modules/network/main.tf", 4, 9),
        "module.network.module.subnets.azurerm_subnet.this": (
            "modules/network/modules/subnet/main.tf",
            6,
            11,
        ),
    }
    subnet = hcl.block_for("module.network.module.subnets.azurerm_subnet.this")
    assert subnet is not None
    assert (subnet.mode, subnet.type, subnet.name, subnet.module_path) == (
        "managed",
        "azurerm_subnet",
        "this",
        ("network", "subnets"),
    )
    data = hcl.block_for("data.azurerm_client_config.current")
    assert data is not None and data.mode == "data" and data.body == {}


def test_bodies_are_plain_python_with_expressions_as_source_text(hcl: Configuration) -> None:
    rg = hcl.block_for("azurerm_resource_group.main")
    assert rg is not None
    assert rg.body == {"name": "${var.prefix}-rg", "location": "${var.location}", "tags": "${local.tags}"}
    disk = hcl.block_for("azurerm_managed_disk.data")
    assert disk is not None
    assert disk.body["tags"] == {"env": "dev", "cost-id": 42}
    assert disk.body["disk_size_gb"] == 32
    assert disk.arguments["disk_size_gb"] == (23, 23)
    assert disk.arguments["tags"] == (24, 27)
    vm = hcl.block_for("azurerm_linux_virtual_machine.web")
    assert vm is not None
    # Nested blocks are lists, as in state; a heredoc inside a call stays the call's source text.
    assert vm.body["os_disk"] == [{"caching": "ReadWrite", "storage_account_type": "Standard_LRS"}]
    assert vm.body["admin_ssh_key"] == [{"username": "adminuser", "public_key": "${var.admin_key}"}]
    assert vm.body["custom_data"] == "${base64encode(<<-EOT\n    #!/bin/sh\n    echo hello\n    EOT\n  )}"


def test_count_for_each_and_lifecycle_ignore_changes(hcl: Configuration) -> None:
    flags = {b.address: (b.has_count, b.has_for_each, b.ignore_changes) for b in hcl.blocks}
    assert flags["azurerm_public_ip.web"] == (True, False, ())
    assert flags["azurerm_managed_disk.data"] == (False, True, ("tags.owner", "disk_size_gb"))
    assert flags["azurerm_linux_virtual_machine.web"] == (True, False, ("tags",))
    assert flags["azurerm_storage_account.logs"] == (False, False, "all")


@pytest.mark.parametrize(
    ("state_address", "block"),
    [
        ("azurerm_resource_group.main", "azurerm_resource_group.main"),
        ("azurerm_public_ip.web[1]", "azurerm_public_ip.web"),
        ('azurerm_managed_disk.data["logs"]', "azurerm_managed_disk.data"),
        ('azurerm_managed_disk.data["a.b[0]"]', "azurerm_managed_disk.data"),
        ("data.azurerm_client_config.current", "data.azurerm_client_config.current"),
        (
            'module.network.module.subnets["web"].azurerm_subnet.this',
            "module.network.module.subnets.azurerm_subnet.this",
        ),
    ],
)
def test_state_addresses_map_to_their_block(hcl: Configuration, state_address: str, block: str) -> None:
    found = hcl.block_for(state_address)
    assert found is not None and found.address == block


@pytest.mark.parametrize(
    "address", ["azurerm_public_ip.other[0]", "module.other.azurerm_subnet.this", "not an address", ""]
)
def test_addresses_without_a_block(hcl: Configuration, address: str) -> None:
    assert hcl.block_for(address) is None


def test_variables_locals_and_tfvars_where_they_are_defined(hcl: Configuration) -> None:
    prefix = hcl.variable("prefix")
    assert prefix is not None
    assert (prefix.default, prefix.type, prefix.file, prefix.line, prefix.default_span) == (
        "demo",
        "string",
        "variables.tf",
        1,
        (3, 3),
    )
    key = hcl.variable("admin_key")
    assert key is not None and not key.has_default and key.sensitive
    assert hcl.variable("name", ("network", "subnets")) is not None
    assert [(x.name, x.value, x.file, x.line) for x in hcl.locals] == [
        ("tags", {"env": "dev", "owner": "platform"}, "variables.tf", 22),
        ("suffix", "${var.prefix}-x", "variables.tf", 26),
    ]
    # terraform.tfvars first, then *.auto.tfvars: the later entry wins.
    assert [(e.name, e.value, e.file, e.line) for e in hcl.tfvars] == [
        ("prefix", "acme", "terraform.tfvars", 1),
        ("vm_count", 2, "terraform.tfvars", 2),
        ("location", "northeurope", "prod.auto.tfvars", 2),
        ("vm_count", 3, "prod.auto.tfvars", 4),
    ]
    winner = hcl.tfvar("vm_count")
    assert winner is not None and (winner.value, winner.file) == (3, "prod.auto.tfvars")
    assert hcl.tfvar("admin_key") is None


def test_module_calls_and_a_registry_module_reported_not_loaded(hcl: Configuration) -> None:
    calls = {m.address: (m.source, m.directory, m.has_for_each, m.file, m.line) for m in hcl.modules}
    assert calls == {
        "module.network": ("./modules/network", "modules/network", False, "main.tf", 34),
        "module.network.module.subnets": (
            "./modules/subnet",
            "modules/network/modules/subnet",
            True,
            "modules/network/main.tf",
            11,
        ),
        "module.naming": ("Azure/naming/azurerm", None, False, "main.tf", 40),
    }
    [warning] = hcl.warnings
    assert warning.startswith('main.tf:40: module.naming: source "Azure/naming/azurerm" is not local')
    assert hcl.files == (
        "main.tf",
        "variables.tf",
        "vm.tf",
        "modules/network/main.tf",
        "modules/network/modules/subnet/main.tf",
        "terraform.tfvars",
        "prod.auto.tfvars",
    )


def test_a_module_terraform_init_installed_is_loaded(tmp_path: Path) -> None:
    root = _copy("hcl", tmp_path)
    installed = root / ".terraform" / "modules" / "naming"
    installed.mkdir(parents=True)
    (installed / "main.tf").write_text('resource "random_string" "suffix" {\n  length = 4\n}\n')
    (root / ".terraform" / "modules" / "modules.json").write_text(
        '{"Modules":[{"Key":"","Source":"","Dir":"."},'
        '{"Key":"naming","Source":"registry.terraform.io/Azure/naming/azurerm","Version":"0.4.0",'
        '"Dir":".terraform/modules/naming"}]}'
    )
    config = load_config(root)
    block = config.block_for("module.naming.random_string.suffix")
    assert block is not None and block.file == ".terraform/modules/naming/main.tf"
    assert config.warnings == ()


def test_one_module_called_twice_is_loaded_under_both_paths(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "mod").mkdir(parents=True)
    (root / "mod" / "main.tf").write_text('resource "azurerm_resource_group" "this" {\n  name = "x"\n}\n')
    (root / "main.tf").write_text(
        'module "a" {\n  source = "./mod"\n}\nmodule "b" {\n  source = "../ws/mod"\n  count = 2\n}\n'
    )
    config = load_config(root)
    assert [b.address for b in config.blocks] == [
        "module.a.azurerm_resource_group.this",
        "module.b.azurerm_resource_group.this",
    ]
    assert config.files == ("main.tf", "mod/main.tf")
    block = config.block_for("module.b[1].azurerm_resource_group.this")
    assert block is not None and block.module_path == ("b",)


def test_override_files_merge_into_the_block_they_override(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "main.tf").write_text(
        'resource "azurerm_resource_group" "main" {\n  name     = "rg"\n  location = "westeurope"\n}\n'
    )
    (root / "main_override.tf").write_text(
        'resource "azurerm_resource_group" "main" {\n  location = "eastus"\n}\n'
    )
    [block] = load_config(root).blocks
    assert block.body == {"name": "rg", "location": "eastus"}
    assert (block.file, block.line, block.end_line) == ("main.tf", 1, 4)
    assert "location" not in block.arguments  # its text is no longer where main.tf says


def test_the_shipped_example_loads(tmp_path: Path) -> None:
    root = Path(shutil.copytree(EXAMPLE, tmp_path / "azure-vm"))
    config = load_config(root)
    assert config.blocks and config.warnings == ()
    for block in config.blocks:
        text = (root / block.file).read_text().splitlines()
        assert text[block.line - 1].startswith(
            f'{"data" if block.mode == "data" else "resource"} "{block.type}"'
        )
        assert text[block.end_line - 1].rstrip().endswith("}")


# -- bad input -------------------------------------------------------------------------------------


def test_hcl_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    root = _copy("hcl", tmp_path)
    lines = (root / "vm.tf").read_text().splitlines()
    lines[16] = "    public_key = = var.admin_key"  # line 17
    (root / "vm.tf").write_text("\n".join(lines) + "\n")
    assert _fail(root) == "vm.tf:17: HCL syntax error: unexpected '='"


def test_syntax_error_in_a_module_names_the_module_file(tmp_path: Path) -> None:
    root = _copy("hcl", tmp_path)
    path = root / "modules" / "network" / "modules" / "subnet" / "main.tf"
    path.write_text(path.read_text() + "\nresource {\n")
    assert _fail(root) == (
        "modules/network/modules/subnet/main.tf:13: HCL syntax error: "
        "unexpected end of file (unclosed block, bracket or string?)"
    )


def test_syntax_error_in_tfvars(tmp_path: Path) -> None:
    root = _copy("hcl", tmp_path)
    (root / "terraform.tfvars").write_text('prefix = "acme"\nvm_count = = 2\n')
    assert _fail(root).startswith("terraform.tfvars:2: HCL syntax error: ")


def test_empty_directory(tmp_path: Path) -> None:
    assert _fail(tmp_path) == f"{tmp_path}: no Terraform configuration (*.tf, *.tf.json or cdktf.out) found"


def test_not_a_directory(tmp_path: Path) -> None:
    assert _fail(tmp_path / "missing") == f"{tmp_path / 'missing'}: not a directory"


def test_missing_module_source(tmp_path: Path) -> None:
    root = _copy("hcl", tmp_path)
    shutil.rmtree(root / "modules" / "network" / "modules")
    assert (
        _fail(root)
        == 'modules/network/main.tf:11: module "subnets": source "./modules/subnet" does not exist'
    )


def test_module_that_includes_itself(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('module "loop" {\n  source = "./"\n}\n')
    assert _fail(tmp_path) == 'main.tf:1: module "loop": source "./" includes itself'


def test_duplicate_resource(tmp_path: Path) -> None:
    root = _copy("hcl", tmp_path)
    (root / "web.tf").write_text('\n\nresource "azurerm_public_ip" "web" {\n}\n')
    assert _fail(root) == "web.tf:3: duplicate resource azurerm_public_ip.web (first declared at main.tf:8)"


def test_duplicate_argument(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "azurerm_resource_group" "rg" {\n  name = "a"\n  name = "b"\n}\n'
    )
    assert _fail(tmp_path) == 'main.tf:3: duplicate argument "name" (first at line 2)'


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('\nresource "azurerm_resource_group" {\n}\n', "main.tf:2: a resource block takes a type and a name"),
        ('variable "a" "b" {\n}\n', "main.tf:1: a variable block takes a name"),
        ('module {\n  source = "./m"\n}\n', "main.tf:1: a module block takes a name"),
    ],
)
def test_blocks_with_the_wrong_labels(tmp_path: Path, source: str, message: str) -> None:
    (tmp_path / "main.tf").write_text(source)
    assert _fail(tmp_path) == message + " (as labels)"


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_bytes(b'resource "a" "b" {\n  name = "\xff"\n}\n')
    assert _fail(tmp_path).startswith("main.tf: not UTF-8 text")
