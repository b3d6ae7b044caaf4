"""The store's one error: what a user can cause or fix about the store, naming the file or database.

It has the shape every expected failure has (``message``, ``code``, ``exit_code``, ``file``, ``line``;
see :mod:`reconciler.errors` for the whole tree), so the CLI shows it like its own.
"""

from __future__ import annotations

from typing import Self


class StoreError(Exception):
    """The store cannot be used: corrupt, newer than this reconcile, locked too long; an unknown id."""

    code = "store"
    exit_code = 1
    line: int | None = None

    def __init__(self, message: str, *, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file

    @classmethod
    def at(cls, location: object, detail: str) -> Self:
        """``location: detail``, with the file or database kept apart for the JSON form."""
        return cls(f"{location}: {detail}", file=str(location))

    def __str__(self) -> str:
        return self.message
