"""Codify proposals: the configuration's source text edited in place so it describes what is live.

Each test writes a realistic workspace, codifies one drift, and checks the exact resulting text: only
the drifted lines change, comments and alignment stay, other files stay byte-identical, and the result
still loads.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from rule_edits import changed
from rule_edits import declined
from rule_edits import only
from rule_edits import propose
from rule_edits import write

from state.report import MASK

VM_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg"
NIC = f"{VM_ID}/providers/Microsoft.Network/networkInterfaces/web-nic"

VM = f"""\
# The web VM, sized by hand.
resource "azurerm_linux_virtual_machine" "web" {{
  name                  = "web-0"
  resource_group_name   = "demo-rg"
  location              = "westeurope"
  size                  = "Standard_B1s" # the cheapest that boots
  admin_username        = "azureuser"
  network_interface_ids = ["{NIC}"]
  tags = {{
    environment = "demo"
    owner       = "platform-team"
  }}

  admin_ssh_key {{
    username   = "azureuser"
    public_key = file("~/.ssh/id_ed25519.pub")
  }}

  os_disk {{
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }}

  source_image_reference {{
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts"
    version   = "latest"
  }}

  boot_diagnostics {{
    storage_account_uri = "https://demodiag.blob.core.windows.net/"
  }}
}}
"""

VERSIONS = """\
terraform {
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
  }
}
"""


# -- literals ---------------------------------------------------------------------------------------------


def test_a_literal_argument_changes_on_its_line_and_keeps_its_comment(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": VM, "versions.tf": VERSIONS})
    edit = only(
        propose(root, changed("azurerm_linux_virtual_machine.web", ("size", "Standard_B1s", "Standard_B2s")))
    )
    assert edit.path == "main.tf"
    assert edit.after == VM.replace(
        'size                  = "Standard_B1s" # the cheapest',
        'size                  = "Standard_B2s" # the cheapest',
    )
    assert edit.diff().count("\n-  ") == 1 and edit.diff().count("\n+  ") == 1


def test_numbers_bools_and_lists_keep_their_style(tmp_path: Path) -> None:
    main = """\
resource "azurerm_managed_disk" "data" {
  name                 = "data"
  location             = "westeurope"
  resource_group_name  = "demo-rg"
  storage_account_type = "Standard_LRS"
  create_option        = "Empty"
  disk_size_gb         = 32
}

resource "azurerm_virtual_network" "main" {
  name                = "vnet"
  location            = "westeurope"
  resource_group_name = "demo-rg"
  address_space = [
    "10.0.0.0/16",
  ]
  dns_servers = ["10.0.0.4"]
}

resource "azurerm_network_interface" "web" {
  name                           = "web-nic"
  location                       = "westeurope"
  resource_group_name            = "demo-rg"
  accelerated_networking_enabled = false

  ip_configuration {
    name                          = "internal"
    private_ip_address_allocation = "Dynamic"
  }
}
"""
    root = write(tmp_path, {"main.tf": main})
    propose(root, changed("azurerm_managed_disk.data", ("disk_size_gb", 32, 64)))
    propose(
        root,
        changed(
            "azurerm_virtual_network.main",
            ("address_space", ["10.0.0.0/16"], ["10.0.0.0/16", "10.1.0.0/16"]),
            ("dns_servers", ["10.0.0.4"], ["10.0.0.4", "10.0.0.5"]),
        ),
    )
    propose(root, changed("azurerm_network_interface.web", ("accelerated_networking_enabled", False, True)))
    assert (root / "main.tf").read_text() == (
        main.replace("disk_size_gb         = 32", "disk_size_gb         = 64")
        .replace('    "10.0.0.0/16",\n', '    "10.0.0.0/16",\n    "10.1.0.0/16",\n')
        .replace('["10.0.0.4"]', '["10.0.0.4", "10.0.0.5"]')
        .replace("accelerated_networking_enabled = false", "accelerated_networking_enabled = true")
    )


def test_an_argument_set_live_but_not_written_is_added_in_line_with_its_neighbours(tmp_path: Path) -> None:
    main = """\
