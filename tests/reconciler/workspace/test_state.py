from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import TerraformError
from reconciler.errors import WorkspaceError
from reconciler.terraform import EmbeddedEngine
from reconciler.terraform import Terraform
from reconciler.workspace import StateSnapshot
from reconciler.workspace import load_config
from reconciler.workspace import parse_address
from reconciler.workspace import read_state_file
from reconciler.workspace import state_from_show_json

FIXTURES = Path(__file__).with_name("fixtures")

# What Terraform 1.15 itself prints for the "applied" fixture (terraform state list order).
ADDRESSES = [
    "data.terraform_remote_state.shared",
    "terraform_data.counted[0]",
    "terraform_data.counted[1]",
    'terraform_data.keyed["caf\u00e9"]',
    'terraform_data.keyed["cost$${x}"]',
    'terraform_data.keyed["db.primary"]',
    'terraform_data.keyed["say \\"hi\\""]',
    'terraform_data.keyed["tab\\there"]',
    'terraform_data.keyed["web"]',
    "terraform_data.password",
    "terraform_data.ssh",
    "terraform_data.tagged",
    "module.app[0].terraform_data.this",
    "module.app[0].module.worker.terraform_data.queue",
    "module.app[1].terraform_data.this",
    "module.app[1].module.worker.terraform_data.queue",
    'module.regional["northeurope"].terraform_data.this',
    'module.regional["northeurope"].module.worker.terraform_data.queue',
    'module.regional["westeurope"].terraform_data.this',
    'module.regional["westeurope"].module.worker.terraform_data.queue',
]


class Applied:
    def __init__(self, project: Path, show: dict[str, Any]) -> None:
        self.project = project
        self.show = show


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Applied]:
    project = Path(shutil.copytree(FIXTURES / "applied", tmp_path_factory.mktemp("state") / "applied"))
    with Terraform(EmbeddedEngine()) as tf:
        tf.init(project)
        tf.apply(project)
        yield Applied(project, tf.show_state_json(project))


def test_show_json_addresses_are_terraforms(applied: Applied) -> None:
    state = state_from_show_json(applied.show)
    assert [r.address for r in state.resources] == ADDRESSES
    assert state.terraform_version.startswith("1.15.")
    assert (state.serial, state.lineage) == (None, None)  # show -json does not say


def test_state_file_gives_the_same_records_as_show_json(applied: Applied) -> None:
    from_show = state_from_show_json(applied.show)
    from_file = read_state_file(applied.project / "terraform.tfstate")
    assert from_file.resources == from_show.resources
    raw = json.loads((applied.project / "terraform.tfstate").read_text())
    assert (from_file.serial, from_file.lineage) == (raw["serial"], raw["lineage"])
    assert from_file.terraform_version == from_show.terraform_version


def test_records_carry_terraforms_values_keys_and_modules(applied: Applied) -> None:
    by_address = read_state_file(applied.project / "terraform.tfstate").by_address()
    counted = by_address["terraform_data.counted[1]"]
    assert (counted.mode, counted.type, counted.name, counted.module, counted.index_key) == (
        "managed",
        "terraform_data",
        "counted",
        "",
        1,
    )
    assert counted.values["input"] == "vm-1" and counted.values["output"] == "vm-1"
    assert counted.provider == "terraform.io/builtin/terraform"
    keyed = by_address['terraform_data.keyed["cost$${x}"]']
    assert keyed.index_key == "cost${x}"
    assert keyed.values["input"] == {"key": "cost${x}", "sizes": [1, 2], "secret": "pw-cost${x}"}
    tagged = by_address["terraform_data.tagged"]
    assert tagged.values["input"] == {
        "tags": {"env": "dev", "cost": "42"},
        "disks": [{"size": 32}, {"size": 64}],
    }
    assert tagged.values["triggers_replace"] == ["v1"]
    queue = by_address['module.regional["westeurope"].module.worker.terraform_data.queue']
    assert queue.module == 'module.regional["westeurope"].module.worker'
    assert queue.values["input"] == ["weu-queue", True, 3]
    shared = by_address["data.terraform_remote_state.shared"]
    assert shared.mode == "data"
    assert shared.values["outputs"] == {"subscription": "00000000-0000-0000-0000-000000000000"}


def test_sensitive_attributes_become_dotted_paths(applied: Applied) -> None:
    for state in (
        state_from_show_json(applied.show),
        read_state_file(applied.project / "terraform.tfstate"),
    ):
        by_address = state.by_address()
        password = by_address["terraform_data.password"]
        assert password.sensitive_paths == ("input",)
        assert password.is_sensitive("input") and not password.is_sensitive("output")
        ssh = by_address["terraform_data.ssh"]
        assert ssh.sensitive_paths == ("input.by_name.api", "input.keys.1")
        assert ssh.is_sensitive("input.keys.1") and not ssh.is_sensitive("input.keys.0")
        assert by_address['terraform_data.keyed["web"]'].sensitive_paths == ("input.secret",)
        assert by_address["terraform_data.counted[0]"].sensitive_paths == ()


def test_every_state_address_finds_its_configuration_block(applied: Applied) -> None:
    config = load_config(applied.project)
    state = read_state_file(applied.project / "terraform.tfstate")
    where = {}
    for resource in state.resources:
        block = config.block_for(resource.address)
        assert block is not None, resource.address
        assert block.address == resource.config_address
        where[resource.config_address] = (block.file, block.line)
    assert where["module.regional.module.worker.terraform_data.queue"] == (
        "modules/app/modules/worker/main.tf",
        5,
    )
    assert where["terraform_data.keyed"] == ("main.tf", 7)
    counted = config.block_for("terraform_data.counted[0]")
    keyed = config.block_for('terraform_data.keyed["web"]')
    assert counted is not None and counted.has_count
    assert keyed is not None and keyed.has_for_each


