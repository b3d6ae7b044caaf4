"""The transactions the store's verbs run in, over any DB-API 2 connection.

A subclass (:class:`~state.sqlite.SqliteStore`) supplies the connection: a read transaction, a write
transaction, its driver's ``paramstyle``, and how a driver error reads as a one-line
:class:`~state.errors.StoreError`. The verbs (:mod:`state.sqlstore`, :mod:`state.ledger`) say which
statements run in which order, once for every database.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC
from datetime import datetime
from types import TracebackType
from typing import Any
from typing import Protocol
from typing import Self

from state.key import StoreKey
from state.redaction import Redactor
from state.schema import QUERIES
from state.schema import Queries


class Cursor(Protocol):
    """The part of a DB-API 2 cursor the store uses."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Any: ...

    def executemany(self, sql: str, seq_of_parameters: Iterable[Sequence[Any]], /) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    @property
    def rowcount(self) -> int: ...


def utcnow() -> datetime:
    return datetime.now(UTC)


class Transactions:
    """What every group of store verbs stands on: the statements, the clock, and two transactions."""

    def __init__(
        self,
        location: str,
        paramstyle: str,
        clock: Callable[[], datetime] = utcnow,
        *,
        redactor: Redactor | None = None,
        key: StoreKey,
    ) -> None:
        self.location = location  # the file or database, as error messages name it
        self._q: Queries = QUERIES.for_paramstyle(paramstyle)
        self._clock = clock
        self._redactor = redactor or Redactor()  # every known secret, scrubbed from what is written
        self._key = key  # for keyed hashes of secrets (state.key)

    def redact_also(self, secrets: Iterable[str]) -> None:
        """Scrub these values too from everything written from now on (secrets learnt on the way)."""
        self._redactor = self._redactor.with_secrets(secrets)

    # -- supplied by the subclass -----------------------------------------------------------------

    def _read(self) -> AbstractContextManager[Cursor]:
        """A cursor in a read transaction that never waits for writers."""
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Cursor]:
        """A cursor in a write transaction: committed when the block ends, rolled back if it raises.
        Driver errors raised inside it, and inside :meth:`_read`, come out as :class:`StoreError`."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