resource "azurerm_public_ip" "web" {
  name                = "web-pip"
  location            = "westeurope"
  resource_group_name = "demo-rg"
  allocation_method   = "Static"
}
"""
    root = write(tmp_path, {"main.tf": main})
    edit = only(
        propose(
            root,
            changed(
                "azurerm_public_ip.web",
                ("idle_timeout_in_minutes", 4, 10),
                ("domain_name_label", None, "web"),
            ),
        )
    )
    assert edit.after == main.replace(
        '  allocation_method   = "Static"\n',
        '  allocation_method   = "Static"\n  idle_timeout_in_minutes = 10\n  domain_name_label   = "web"\n',
    )


def test_an_argument_unset_live_is_removed(tmp_path: Path) -> None:
    main = """\
resource "azurerm_public_ip" "web" {
  name                = "web-pip"
  location            = "westeurope"
  resource_group_name = "demo-rg"
  allocation_method   = "Static"
  domain_name_label   = "web"
  reverse_fqdn        = "web.example.com."
}
"""
    root = write(tmp_path, {"main.tf": main})
    edit = only(propose(root, changed("azurerm_public_ip.web", ("domain_name_label", "web", None))))
    assert edit.after == main.replace('  domain_name_label   = "web"\n', "")


def test_crlf_line_endings_and_other_files_are_kept(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": VM.replace("\n", "\r\n"), "versions.tf": VERSIONS})
    edit = only(
        propose(
            root,
            changed("azurerm_linux_virtual_machine.web", ("tags.cost", None, "7")),
        )
    )
    assert edit.after == VM.replace(
        '    owner       = "platform-team"\n', '    owner       = "platform-team"\n    cost        = "7"\n'
    ).replace("\n", "\r\n")


# -- maps ---------------------------------------------------------------------------------------------------


def test_map_entries_are_changed_added_and_removed_inside_the_literal(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": VM})
    drift = changed(
        "azurerm_linux_virtual_machine.web",
        ("tags.cost-center", None, "7"),
        ("tags.environment", "demo", None),
        ("tags.owner", "platform-team", "alice"),
    )
    edit = only(propose(root, drift))
    assert edit.after == VM.replace(
        '    environment = "demo"\n    owner       = "platform-team"\n',
        '    owner       = "alice"\n    "cost-center" = "7"\n',
    )


def test_a_one_line_map_stays_on_one_line(tmp_path: Path) -> None:
    main = """\
resource "azurerm_resource_group" "main" {
  name     = "demo-rg"
  location = "westeurope"
  tags     = { env = "dev", owner = "ops" }
}
"""
    root = write(tmp_path, {"main.tf": main})
    drift = changed("azurerm_resource_group.main", ("tags.env", "dev", None), ("tags.team", None, "web"))
    edit = only(propose(root, drift))
    assert edit.after == main.replace('{ env = "dev", owner = "ops" }', '{ owner = "ops", team = "web" }')


def test_tags_cleared_live_leave_an_empty_map(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": VM})
    drift = changed(
        "azurerm_linux_virtual_machine.web",
        ("tags", {"environment": "demo", "owner": "platform-team"}, {}),
    )
    edit = only(propose(root, drift))
    assert edit.after == VM.replace(
        '{\n    environment = "demo"\n    owner       = "platform-team"\n  }', "{}"
    )


def test_tags_added_to_a_resource_without_any(tmp_path: Path) -> None:
    main = """\
