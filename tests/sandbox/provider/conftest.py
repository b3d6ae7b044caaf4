"""Fixtures for the sandbox provider's tests."""

from support.cloud import cloud

__all__ = ["cloud"]
