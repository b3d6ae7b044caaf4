variable "prefix" {
  description = "Prefix for every resource name."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
  default     = "westeurope"
}

variable "vm_count" {
  description = "How many VMs sit behind the load balancer."
  type        = number
  default     = 3
}

variable "vm_size" {
  description = "Size of every VM."
  type        = string
  default     = "Standard_B1s"
}

variable "admin_username" {
  description = "Admin user on the VMs."
  type        = string
  default     = "azureuser"
}

variable "ssh_public_key" {
  description = "SSH public key for the admin user."
  type        = string
}

variable "data_disk_size_gb" {
  description = "Size of the managed data disk attached to the first VM."
  type        = number
  default     = 32
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = {}
}