resource "azurerm_resource_group" "main" {
  name     = "demo-rg"
  location = "westeurope"
}
"""
    root = write(tmp_path, {"main.tf": main})
    edit = only(propose(root, changed("azurerm_resource_group.main", ("tags.owner", None, "alice"))))
    assert edit.after == main.replace(
        'location = "westeurope"\n', 'location = "westeurope"\n  tags = {\n    owner = "alice"\n  }\n'
    )


# -- nested blocks ------------------------------------------------------------------------------------------


def test_an_argument_of_a_nested_block(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": VM})
    edit = only(
        propose(
            root, changed("azurerm_linux_virtual_machine.web", ("os_disk.0.caching", "ReadWrite", "ReadOnly"))
        )
    )
    assert edit.after == VM.replace('caching              = "ReadWrite"', 'caching              = "ReadOnly"')


def test_a_block_gone_live_is_removed_with_its_blank_line(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": VM})
    uri = "https://demodiag.blob.core.windows.net/"
    drift = changed(
        "azurerm_linux_virtual_machine.web", ("boot_diagnostics", [{"storage_account_uri": uri}], [])
    )
    edit = only(propose(root, drift))
    assert edit.after == VM.replace(f'\n  boot_diagnostics {{\n    storage_account_uri = "{uri}"\n  }}\n', "")
    assert edit.after.endswith('    version   = "latest"\n  }\n}\n')


def test_a_block_that_appeared_live_is_written_with_what_a_user_sets(tmp_path: Path) -> None:
    uri = "https://demodiag.blob.core.windows.net/"
    without = VM.replace(f'\n  boot_diagnostics {{\n    storage_account_uri = "{uri}"\n  }}\n', "")
    root = write(tmp_path, {"main.tf": without})
    drift = changed(
        "azurerm_linux_virtual_machine.web",
        ("boot_diagnostics", [], [{"storage_account_uri": None}]),
        (
            "additional_capabilities",
            [],
            [{"ultra_ssd_enabled": True, "hibernation_enabled": False}],
        ),
    )
    edit = only(propose(root, drift))
    assert edit.after == without.replace(
        '    version   = "latest"\n  }\n',
        '    version   = "latest"\n  }\n\n  boot_diagnostics {\n  }\n'
        "\n  additional_capabilities {\n    ultra_ssd_enabled = true\n  }\n",
    )


NSG = """\
resource "azurerm_network_security_group" "web" {
  name                = "web-nsg"
  location            = "westeurope"
  resource_group_name = "demo-rg"

  security_rule {
    name                       = "allow-http"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "80"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }

  security_rule {
    name                       = "allow-rdp"
    priority                   = 300
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "3389"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }
}
"""


def _rule(name: str, priority: int, **ports: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "name": name,
        "priority": priority,
        "direction": "Inbound",
        "access": "Allow",
        "protocol": "Tcp",
        "description": None,
        "source_port_range": "*",
        "source_port_ranges": [],
        "destination_port_range": None,
        "destination_port_ranges": [],
        "source_address_prefix": "*",
        "source_address_prefixes": [],
        "destination_address_prefix": "*",
        "destination_address_prefixes": [],
        "source_application_security_group_ids": [],
        "destination_application_security_group_ids": [],
    }
    return {**rule, **ports}


def test_set_like_blocks_gain_lose_and_change_elements(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": NSG})
    state = [
        _rule("allow-http", 100, destination_port_range="80"),
        _rule("allow-rdp", 300, destination_port_range="3389"),
    ]
    live = [
        _rule("allow-http", 110, destination_port_range="80"),
        _rule("allow-ssh", 200, destination_port_ranges=["22"]),
    ]
    edit = only(propose(root, changed("azurerm_network_security_group.web", ("security_rule", state, live))))
    rdp = NSG[
        NSG.index('\n  security_rule {\n    name                       = "allow-rdp"') : NSG.rindex("  }\n")
        + 4
    ]
    ssh = """
  security_rule {
    name                       = "allow-ssh"
    priority                   = 200
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
    destination_port_ranges    = ["22"]
  }
"""
    assert edit.after == NSG.replace(
        "priority                   = 100", "priority                   = 110"
    ).replace(rdp, ssh)


# -- values written elsewhere -------------------------------------------------------------------------------

VARIABLES = """\
variable "vm_size" {
  description = "Size of the VM."
  type        = string
  default     = "Standard_B1s"
}

