"""Errors of the provider's ARM calls and operations, worded the way azurerm reports them."""

from __future__ import annotations


class ArmCallError(Exception):
    """An ARM error answer, worded the way azurerm reports them."""

    def __init__(self, status: int | None, code: str, message: str) -> None:
        super().__init__(f"unexpected status {status} ({code}): {message}")
        self.status = status
        self.code = code
        self.message = message


class CrudError(Exception):
    """A failed operation: ``creating azurerm_virtual_network (/subscriptions/...): unexpected ...``."""


class AlreadyExists(CrudError):
    pass
