"""reconcile: Terraform-centric state reconciliation."""
