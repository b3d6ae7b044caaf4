variable "prefix" {
  description = "Prefix for every resource name."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
  default     = "westeurope"
}

variable "vms" {
  description = "The fleet: one VM per name."
  type        = set(string)
}

variable "vm_size" {
  description = "Size of every VM."
  type        = string
  default     = "Standard_B1s"
}

variable "ssh_public_key" {
  description = "SSH public key for the admin user."
  type        = string
}
