"""One instance of a count or for_each resource drifted: it gets its own value, the others keep theirs.

Each test writes a fleet, codifies one instance's drift and checks the exact text: a conditional on
``count.index`` / ``each.key`` in front of the shared expression (which stays as written), a ``dynamic``
block for a nested block gone or new on one instance, and the reason when rules cannot.
"""

from __future__ import annotations

from pathlib import Path

from rule_edits import changed
from rule_edits import declined
from rule_edits import only
from rule_edits import propose
from rule_edits import write

VARIABLES = """\
variable "vm_size" {
  type    = string
  default = "Standard_B1s"
}

variable "tags" {
  type    = map(string)
  default = {}
}
"""

FLEET = """\
resource "azurerm_linux_virtual_machine" "web" {
  count                 = 3
  name                  = "web-${count.index}"
  resource_group_name   = "demo-rg"
  location              = "westeurope"
  size                  = var.vm_size
  admin_username        = "azureuser"
  network_interface_ids = ["nic"]
  tags                  = var.tags

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }

  # Serial console logs, in the managed storage account.
  boot_diagnostics {
    # no storage_account_uri: managed
  }
}
"""

BY_KEY = FLEET.replace(
    '  count                 = 3\n  name                  = "web-${count.index}"',
    '  for_each              = toset(["api", "web", "worker"])\n  name                  = each.key',
)

VM = "azurerm_linux_virtual_machine.web"


def fleet(tmp_path: Path, main: str = FLEET) -> Path:
    return write(tmp_path, {"main.tf": main, "variables.tf": VARIABLES})


# -- arguments --------------------------------------------------------------------------------------------


def test_one_count_instance_gets_its_own_size_in_front_of_the_shared_value(tmp_path: Path) -> None:
    root = fleet(tmp_path)
    edit = only(propose(root, changed(f"{VM}[1]", ("size", "Standard_B1s", "Standard_B2s"))))
    assert edit.after == FLEET.replace(
        "  size                  = var.vm_size",
        '  size                  = count.index == 1 ? "Standard_B2s" : var.vm_size',
    )
    # Another instance drifts later: a branch in front; the same one again: its branch is rewritten.
    only(propose(root, changed(f"{VM}[2]", ("size", "Standard_B1s", "Standard_B4ms"))))
    only(propose(root, changed(f"{VM}[1]", ("size", "Standard_B2s", "Standard_B1ms"))))
    assert (root / "main.tf").read_text() == FLEET.replace(
        "  size                  = var.vm_size",
        '  size                  = count.index == 2 ? "Standard_B4ms" : '
        'count.index == 1 ? "Standard_B1ms" : var.vm_size',
    )
    assert (root / "variables.tf").read_text() == VARIABLES  # the shared default stays


def test_one_for_each_instance_gets_its_own_size_and_tags(tmp_path: Path) -> None:
    root = fleet(tmp_path, BY_KEY)
    drift = changed(f'{VM}["web"]', ("size", "Standard_B1s", "Standard_B2s"), ("tags.owner", None, "bob"))
    only(propose(root, drift))
    once = BY_KEY.replace(
        "  size                  = var.vm_size",
        '  size                  = each.key == "web" ? "Standard_B2s" : var.vm_size',
    ).replace(
        "  tags                  = var.tags",
        '  tags                  = each.key == "web" ? merge(var.tags, { owner = "bob" }) : var.tags',
    )
    assert (root / "main.tf").read_text() == once
    only(propose(root, changed(f'{VM}["api"]', ("size", "Standard_B1s", "Standard_B4ms"))))
    only(propose(root, changed(f'{VM}["web"]', ("tags.owner", "bob", "carol"), ("tags.cost", None, "7"))))
    assert (root / "main.tf").read_text() == once.replace(
        '"web" ? "Standard_B2s" : var.vm_size',
        '"api" ? "Standard_B4ms" : each.key == "web" ? "Standard_B2s" : var.vm_size',
    ).replace('{ owner = "bob" }', '{ cost = "7", owner = "carol" }')


def test_one_count_instance_gets_its_changed_and_added_tags_merged(tmp_path: Path) -> None:
    root = fleet(tmp_path)
    drift = changed(f"{VM}[0]", ("tags.owner", "platform-team", "alice"), ("tags.ticket", None, "INC-42"))
    only(propose(root, drift))
    once = FLEET.replace(
        "  tags                  = var.tags",
        '  tags                  = count.index == 0 ? merge(var.tags, { owner = "alice", ticket = "INC-42" })'
        " : var.tags",
    )
    assert (root / "main.tf").read_text() == once
    only(propose(root, changed(f"{VM}[0]", ("tags.owner", "alice", "bob"))))
    assert (root / "main.tf").read_text() == once.replace('"alice"', '"bob"')
    assert declined(root, changed(f"{VM}[1]", ("tags.environment", "demo", None))) == (
        f"{VM}[1].tags: environment removed live; rules only add or change keys for one instance"
    )


def test_tags_already_merged_get_one_more_argument_for_the_instance(tmp_path: Path) -> None:
    main = BY_KEY.replace("= var.tags", "= merge(var.tags, { role = each.key })")
    root = fleet(tmp_path, main)
    only(propose(root, changed(f'{VM}["api"]', ("tags.role", "api", "gateway"))))
    assert (root / "main.tf").read_text() == main.replace(
        "= merge(var.tags, { role = each.key })",
        '= each.key == "api" ? merge(var.tags, { role = each.key }, { role = "gateway" }) '
        ": merge(var.tags, { role = each.key })",
    )


