"""Paging cursors: the result of a query, kept while a client reads it page by page.

A Resource Graph answer that does not fit one page carries a ``$skipToken``; the next request presents it
and expects the same result, not a fresh query over a cloud that changed meanwhile. The server is
threaded, so cursors are shared between requests: they live under a lock and are bounded, the least
recently read forgotten first (its token then answers "expired", as ARM's do after a while).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from typing import Any

Row = dict[str, Any]


class Cursors:
    def __init__(self, capacity: int = 64) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._lock = threading.Lock()
        self._results: OrderedDict[str, list[Row]] = OrderedDict()

    def open(self, rows: list[Row]) -> str:
        """Keep ``rows`` for later pages; the cursor id goes into the skip tokens."""
        cursor = uuid.uuid4().hex
        with self._lock:
            self._results[cursor] = rows
            while len(self._results) > self.capacity:
                self._results.popitem(last=False)
        return cursor

    def rows(self, cursor: str) -> list[Row] | None:
        """The rows of an open cursor (now the most recently read), or None once forgotten."""
        with self._lock:
            rows = self._results.get(cursor)
            if rows is not None:
                self._results.move_to_end(cursor)
            return rows

    def __len__(self) -> int:
        with self._lock:
            return len(self._results)
