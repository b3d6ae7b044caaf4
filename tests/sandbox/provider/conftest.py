"""Fixtures for the sandbox provider's tests."""

from sandbox_cloud import cloud

__all__ = ["cloud"]
