prefix         = "demo"
location       = "westeurope"
vm_count       = 3
vm_size        = "Standard_B1s"
ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheSandboxOnlyDoNotUseAnywhere0000 demo@reconcile"
tags = {
  environment = "demo"
  owner       = "platform-team"
}
