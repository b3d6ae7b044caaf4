output "load_balancer_ip" {
  description = "Public address of the load balancer."
  value       = azurerm_public_ip.lb.ip_address
}

output "vm_ids" {
  description = "ARM ids of the VMs."
  value       = azurerm_linux_virtual_machine.web[*].id
}

output "vm_private_ips" {
  description = "Private address of each VM."
  value       = azurerm_network_interface.web[*].private_ip_address
}
