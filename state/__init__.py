"""The unified state store: Terraform state, live snapshots, drift history, locks and the audit log."""
