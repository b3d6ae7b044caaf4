output "vm_ids" {
  description = "ARM ids of the VMs, by name."
  value       = { for name, vm in azurerm_linux_virtual_machine.vm : name => vm.id }
}
