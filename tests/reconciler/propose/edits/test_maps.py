"""Map arguments read from shared values: the drifted resource alone gets ``merge(<shared>, { ... })``.

A variable or local that other resources read stays exactly as written, so they plan no change; a map
only the drifted resource reads is still edited where it is written.
"""

from __future__ import annotations

from pathlib import Path

from rule_edits import changed
from rule_edits import declined
from rule_edits import only
from rule_edits import propose
from rule_edits import write

LOCALS = """\
locals {
  tags = {
    environment = "demo"
    owner       = "platform-team"
  }
  web = merge(local.tags, {
    tier = "web"
  })
}
"""

MAIN = """\
resource "azurerm_resource_group" "main" {
  name     = "demo-rg"
  location = "westeurope"
  tags     = local.tags
}

resource "azurerm_virtual_network" "main" {
  name                = "demo-vnet"
  address_space       = ["10.0.0.0/16"]
  location            = "westeurope"
  resource_group_name = "demo-rg"
  tags                = local.tags
}

resource "azurerm_public_ip" "web" {
  name                = "web-pip"
  location            = "westeurope"
  resource_group_name = "demo-rg"
  allocation_method   = "Static"
  tags                = local.web
}

resource "azurerm_public_ip" "api" {
  name                = "api-pip"
  location            = "westeurope"
  resource_group_name = "demo-rg"
  allocation_method   = "Static"
  tags                = merge(local.tags, { tier = "api" })
}
"""


def workspace(tmp_path: Path) -> Path:
    return write(tmp_path, {"main.tf": MAIN, "locals.tf": LOCALS})


def test_a_tag_on_one_reader_of_a_shared_local_is_merged_on_that_resource(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    drift = changed("azurerm_virtual_network.main", ("tags.cost-center", None, "42"))
    edit = only(propose(root, drift))
    assert edit.after == MAIN.replace(
        '  resource_group_name = "demo-rg"\n  tags                = local.tags\n',
        '  resource_group_name = "demo-rg"\n'
        '  tags                = merge(local.tags, { "cost-center" = "42" })\n',
    )
    # The same resource drifts again: its own object gets the keys, the local still stays.
    only(propose(root, changed("azurerm_virtual_network.main", ("tags.cost-center", "42", "43"))))
    only(propose(root, changed("azurerm_virtual_network.main", ("tags.owner", "platform-team", "bob"))))
    # (keys written quoted stay quoted, new ones with them)
    assert '  tags                = merge(local.tags, { "cost-center" = "43", "owner" = "bob" })\n' in (
        (root / "main.tf").read_text()
    )
    assert (root / "locals.tf").read_text() == LOCALS


def test_a_merge_written_on_the_resource_gets_the_key_in_its_object(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    drift = changed("azurerm_public_ip.api", ("tags.tier", "api", "gateway"), ("tags.owner", None, "bob"))
    edit = only(propose(root, drift))
    assert edit.after == MAIN.replace(
        'merge(local.tags, { tier = "api" })', 'merge(local.tags, { tier = "gateway", owner = "bob" })'
    )


def test_a_merge_without_an_object_gets_one_more_argument(tmp_path: Path) -> None:
    main = MAIN.replace('merge(local.tags, { tier = "api" })', "merge(local.tags, var.extra)")
    root = write(tmp_path, {"main.tf": main, "locals.tf": LOCALS})
    edit = only(propose(root, changed("azurerm_public_ip.api", ("tags.owner", "platform-team", "bob"))))
    assert edit.after == main.replace(
        "merge(local.tags, var.extra)", 'merge(local.tags, var.extra, { owner = "bob" })'
    )


def test_a_merge_in_a_local_only_one_resource_reads_is_edited_there(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    edit = only(propose(root, changed("azurerm_public_ip.web", ("tags.tier", "web", "frontend"))))
    assert (edit.path, edit.after) == ("locals.tf", LOCALS.replace('"web"', '"frontend"'))


def test_a_key_removed_from_a_shared_or_merged_map_is_declined(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    drift = changed("azurerm_resource_group.main", ("tags.owner", "platform-team", None))
    assert declined(root, drift) == (
        "azurerm_resource_group.main.tags: owner removed live, and local.tags is also read by "
        "local.web (locals.tf:6): merge() cannot take a key away for one resource"
    )
    drift = changed("azurerm_public_ip.api", ("tags.tier", "api", None))
    assert declined(root, drift) == (
        "azurerm_public_ip.api.tags: tier removed live, and the map is a merge() of several: "
        "merge() cannot take a key away for one resource"
    )


def test_a_shared_variable_in_terraform_tfvars_stays_as_it_is(tmp_path: Path) -> None:
    variables = 'variable "tags" {\n  type = map(string)\n}\n'
    tfvars = 'tags = {\n  environment = "demo"\n}\n'
    main = MAIN.replace("local.tags", "var.tags")
    root = write(tmp_path, {"main.tf": main, "variables.tf": variables, "terraform.tfvars": tfvars})
    edit = only(propose(root, changed("azurerm_resource_group.main", ("tags.environment", "demo", "prod"))))
    assert edit.after == main.replace(
        '  location = "westeurope"\n  tags     = var.tags\n',
        '  location = "westeurope"\n  tags     = merge(var.tags, { environment = "prod" })\n',
    )
