"""The values a configuration may set, declared once on the attributes and checked by one path."""

from __future__ import annotations

from tf.types import Unknown

from providers.azure.mapping import MAPPINGS


def test_enum_messages_name_the_attribute_at_its_state_path() -> None:
    vm = MAPPINGS["azurerm_linux_virtual_machine"]
    config = {
        "priority": "spot",
        "source_image_id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/images/i",
        "os_disk": [{"caching": "ReadWrite", "storage_account_type": "Premium_GRS"}],
    }
    assert vm.problems(config) == [
        (
            "os_disk.0.storage_account_type",
            "expected storage_account_type to be one of ['Premium_LRS', 'Standard_LRS', 'StandardSSD_LRS', "
            "'StandardSSD_ZRS', 'Premium_ZRS'], got Premium_GRS",
        ),
        ("priority", "expected priority to be one of ['Regular', 'Spot'], got spot"),
    ]


def test_values_not_known_until_apply_and_nulls_pass() -> None:
    disk = MAPPINGS["azurerm_managed_disk"]
    assert disk.problems({"storage_account_type": Unknown, "create_option": None, "os_type": "Linux"}) == []


def test_a_problem_inside_a_set_names_the_block() -> None:
    nsg = MAPPINGS["azurerm_network_security_group"]
    rule = {"name": "ssh", "protocol": "TCP", "access": "Allow", "direction": "Inbound", "priority": 100}
    [(path, message)] = nsg.problems({"security_rule": [rule]})
    assert path == "security_rule"
    assert message == "expected protocol to be one of ['*', 'Tcp', 'Udp', 'Icmp', 'Ah', 'Esp'], got TCP"


def test_case_insensitive_enums_accept_any_casing() -> None:
    attachment = MAPPINGS["azurerm_virtual_machine_data_disk_attachment"]
    assert attachment.problems({"caching": "readwrite", "create_option": "attach", "lun": 0}) == []
    [(path, message)] = attachment.problems({"caching": "sometimes", "lun": 0})
    assert path == "caching"
    assert message == "expected caching to be one of ['None', 'ReadOnly', 'ReadWrite'], got sometimes"


def test_conflicting_attributes_are_refused_once_both_are_known() -> None:
    vm = MAPPINGS["azurerm_windows_virtual_machine"]
    compute = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute"
    placed = {"availability_set_id": f"{compute}/availabilitySets/a"}
    image = {"source_image_id": f"{compute}/images/i"}
    assert vm.problems({**placed, **image, "zone": "1"}) == [
        ("availability_set_id", '"availability_set_id": conflicts with zone')
    ]
    assert vm.problems({**placed, **image, "zone": Unknown}) == []
    assert vm.problems({**placed, **image}) == []
