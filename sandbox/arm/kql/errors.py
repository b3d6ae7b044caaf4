"""The one error of the KQL package."""

from __future__ import annotations


class GraphQueryError(Exception):
    """The query is malformed or outside the supported subset.

    `code` is the ARM error code for the response body; `position` is the 0-based offset of the offending
    token in the query, or None when no single token is to blame.
    """

    code = "InvalidQuery"

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