def test_an_argument_of_a_nested_block_on_one_instance(tmp_path: Path) -> None:
    root = fleet(tmp_path)
    edit = only(propose(root, changed(f"{VM}[1]", ("os_disk.0.caching", "ReadWrite", "ReadOnly"))))
    assert edit.after == FLEET.replace(
        'caching              = "ReadWrite"',
        'caching              = count.index == 1 ? "ReadOnly" : "ReadWrite"',
    )


def test_an_argument_set_on_one_instance_only_is_null_for_the_others(tmp_path: Path) -> None:
    root = fleet(tmp_path, BY_KEY)
    edit = only(propose(root, changed(f'{VM}["worker"]', ("os_disk.0.disk_size_gb", 30, 64))))
    assert edit.after == BY_KEY.replace(
        '    storage_account_type = "Standard_LRS"\n',
        '    storage_account_type = "Standard_LRS"\n'
        '    disk_size_gb         = each.key == "worker" ? 64 : null\n',
    )


# -- nested blocks ----------------------------------------------------------------------------------------

DYNAMIC = """\
  dynamic "boot_diagnostics" {
    for_each = TEST ? [] : [1]
    content {
      # no storage_account_uri: managed
    }
  }
"""


def test_a_block_gone_on_one_instance_becomes_dynamic_for_that_instance(tmp_path: Path) -> None:
    written = "  boot_diagnostics {\n    # no storage_account_uri: managed\n  }\n"
    root = fleet(tmp_path)
    drift = changed(f"{VM}[2]", ("boot_diagnostics", [{"storage_account_uri": None}], []))
    edit = only(propose(root, drift))
    assert edit.after == FLEET.replace(written, DYNAMIC.replace("TEST", "count.index == 2"))
    # The comment above the block stays above it; the other instances keep the block as written.
    assert "  # Serial console logs, in the managed storage account.\n  dynamic" in edit.after

    root = fleet(tmp_path / "by-key", BY_KEY)
    edit = only(propose(root, changed(f'{VM}["worker"]', ("boot_diagnostics.0", {}, None))))
    assert edit.after == BY_KEY.replace(written, DYNAMIC.replace("TEST", 'each.key == "worker"'))


def test_a_block_that_appeared_on_one_instance_is_dynamic_for_that_instance(tmp_path: Path) -> None:
    main = FLEET.replace(
        "\n  # Serial console logs, in the managed storage account.\n  boot_diagnostics {\n"
        "    # no storage_account_uri: managed\n  }\n",
        "",
    )
    root = fleet(tmp_path, main)
    uri = "https://diag.blob.core.windows.net/"
    drift = changed(f"{VM}[0]", ("boot_diagnostics", [], [{"storage_account_uri": uri}]))
    edit = only(propose(root, drift))
    assert edit.after == main.replace(
        '    storage_account_type = "Standard_LRS"\n  }\n',
        '    storage_account_type = "Standard_LRS"\n  }\n\n'
        '  dynamic "boot_diagnostics" {\n'
        "    for_each = count.index == 0 ? [1] : []\n"
        "    content {\n"
        f'      storage_account_uri = "{uri}"\n'
        "    }\n"
        "  }\n",
    )


def test_blocks_rules_cannot_give_one_instance_are_declined_with_the_reason(tmp_path: Path) -> None:
    gone = ("boot_diagnostics", [{"storage_account_uri": None}], [])
    root = fleet(tmp_path)
    (root / "main.tf").write_text(
        FLEET.replace(
            "  boot_diagnostics {\n    # no storage_account_uri: managed\n  }\n",
            '  dynamic "boot_diagnostics" {\n    for_each = [1]\n    content {}\n  }\n',
        )
    )
    assert (
        declined(root, changed(f"{VM}[2]", gone)) == f"{VM}[2].boot_diagnostics is written as a dynamic block"
    )
    (root / "main.tf").write_text(FLEET.replace("boot_diagnostics {\n", "boot_diagnostics { # one line\n"))
    assert declined(root, changed(f"{VM}[2]", gone)) == (
        f"{VM}[2].boot_diagnostics: its braces share lines with what is inside"
    )
    (root / "main.tf").write_text(FLEET)
    keys = ("admin_ssh_key", [{"username": "a", "public_key": "k"}], [])
    assert declined(root, changed(f"{VM}[1]", keys)) == (
        f"{VM}[1].admin_ssh_key: rules give one instance its own blocks only for list blocks"
    )
    ids = ("network_interface_ids", ["nic"], ["nic", "nic-2"])
    assert declined(root, changed(f"{VM}[1]", ids)) == (
        f"{VM}[1].network_interface_ids: rules give one instance its own value only for arguments "
        "with one value, tags and nested blocks"
    )


def test_an_instance_key_that_does_not_fit_the_block_is_declined(tmp_path: Path) -> None:
    root = fleet(tmp_path, BY_KEY)
    assert declined(root, changed(f"{VM}[1]", ("size", "Standard_B1s", "Standard_B2s"))) == (
        f"{VM} uses for_each: its arguments are shared by every instance, and only {VM}[1] drifted"
    )
    weird = BY_KEY.replace("= var.vm_size", '= each.key == "a" || each.key == "b" ? "B2" : var.vm_size')
    (root / "main.tf").write_text(weird)
    assert declined(root, changed(f'{VM}["api"]', ("size", "B2", "B4"))) == (
        f'{VM}["api"].size is a conditional on the instance that rules cannot extend'
    )
