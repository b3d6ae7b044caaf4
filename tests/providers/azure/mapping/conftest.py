"""Fixtures for the mapping tests that drive a type through real Terraform and the sandbox provider."""

from sandbox_cloud import cloud

__all__ = ["cloud"]
