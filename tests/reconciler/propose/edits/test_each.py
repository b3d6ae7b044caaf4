"""for_each over a map written as a literal: one instance's drift is written in its own entry.

The entry belongs to one instance, so editing it changes nothing else, unless another resource iterating
the same map reads that field too: then the instance gets a conditional and the map stays as written.
"""

from __future__ import annotations

from pathlib import Path

from rule_edits import changed
from rule_edits import only
from rule_edits import propose
from rule_edits import write

VARIABLES = """\
variable "vms" {
  description = "The fleet: one VM per key."
  type        = map(object({ size = string, zone = string }))
}
"""

TFVARS = """\
vms = {
  api = {
    size = "Standard_B1s" # small, for now
    zone = "1"
  }
  web = { size = "Standard_B1s", zone = "2" }
}
"""

MAIN = """\
resource "azurerm_network_interface" "vm" {
  for_each            = var.vms
  name                = "${each.key}-nic"
  location            = "westeurope"
  resource_group_name = "demo-rg"
}

resource "azurerm_linux_virtual_machine" "vm" {
  for_each              = var.vms
  name                  = each.key
  resource_group_name   = "demo-rg"
  location              = "westeurope"
  size                  = each.value.size
  zone                  = each.value["zone"]
  admin_username        = "azureuser"
  network_interface_ids = [azurerm_network_interface.vm[each.key].id]
}
"""

VM = "azurerm_linux_virtual_machine.vm"


def test_the_instances_entry_in_terraform_tfvars_is_edited(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": MAIN, "variables.tf": VARIABLES, "terraform.tfvars": TFVARS})
    edit = only(propose(root, changed(f'{VM}["api"]', ("size", "Standard_B1s", "Standard_B2s"))))
    assert (edit.path, edit.after) == (
        "terraform.tfvars",
        TFVARS.replace('"Standard_B1s" # small', '"Standard_B2s" # small'),
    )
    only(
        propose(root, changed(f'{VM}["web"]', ("zone", "2", "3"), ("size", "Standard_B1s", "Standard_B4ms")))
    )
    assert (root / "terraform.tfvars").read_text() == TFVARS.replace(
        '"Standard_B1s" # small', '"Standard_B2s" # small'
    ).replace('{ size = "Standard_B1s", zone = "2" }', '{ size = "Standard_B4ms", zone = "3" }')
    assert (root / "main.tf").read_text() == MAIN


def test_a_field_another_resource_reads_gets_a_conditional_instead(tmp_path: Path) -> None:
    main = MAIN.replace(
        '  name                = "${each.key}-nic"', '  name = "${each.key}-${each.value.zone}"'
    )
    root = write(tmp_path, {"main.tf": main, "variables.tf": VARIABLES, "terraform.tfvars": TFVARS})
    edit = only(propose(root, changed(f'{VM}["web"]', ("zone", "2", "3"))))
    assert edit.after == main.replace(
        '  zone                  = each.value["zone"]',
        '  zone                  = each.key == "web" ? "3" : each.value["zone"]',
    )
    # The size is read by the VMs alone: that still goes in the entry.
    edit = only(propose(root, changed(f'{VM}["web"]', ("size", "Standard_B1s", "Standard_B2s"))))
    assert edit.path == "terraform.tfvars"


def test_a_map_of_values_in_a_default_has_its_entry_edited(tmp_path: Path) -> None:
    variables = 'variable "sizes" {\n  type = map(string)\n  default = {\n    api = "Standard_B1s"\n  }\n}\n'
    main = (
        MAIN.replace("var.vms", "var.sizes")
        .replace("each.value.size", "each.value")
        .replace('  zone                  = each.value["zone"]\n', "")
    )
    root = write(tmp_path, {"main.tf": main, "variables.tf": variables})
    edit = only(propose(root, changed(f'{VM}["api"]', ("size", "Standard_B1s", "Standard_B2s"))))
    assert (edit.path, edit.after) == ("variables.tf", variables.replace("B1s", "B2s"))


def test_a_map_that_is_no_literal_gets_a_conditional(tmp_path: Path) -> None:
    main = MAIN.replace("for_each              = var.vms", "for_each              = local.vms")
    locals_ = 'locals {\n  vms = { for k, v in var.vms : k => v if v.zone != "" }\n}\n'
    root = write(
        tmp_path,
        {"main.tf": main, "locals.tf": locals_, "variables.tf": VARIABLES, "terraform.tfvars": TFVARS},
    )
    edit = only(propose(root, changed(f'{VM}["api"]', ("size", "Standard_B1s", "Standard_B2s"))))
    assert edit.after == main.replace(
        "  size                  = each.value.size",
        '  size                  = each.key == "api" ? "Standard_B2s" : each.value.size',
    )