variable "tags" {
  description = "Tags on the VM."
  type        = map(string)
  default     = {}
}
"""

VM_BY_VARIABLES = """\
resource "azurerm_linux_virtual_machine" "web" {
  name                  = "web-0"
  resource_group_name   = "demo-rg"
  location              = "westeurope"
  size                  = var.vm_size
  admin_username        = "azureuser"
  network_interface_ids = local.nic_ids
  tags                  = var.tags

  admin_ssh_key {
    username   = "azureuser"
    public_key = "ssh-ed25519 AAAA demo"
  }

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }

  source_image_reference {
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts"
    version   = "latest"
  }
}

output "size" {
  value = var.vm_size
}
"""

LOCALS = f"""\
locals {{
  nic_ids = ["{NIC}"]
}}
"""

TFVARS = """\
# Values for the demo environment.
vm_size = "Standard_B1s"
tags = {
  environment = "demo"
  owner       = "platform-team"
}
"""


def test_a_value_from_terraform_tfvars_is_changed_there(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": VM_BY_VARIABLES,
            "variables.tf": VARIABLES,
            "locals.tf": LOCALS,
            "terraform.tfvars": TFVARS,
        },
    )
    drift = changed(
        "azurerm_linux_virtual_machine.web",
        ("size", "Standard_B1s", "Standard_B2s"),
        ("tags.owner", "platform-team", "alice"),
    )
    edit = only(propose(root, drift))
    assert edit.path == "terraform.tfvars"
    assert edit.after == TFVARS.replace('"Standard_B1s"', '"Standard_B2s"').replace(
        'owner       = "platform-team"', 'owner       = "alice"'
    )


def test_the_last_variables_file_wins(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": VM_BY_VARIABLES,
            "variables.tf": VARIABLES,
            "locals.tf": LOCALS,
            "terraform.tfvars": TFVARS,
            "size.auto.tfvars": 'vm_size = "Standard_B1ms"\n',
        },
    )
    drift = changed("azurerm_linux_virtual_machine.web", ("size", "Standard_B1ms", "Standard_B2s"))
    edit = only(propose(root, drift))
    assert (edit.path, edit.after) == ("size.auto.tfvars", 'vm_size = "Standard_B2s"\n')


def test_without_a_tfvars_entry_the_default_is_changed(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": VM_BY_VARIABLES, "variables.tf": VARIABLES, "locals.tf": LOCALS})
    drift = changed(
        "azurerm_linux_virtual_machine.web",
        ("size", "Standard_B1s", "Standard_B2s"),
        ("tags.owner", None, "alice"),
    )
    edit = only(propose(root, drift))
    assert edit.path == "variables.tf"
    assert edit.after == VARIABLES.replace('"Standard_B1s"', '"Standard_B2s"').replace(
        "  default     = {}\n", '  default     = {\n    owner = "alice"\n  }\n'
    )


def test_a_value_from_a_local_is_changed_in_the_local(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": VM_BY_VARIABLES, "variables.tf": VARIABLES, "locals.tf": LOCALS})
    other = NIC.replace("web-nic", "web-nic-2")
    drift = changed("azurerm_linux_virtual_machine.web", ("network_interface_ids", [NIC], [other]))
    edit = only(propose(root, drift))
    assert (edit.path, edit.after) == ("locals.tf", LOCALS.replace("web-nic", "web-nic-2"))


# -- declined -----------------------------------------------------------------------------------------------


def test_complex_expressions_are_not_replaced_by_literals(tmp_path: Path) -> None:
    main = VM.replace('"Standard_B1s"', 'lookup({ small = "Standard_B1s" }, "small")').replace(
        '  name                  = "web-0"', '  name                  = "${local.prefix}-${local.env}"'
    )
    root = write(tmp_path, {"main.tf": main + 'locals {\n  prefix = "web"\n  env = "0"\n}\n'})
    reason = declined(
        root, changed("azurerm_linux_virtual_machine.web", ("size", "Standard_B1s", "Standard_B2s"))
    )
    assert reason.startswith("azurerm_linux_virtual_machine.web.size is the expression `lookup(")
    reason = declined(root, changed("azurerm_linux_virtual_machine.web", ("name", "web-0", "web-1")))
    assert 'is the expression `"${local.prefix}-${local.env}"`' in reason


def test_sensitive_values_are_never_written(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": VM})
    drift = changed("azurerm_linux_virtual_machine.web", ("admin_password", MASK, MASK))
    assert "sensitive" in declined(root, drift)
    drift = changed("azurerm_linux_virtual_machine.web", ("custom_data", None, "IyEvYmluL3NoCg=="))
    assert declined(root, drift) == (
        "azurerm_linux_virtual_machine.web.custom_data is sensitive; rules do not write secrets"
    )


# -- modules ------------------------------------------------------------------------------------------------

MODULE_MAIN = """\
variable "name" {
  type = string
}

