"""``builtin.no_inline_managed_children``: a subnet is never written inline next to its own azurerm_subnet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.policy import BUILTIN_RULES
from reconciler.policy import PolicySettings
from reconciler.policy import evaluate

if TYPE_CHECKING:
    from conftest import Propose
    from sandbox_cloud import Cloud

NETWORK = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-net"
  location = "westeurope"
}

resource "azurerm_virtual_network" "main" {
  name                = "vnet"
  address_space       = ["10.0.0.0/16"]
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
%s}

resource "azurerm_subnet" "web" {
  name                 = "web"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.0.1.0/24"]
}
"""
INLINE_WEB = """
  subnet {
    name             = "web"
    address_prefixes = ["10.0.1.0/24"]
  }
"""
INLINE_OTHER = """
  subnet {
    name             = "other"
    address_prefixes = ["10.0.2.0/24"]
  }
"""


def test_an_inline_subnet_next_to_its_own_resource_is_refused(cloud: Cloud, propose: Propose) -> None:
    root = cloud.workspace(NETWORK % "")
    cloud.tf.apply(root)
    assert "builtin.no_inline_managed_children" in BUILTIN_RULES

    # What a naive codify of the network's `subnet` block would write: the plan is a no-op (the live
    # network has exactly that subnet), so only the rule stands between it and the code.
    conflicting = propose(root, {"main.tf": NETWORK % INLINE_WEB}, cloud.tf)
    actions = {rc["address"]: rc["change"]["actions"] for rc in conflicting.plan["resource_changes"]}
    assert actions["azurerm_virtual_network.main"] == ["no-op"]
    [violation] = evaluate(conflicting.plan, conflicting.edits, PolicySettings(), root)
    assert (violation.rule, violation.address) == (
        "builtin.no_inline_managed_children",
        "azurerm_virtual_network.main",
    )
    assert violation.message.startswith('main.tf:7: writes subnet {} "web" inline')
    assert "azurerm_subnet.web manages as its own resource" in violation.message

    # An inline subnet that no resource manages is the configuration's own business.
    own = propose(root, {"main.tf": NETWORK % INLINE_OTHER}, cloud.tf)
    assert [v.rule for v in evaluate(own.plan, own.edits, PolicySettings(), root)] == []
