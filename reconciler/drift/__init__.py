"""Drift detection: merge configuration, Terraform state and live reads; classify and attribute drift."""
