"""azurerm_lb with its backend pool, probe, rule and NIC association through real Terraform."""

from __future__ import annotations

from typing import Any

from azure.mgmt.network import NetworkManagementClient
from sandbox_cloud import Cloud

from providers.azure.sdk import client

# As in azurerm's load balancer examples: a public IP in front, one NIC in the backend pool.
PUBLIC_LB = """
resource "azurerm_resource_group" "example" {
  name     = "LoadBalancerRG"
  location = "westeurope"
}

resource "azurerm_virtual_network" "example" {
  name                = "lb-vnet"
  address_space       = ["10.0.0.0/16"]
  location            = azurerm_resource_group.example.location
  resource_group_name = azurerm_resource_group.example.name
}

resource "azurerm_subnet" "example" {
  name                 = "backend"
  resource_group_name  = azurerm_resource_group.example.name
  virtual_network_name = azurerm_virtual_network.example.name
  address_prefixes     = ["10.0.1.0/24"]
}

resource "azurerm_public_ip" "example" {
  name                = "PublicIPForLB"
  location            = azurerm_resource_group.example.location
  resource_group_name = azurerm_resource_group.example.name
  allocation_method   = "Static"
}

resource "azurerm_lb" "example" {
  name                = "TestLoadBalancer"
  location            = azurerm_resource_group.example.location
  resource_group_name = azurerm_resource_group.example.name

  frontend_ip_configuration {
    name                 = "PublicIPAddress"
    public_ip_address_id = azurerm_public_ip.example.id
  }

  tags = { env = "%(env)s" }
}

resource "azurerm_lb_backend_address_pool" "example" {
  loadbalancer_id = azurerm_lb.example.id
  name            = "BackEndAddressPool"
}

resource "azurerm_lb_probe" "example" {
  loadbalancer_id     = azurerm_lb.example.id
  name                = "http-probe"
  protocol            = "Http"
  port                = 80
  request_path        = "/health"
  interval_in_seconds = %(interval)s
}

resource "azurerm_lb_rule" "example" {
  loadbalancer_id                = azurerm_lb.example.id
  name                           = "%(rule)s"
  protocol                       = "Tcp"
  frontend_port                  = 80
  backend_port                   = 8080
  frontend_ip_configuration_name = "PublicIPAddress"
  backend_address_pool_ids       = [azurerm_lb_backend_address_pool.example.id]
  probe_id                       = azurerm_lb_probe.example.id
  idle_timeout_in_minutes        = %(idle)s
}

resource "azurerm_network_interface" "example" {
  name                = "backend-nic"
  location            = azurerm_resource_group.example.location
  resource_group_name = azurerm_resource_group.example.name

  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.example.id
    private_ip_address_allocation = "Dynamic"
  }
}

resource "azurerm_network_interface_backend_address_pool_association" "example" {
  network_interface_id    = azurerm_network_interface.example.id
  ip_configuration_name   = "internal"
  backend_address_pool_id = azurerm_lb_backend_address_pool.example.id
}
"""

BASE = {"env": "dev", "interval": 15, "rule": "LBRule", "idle": 4}
LB_PARTS = (
    "azurerm_lb",
    "azurerm_lb_backend_address_pool",
    "azurerm_lb_probe",
    "azurerm_lb_rule",
    "azurerm_network_interface_backend_address_pool_association",
)


def _actions(doc: dict[str, Any], key: str = "resource_changes") -> dict[str, list[str]]:
    return {c["address"]: c["change"]["actions"] for c in doc.get(key, [])}


