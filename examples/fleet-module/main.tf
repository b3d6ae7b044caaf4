# A fleet of VMs from one local module, one instance per entry of a map, every resource tagged from shared
# locals; the size of each comes from terraform.tfvars.

locals {
  tags = {
    environment = "production"
    cost_center = "cc-1234"
  }
}

resource "azurerm_resource_group" "fleet" {
  name     = "fleet-rg"
  location = "westeurope"
  tags     = local.tags
}

resource "azurerm_virtual_network" "fleet" {
  name                = "fleet-vnet"
  address_space       = ["10.40.0.0/16"]
  location            = azurerm_resource_group.fleet.location
  resource_group_name = azurerm_resource_group.fleet.name
  tags                = local.tags
}

resource "azurerm_subnet" "fleet" {
  name                 = "fleet"
  resource_group_name  = azurerm_resource_group.fleet.name
  virtual_network_name = azurerm_virtual_network.fleet.name
  address_prefixes     = ["10.40.1.0/24"]
}

module "vm" {
  source   = "./modules/vm"
  for_each = var.fleet

  name                = each.key
  size                = each.value
  resource_group_name = azurerm_resource_group.fleet.name
  location            = azurerm_resource_group.fleet.location
  subnet_id           = azurerm_subnet.fleet.id
  tags                = local.tags
}
