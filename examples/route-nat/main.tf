# Egress through a NAT gateway and a route table with routes of their own, both associated with a subnet.

resource "azurerm_resource_group" "egress" {
  name     = "egress-rg"
  location = "westeurope"
}

resource "azurerm_virtual_network" "spoke" {
  name                = "spoke-vnet"
  address_space       = ["10.20.0.0/16"]
  location            = azurerm_resource_group.egress.location
  resource_group_name = azurerm_resource_group.egress.name
}

resource "azurerm_subnet" "workload" {
  name                 = "workload"
  resource_group_name  = azurerm_resource_group.egress.name
  virtual_network_name = azurerm_virtual_network.spoke.name
  address_prefixes     = ["10.20.1.0/24"]
}

resource "azurerm_route_table" "spoke" {
  name                          = "spoke-routes"
  location                      = azurerm_resource_group.egress.location
  resource_group_name           = azurerm_resource_group.egress.name
  bgp_route_propagation_enabled = false
}

resource "azurerm_route" "to_firewall" {
  name                   = "to-firewall"
  resource_group_name    = azurerm_resource_group.egress.name
  route_table_name       = azurerm_route_table.spoke.name
  address_prefix         = "10.0.0.0/8"
  next_hop_type          = "VirtualAppliance"
  next_hop_in_ip_address = "10.20.0.4"
}

resource "azurerm_route" "internet" {
  name                = "internet"
  resource_group_name = azurerm_resource_group.egress.name
  route_table_name    = azurerm_route_table.spoke.name
  address_prefix      = "0.0.0.0/0"
  next_hop_type       = "Internet"
}

resource "azurerm_subnet_route_table_association" "workload" {
  subnet_id      = azurerm_subnet.workload.id
  route_table_id = azurerm_route_table.spoke.id
}

resource "azurerm_public_ip" "nat" {
  name                = "egress-nat-pip"
  location            = azurerm_resource_group.egress.location
  resource_group_name = azurerm_resource_group.egress.name
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_nat_gateway" "egress" {
  name                    = "egress-nat"
  location                = azurerm_resource_group.egress.location
  resource_group_name     = azurerm_resource_group.egress.name
  sku_name                = "Standard"
  idle_timeout_in_minutes = 10
}

resource "azurerm_nat_gateway_public_ip_association" "egress" {
  nat_gateway_id       = azurerm_nat_gateway.egress.id
  public_ip_address_id = azurerm_public_ip.nat.id
}

resource "azurerm_subnet_nat_gateway_association" "workload" {
  subnet_id      = azurerm_subnet.workload.id
  nat_gateway_id = azurerm_nat_gateway.egress.id
}