def test_public_load_balancer_lifecycle(cloud: Cloud) -> None:
    ws = cloud.workspace(PUBLIC_LB % BASE)
    cloud.tf.apply(ws)
    network = client(NetworkManagementClient, cloud.endpoint(upn="ops@example.com"))
    group = "LoadBalancerRG"

    lb = network.load_balancers.get(group, "TestLoadBalancer")
    assert lb.sku.name == "Standard"  # azurerm 4.x's default
    assert [p.name for p in lb.probes] == ["http-probe"]
    assert [r.name for r in lb.load_balancing_rules] == ["LBRule"]
    assert [p.name for p in lb.backend_address_pools] == ["BackEndAddressPool"]
    nic = network.network_interfaces.get(group, "backend-nic")
    pool_id = lb.backend_address_pools[0].id
    assert [p.id for p in nic.ip_configurations[0].load_balancer_backend_address_pools] == [pool_id]

    state = cloud.state(ws)
    rule = state["azurerm_lb_rule.example"]
    assert rule["id"] == f"{lb.id}/loadBalancingRules/LBRule"
    assert rule["frontend_ip_configuration_id"] == f"{lb.id}/frontendIPConfigurations/PublicIPAddress"
    assert (rule["idle_timeout_in_minutes"], rule["load_distribution"]) == (4, "Default")
    association = state["azurerm_network_interface_backend_address_pool_association.example"]
    assert association["id"] == f"{nic.id}/ipConfigurations/internal|{pool_id}"
    # Probes, rules and pools live in the load balancer's body: it must not plan to drop them.
    assert cloud.tf.plan(ws).changed is False

    # In place: the load balancer's tags, the probe's interval and the rule's idle timeout.
    cloud.workspace(PUBLIC_LB % {**BASE, "env": "prod", "interval": 10, "idle": 10})
    changes = _actions(cloud.plan_json(ws))
    assert {a: changes[a] for a in changes if a.split(".")[0] in LB_PARTS} == {
        "azurerm_lb.example": ["update"],
        "azurerm_lb_backend_address_pool.example": ["no-op"],
        "azurerm_lb_probe.example": ["update"],
        "azurerm_lb_rule.example": ["update"],
        "azurerm_network_interface_backend_address_pool_association.example": ["no-op"],
    }
    cloud.tf.apply(ws)
    lb = network.load_balancers.get(group, "TestLoadBalancer")
    assert lb.tags == {"env": "prod"}
    assert [(p.name, p.interval_in_seconds) for p in lb.probes] == [("http-probe", 10)]
    assert [(r.name, r.idle_timeout_in_minutes) for r in lb.load_balancing_rules] == [("LBRule", 10)]
    assert [p.name for p in lb.backend_address_pools] == ["BackEndAddressPool"]
    assert cloud.tf.plan(ws).changed is False

    # A rule's name forces a new rule; nothing else moves.
    cloud.workspace(PUBLIC_LB % {**BASE, "env": "prod", "interval": 10, "idle": 10, "rule": "http"})
    doc = cloud.plan_json(ws)
    rule_change = next(c for c in doc["resource_changes"] if c["address"] == "azurerm_lb_rule.example")
    assert rule_change["change"]["actions"] == ["delete", "create"]
    assert rule_change["change"]["replace_paths"] == [["name"]]
    assert [a for a, acts in _actions(doc).items() if acts != ["no-op"]] == ["azurerm_lb_rule.example"]

    # Out of band: the probe's interval edited through the SDK, the NIC taken out of the pool.
    cloud.workspace(PUBLIC_LB % {**BASE, "env": "prod", "interval": 10, "idle": 10})
    lb.probes[0].interval_in_seconds = 30
    network.load_balancers.begin_create_or_update(group, "TestLoadBalancer", lb).result()
    nic = network.network_interfaces.get(group, "backend-nic")
    nic.ip_configurations[0].load_balancer_backend_address_pools = []
    network.network_interfaces.begin_create_or_update(group, "backend-nic", nic).result()
    doc = cloud.plan_json(ws, "-refresh-only")
    assert _actions(doc, "resource_drift") == {
        "azurerm_lb_probe.example": ["update"],
        "azurerm_network_interface_backend_address_pool_association.example": ["delete"],
        "azurerm_lb_backend_address_pool.example": ["update"],  # its computed backend_ip_configurations
    }
    changed = {c["address"]: c["change"] for c in doc["resource_drift"]}
    probe = changed["azurerm_lb_probe.example"]
    assert (probe["before"]["interval_in_seconds"], probe["after"]["interval_in_seconds"]) == (10, 30)
    pool = changed["azurerm_lb_backend_address_pool.example"]
    assert pool["before"]["backend_ip_configurations"] == [nic.ip_configurations[0].id]
    assert pool["after"]["backend_ip_configurations"] == []