def test_addresses_parse_and_print_back_unchanged(applied: Applied) -> None:
    for address in ADDRESSES:
        assert str(parse_address(address)) == address


def test_no_state_yet() -> None:
    # What show -json prints before the first apply.
    assert state_from_show_json({"format_version": "1.0"}) == StateSnapshot(None, None, "", ())


def test_show_json_of_an_unknown_format_is_refused() -> None:
    with pytest.raises(TerraformError, match=r"unsupported format_version '2\.0'"):
        state_from_show_json({"format_version": "2.0", "values": {}})


# -- bad state files -------------------------------------------------------------------------------


@pytest.fixture
def real_state(applied: Applied, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # Messages name the file as the user gave it: work where a bare name is how they would.
    monkeypatch.chdir(tmp_path)
    return (applied.project / "terraform.tfstate").read_text()


def _fail(text: str | bytes) -> str:
    path = Path("terraform.tfstate")
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    with pytest.raises(WorkspaceError) as info:
        read_state_file(path)
    assert "\n" not in str(info.value)
    return str(info.value)


def test_truncated_state(real_state: str) -> None:
    cut = real_state[: len(real_state) // 2]
    assert _fail(cut) == f"terraform.tfstate:{cut.count(chr(10)) + 1}: truncated state file (JSON ends early)"


def test_corrupt_state(real_state: str) -> None:
    lines = real_state.splitlines()
    lines[9] = lines[9].replace('":', '" !')
    assert _fail("\n".join(lines)).startswith(
        "terraform.tfstate:10: corrupt state file: Expecting ':' delimiter"
    )


def test_unsupported_state_version() -> None:
    v3 = {
        "version": 3,
        "terraform_version": "0.11.14",
        "serial": 4,
        "lineage": "0b5bd8bb-0f3c-4a0d-8e4b-3f1f8b0e0f3a",
        "modules": [{"path": ["root"], "outputs": {}, "resources": {}, "depends_on": []}],
    }
    assert _fail(json.dumps(v3, indent=4)) == "terraform.tfstate: state version 3 is not supported (need 4)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('resource "a" "b" {}\n', "terraform.tfstate: not a Terraform state file (not JSON)"),
        (b"\x1f\x8b\x08\x00\xff\xfe", "terraform.tfstate: not a Terraform state file (not JSON text)"),
        ("", "terraform.tfstate: empty file, not a Terraform state"),
        ('{"resources": []}', 'terraform.tfstate: not a Terraform state file (no "version")'),
        ("[4]", 'terraform.tfstate: not a Terraform state file (no "version")'),
        (
            '{"version": 4, "resources": [{"mode": "managed", "type": "a", "name": "b"}]}',
            "terraform.tfstate: corrupt state: resources[0] is malformed (missing 'instances')",
        ),
        ('{"version": 4, "resources": {}}', 'terraform.tfstate: corrupt state: "resources" is not a list'),
    ],
)
def test_files_that_are_not_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: Any, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _fail(content) == message


def test_missing_state_file(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match=r"terraform\.tfstate: no such state file$"):
        read_state_file(tmp_path / "terraform.tfstate")


# -- scale -----------------------------------------------------------------------------------------


def _vm(i: int) -> dict[str, Any]:
    name = f"vm-{i:05d}"
    rg = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/scale-rg"
    return {
        "index_key": name,
        "schema_version": 0,
        "attributes": {
            "id": f"{rg}/providers/Microsoft.Compute/virtualMachines/{name}",
            "name": name,
            "location": "westeurope",
            "resource_group_name": "scale-rg",
            "size": "Standard_B1s",
            "priority": "Regular",
            "admin_username": "adminuser",
            "tags": {"env": "dev", "owner": "platform", "cost-center": "42"},
            "network_interface_ids": [f"{rg}/providers/Microsoft.Network/networkInterfaces/{name}-nic"],
            "os_disk": [{"caching": "ReadWrite", "storage_account_type": "Standard_LRS", "disk_size_gb": 30}],
            "admin_ssh_key": [{"username": "adminuser", "public_key": "ssh-rsa " + "A" * 380}],
            "boot_diagnostics": [],
            "custom_data": None,
        },
        "sensitive_attributes": [[{"type": "get_attr", "value": "custom_data"}]],
        "identity_schema_version": 0,
        "private": "eyJzY2hlbWFfdmVyc2lvbiI6IjAifQ==",
        "dependencies": ["azurerm_network_interface.nic"],
    }


def test_reading_a_10000_resource_state_file_is_quick(tmp_path: Path) -> None:
    resources = [
        {
            "module": f'module.region["r{m}"]',
            "mode": "managed",
            "type": "azurerm_linux_virtual_machine",
            "name": "web",
            "provider": 'provider["registry.terraform.io/hashicorp/azurerm"]',
            "instances": [_vm(m * 1000 + i) for i in range(1000)],
        }
        for m in range(10)
    ]
    doc = {"version": 4, "terraform_version": "1.15.5", "serial": 7, "lineage": "x", "resources": resources}
    path = tmp_path / "terraform.tfstate"
    path.write_text(json.dumps(doc, indent=2))  # as Terraform writes it
    started = time.perf_counter()
    state = read_state_file(path)
    elapsed = time.perf_counter() - started
    assert len(state.resources) == 10_000
    assert state.resources[-1].address == 'module.region["r9"].azurerm_linux_virtual_machine.web["vm-09999"]'
    assert state.resources[0].sensitive_paths == ("custom_data",)
    assert elapsed < 2.0, f"{elapsed:.2f} s"
