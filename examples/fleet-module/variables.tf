variable "fleet" {
  description = "VM name => size."
  type        = map(string)
}