INTERNAL_LB = """
resource "azurerm_resource_group" "example" {
  name     = "rg-internal-lb"
  location = "westeurope"
}

resource "azurerm_virtual_network" "example" {
  name                = "vnet"
  address_space       = ["10.5.0.0/16"]
  location            = azurerm_resource_group.example.location
  resource_group_name = azurerm_resource_group.example.name
}

resource "azurerm_subnet" "example" {
  name                 = "frontend"
  resource_group_name  = azurerm_resource_group.example.name
  virtual_network_name = azurerm_virtual_network.example.name
  address_prefixes     = ["10.5.1.0/24"]
}

resource "azurerm_lb" "example" {
  name                = "internal-lb"
  location            = azurerm_resource_group.example.location
  resource_group_name = azurerm_resource_group.example.name
  sku                 = "Basic"

  frontend_ip_configuration {
    name                          = "private"
    subnet_id                     = azurerm_subnet.example.id
    private_ip_address_allocation = "Static"
    private_ip_address            = "10.5.1.10"
  }
}

resource "azurerm_lb_backend_address_pool" "example" {
  loadbalancer_id = azurerm_lb.example.id
  name            = "pool"
}

resource "azurerm_lb_probe" "example" {
  loadbalancer_id = azurerm_lb.example.id
  name            = "tcp-443"
  port            = 443
}

resource "azurerm_lb_rule" "example" {
  loadbalancer_id                = azurerm_lb.example.id
  name                           = "https"
  protocol                       = "Tcp"
  frontend_port                  = 443
  backend_port                   = 443
  frontend_ip_configuration_name = "private"
  backend_address_pool_ids       = [azurerm_lb_backend_address_pool.example.id]
  probe_id                       = azurerm_lb_probe.example.id
}

resource "azurerm_network_interface" "example" {
  name                = "nic"
  location            = azurerm_resource_group.example.location
  resource_group_name = azurerm_resource_group.example.name

  ip_configuration {
    name                          = "ipconfig1"
    subnet_id                     = azurerm_subnet.example.id
    private_ip_address_allocation = "Dynamic"
  }
}

resource "azurerm_network_interface_backend_address_pool_association" "example" {
  network_interface_id    = azurerm_network_interface.example.id
  ip_configuration_name   = "ipconfig1"
  backend_address_pool_id = azurerm_lb_backend_address_pool.example.id
}
"""


def test_internal_load_balancer_imports_to_a_clean_plan(cloud: Cloud) -> None:
    ws = cloud.workspace(INTERNAL_LB)
    cloud.tf.apply(ws)
    lb = cloud.state(ws)["azurerm_lb.example"]
    assert (lb["sku"], lb["private_ip_address"], lb["private_ip_addresses"]) == (
        "Basic",
        "10.5.1.10",
        ["10.5.1.10"],
    )
    assert cloud.tf.plan(ws).changed is False

    # Import by ARM id into an empty workspace: the generated configuration plans no change.
    state = cloud.state(ws)
    imported = [a for a in state if a.split(".")[0] in LB_PARTS]
    imports = "".join(f'import {{\n  to = {a}\n  id = "{state[a]["id"]}"\n}}\n' for a in imported)
    fresh = cloud.workspace(imports, name="imported")
    cloud.tf.plan(fresh, extra_args=["-generate-config-out=generated.tf"])
    generated = (fresh / "generated.tf").read_text()
    assert 'private_ip_address_allocation = "Static"' in generated
    assert 'ip_configuration_name   = "ipconfig1"' in generated
    assert _actions(cloud.plan_json(fresh)) == {a: ["no-op"] for a in imported}

    # Destroy takes the NIC out of the pool and the rule and probe out of the load balancer first.
    cloud.tf.destroy(ws)
    network = client(NetworkManagementClient, cloud.endpoint(upn="ops@example.com"))
    assert list(network.load_balancers.list_all()) == []