variable "size" {
  type    = string
  default = "Standard_B1s"
}

resource "azurerm_managed_disk" "this" {
  name                 = var.name
  location             = "westeurope"
  resource_group_name  = "demo-rg"
  storage_account_type = "Standard_LRS"
  create_option        = "Empty"
  disk_size_gb         = 32
  tags                 = { size = var.size }
}
"""


def test_a_module_argument_is_changed_in_the_calling_block(tmp_path: Path) -> None:
    root_main = """\
module "disk" {
  source = "./modules/disk"
  name   = "data"
  size   = "small"
}
"""
    root = write(tmp_path, {"main.tf": root_main, "modules/disk/main.tf": MODULE_MAIN})
    drift = changed("module.disk.azurerm_managed_disk.this", ("tags.size", "small", "large"))
    edit = only(propose(root, drift))
    assert (edit.path, edit.after) == ("main.tf", root_main.replace('"small"', '"large"'))
    edit = only(propose(root, changed("module.disk.azurerm_managed_disk.this", ("disk_size_gb", 32, 64))))
    assert edit.path == "modules/disk/main.tf"


def test_modules_with_several_instances_or_callers_are_declined(tmp_path: Path) -> None:
    root_main = """\
module "disk" {
  source   = "./modules/disk"
  for_each = toset(["a", "b"])
  name     = each.key
}
"""
    root = write(tmp_path, {"main.tf": root_main, "modules/disk/main.tf": MODULE_MAIN})
    drift = changed('module.disk["a"].azurerm_managed_disk.this', ("disk_size_gb", 32, 64))
    assert declined(root, drift) == "module.disk is called with for_each: its instances share this code"
    two = "".join(f'module "{m}" {{\n  source = "./modules/disk"\n  name   = "{m}"\n}}\n\n' for m in "ab")
    write(tmp_path, {"main.tf": two})
    reason = declined(root, changed("module.a.azurerm_managed_disk.this", ("disk_size_gb", 32, 64)))
    assert reason == (
        "module.a.azurerm_managed_disk.this.disk_size_gb is in modules/disk, "
        "which module.a shares with module.b"
    )


# -- the example project ------------------------------------------------------------------------------------

EXAMPLE = Path(__file__).parents[4] / "examples" / "azure-vm"


def test_the_vm_scenario_drifts_on_the_example_project(tmp_path: Path) -> None:
    """The drifts of ``reconciler/scenario.py``, and a tag on the group: each codified by the rules."""
    root = Path(shutil.copytree(EXAMPLE, tmp_path / "azure-vm"))
    main = (root / "main.tf").read_text()
    vm = "azurerm_linux_virtual_machine.web"
    edit = only(propose(root, changed(f"{vm}[1]", ("size", "Standard_B1s", "Standard_B2s"))))
    assert edit.after == main.replace(
        "  size                  = var.vm_size",
        '  size                  = count.index == 1 ? "Standard_B2s" : var.vm_size',
    )
    (root / "main.tf").write_text(main)
    # var.tags is read by every resource: the group alone gets the live tag, terraform.tfvars stays.
    edit = only(
        propose(root, changed("azurerm_resource_group.main", ("tags.owner", "platform-team", "alice")))
    )
    assert edit.after == main.replace(
        "  tags     = var.tags\n", '  tags     = merge(var.tags, { owner = "alice" })\n', 1
    )
    (root / "main.tf").write_text(main)
    uri = "https://demodiag.blob.core.windows.net/"
    edit = only(propose(root, changed(f"{vm}[2]", ("boot_diagnostics", [{"storage_account_uri": uri}], []))))
    assert '  dynamic "boot_diagnostics" {\n    for_each = count.index == 2 ? [] : [1]\n' in edit.after
    (root / "main.tf").write_text(main)

    edit = only(propose(root, changed("azurerm_managed_disk.data", ("disk_size_gb", 32, 64))))
    assert edit.path == "variables.tf"
    assert [line for line in edit.diff().splitlines() if line[:1] in "+-"] == [
        "--- a/variables.tf",
        "+++ b/variables.tf",
        "-  default     = 32",
        "+  default     = 64",
    ]

    http = _rule("allow-http", 100, destination_port_range="80")
    ssh = _rule("allow-ssh", 200, destination_port_range="22")
    drift = changed("azurerm_network_security_group.web", ("security_rule", [http], [http, ssh]))
    edit = only(propose(root, drift))
    assert edit.after == main.replace(
        '    destination_address_prefix = "*"\n  }\n',
        '    destination_address_prefix = "*"\n  }\n\n'
        "  security_rule {\n"
        '    name                       = "allow-ssh"\n'
        "    priority                   = 200\n"
        '    direction                  = "Inbound"\n'
        '    access                     = "Allow"\n'
        '    protocol                   = "Tcp"\n'
        '    source_port_range          = "*"\n'
        '    destination_port_range     = "22"\n'
        '    source_address_prefix      = "*"\n'
        '    destination_address_prefix = "*"\n'
        "  }\n",
        1,
    )


def test_heredocs_comments_and_templates_around_an_edit_stay_as_written(tmp_path: Path) -> None:
    main = """\
