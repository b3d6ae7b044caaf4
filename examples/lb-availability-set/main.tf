# A load-balanced pair of Linux VMs in an availability set, SSH to the first through an inbound NAT rule.

variable "ssh_public_key" {
  type    = string
  default = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheSandboxOnlyDoNotUseAnywhere0000 pair@reconcile"
}

resource "azurerm_resource_group" "pair" {
  name     = "pair-rg"
  location = "westeurope"
}

resource "azurerm_virtual_network" "pair" {
  name                = "pair-vnet"
  address_space       = ["10.30.0.0/16"]
  location            = azurerm_resource_group.pair.location
  resource_group_name = azurerm_resource_group.pair.name
}

resource "azurerm_subnet" "pair" {
  name                 = "backend"
  resource_group_name  = azurerm_resource_group.pair.name
  virtual_network_name = azurerm_virtual_network.pair.name
  address_prefixes     = ["10.30.1.0/24"]
}

resource "azurerm_availability_set" "pair" {
  name                         = "pair-avset"
  location                     = azurerm_resource_group.pair.location
  resource_group_name          = azurerm_resource_group.pair.name
  platform_fault_domain_count  = 2
  platform_update_domain_count = 5
}

resource "azurerm_public_ip" "lb" {
  name                = "pair-lb-pip"
  location            = azurerm_resource_group.pair.location
  resource_group_name = azurerm_resource_group.pair.name
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_lb" "pair" {
  name                = "pair-lb"
  location            = azurerm_resource_group.pair.location
  resource_group_name = azurerm_resource_group.pair.name
  sku                 = "Standard"

  frontend_ip_configuration {
    name                 = "public"
    public_ip_address_id = azurerm_public_ip.lb.id
  }
}

resource "azurerm_lb_backend_address_pool" "pair" {
  name            = "pair"
  loadbalancer_id = azurerm_lb.pair.id
}

resource "azurerm_lb_probe" "http" {
  name            = "http"
  loadbalancer_id = azurerm_lb.pair.id
  protocol        = "Tcp"
  port            = 80
}

resource "azurerm_lb_rule" "http" {
  name                           = "http"
  loadbalancer_id                = azurerm_lb.pair.id
  protocol                       = "Tcp"
  frontend_port                  = 80
  backend_port                   = 80
  frontend_ip_configuration_name = "public"
  backend_address_pool_ids       = [azurerm_lb_backend_address_pool.pair.id]
  probe_id                       = azurerm_lb_probe.http.id
}

resource "azurerm_lb_nat_rule" "ssh" {
  name                           = "ssh-0"
  resource_group_name            = azurerm_resource_group.pair.name
  loadbalancer_id                = azurerm_lb.pair.id
  protocol                       = "Tcp"
  frontend_port                  = 2222
  backend_port                   = 22
  frontend_ip_configuration_name = "public"
}

resource "azurerm_network_interface" "pair" {
  count               = 2
  name                = "pair-${count.index}-nic"
  location            = azurerm_resource_group.pair.location
  resource_group_name = azurerm_resource_group.pair.name

  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.pair.id
    private_ip_address_allocation = "Dynamic"
  }
}

resource "azurerm_network_interface_backend_address_pool_association" "pair" {
  count                   = 2
  network_interface_id    = azurerm_network_interface.pair[count.index].id
  ip_configuration_name   = "internal"
  backend_address_pool_id = azurerm_lb_backend_address_pool.pair.id
}

resource "azurerm_linux_virtual_machine" "pair" {
  count                 = 2
  name                  = "pair-${count.index}"
  resource_group_name   = azurerm_resource_group.pair.name
  location              = azurerm_resource_group.pair.location
  size                  = "Standard_B1s"
  admin_username        = "azureuser"
  availability_set_id   = azurerm_availability_set.pair.id
  network_interface_ids = [azurerm_network_interface.pair[count.index].id]

  admin_ssh_key {
    username   = "azureuser"
    public_key = var.ssh_public_key
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
