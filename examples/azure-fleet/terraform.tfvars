prefix         = "fleet"
vms            = ["api", "web", "worker"]
vm_size        = "Standard_B1s"
ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheSandboxOnlyDoNotUseAnywhere0000 fleet@reconcile"