/* Web tier.
   size = "not this one" */
resource "azurerm_linux_virtual_machine" "web" {
  name                = "web-0" // the first
  resource_group_name = "demo-rg"
  location            = "westeurope"
  size                = "Standard_B1s"
  admin_username      = "azureuser"
  user_data = base64encode(<<-EOT
    #!/bin/sh
    echo "size = ${"Standard_B1s"}" > /etc/motd
  EOT
  )
  computer_name = "web-$${literal}"
  tags = {
    # who to call
    owner = "platform-team" # until March
    "ring" = "0"
  }
}
"""
    root = write(tmp_path, {"main.tf": main})
    drift = changed(
        "azurerm_linux_virtual_machine.web",
        ("size", "Standard_B1s", "Standard_B2s"),
        ("computer_name", "web-${literal}", "web-${other}"),
        ("tags.owner", "platform-team", "alice"),
        ("tags.ring", "0", None),
        ("tags.team", None, 'he said "hi"'),
    )
    edit = only(propose(root, drift))
    assert edit.after == (
        main.replace('size                = "Standard_B1s"', 'size                = "Standard_B2s"')
        .replace('"web-$${literal}"', '"web-$${other}"')
        .replace('owner = "platform-team" # until March', 'owner = "alice" # until March')
        .replace('    "ring" = "0"\n', '    team = "he said \\"hi\\""\n')
    )


def test_set_like_blocks_without_a_name_match_on_what_they_write(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": VM})
    old = {"username": "azureuser", "public_key": "ssh-ed25519 AAAA old"}
    new = {"username": "ops", "public_key": "ssh-ed25519 AAAA new"}
    drift = changed("azurerm_linux_virtual_machine.web", ("admin_ssh_key", [old], [new]))
    edit = only(propose(root, drift))
    # The new block takes the old one's place, in the order its arguments were written.
    assert edit.after == VM.replace(
        '    username   = "azureuser"\n    public_key = file("~/.ssh/id_ed25519.pub")\n',
        '    username   = "ops"\n    public_key = "ssh-ed25519 AAAA new"\n',
    )
    by_expressions = VM.replace('username   = "azureuser"', "username   = var.admin")
    write(tmp_path, {"main.tf": by_expressions})
    assert declined(root, drift) == (
        "azurerm_linux_virtual_machine.web: no admin_ssh_key block matching the state "
        "is written in the configuration"
    )
