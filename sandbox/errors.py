"""The sandbox's one user-facing error (the ARM emulator's wire errors are :mod:`sandbox.arm.errors`)."""

from __future__ import annotations


class SandboxError(Exception):
    """The sandbox cloud could not be started, reached or stopped; the message says what to do."""

    code = "sandbox"
    exit_code = 1
    file: str | None = None
    line: int | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
