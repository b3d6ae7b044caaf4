"""Long-running operations: in async mode a write answers at once and completes when its time comes.

Operations live in the store, so they survive a restart and any request may complete them: each request
first completes what is due (:meth:`Operations.tick`), as if ARM had finished the work meanwhile.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC
from datetime import datetime

from sandbox.arm import ids
from sandbox.arm.cloud.registry import Registry
from sandbox.arm.cloud.transaction import Transaction
from sandbox.arm.errors import ArmError
from sandbox.arm.store import Store
from sandbox.arm.types.base import Body


class Operations:
    def __init__(self, store: Store, registry: Registry, clock: Callable[[], float]) -> None:
        self.store = store
        self.registry = registry
        self.clock = clock

    def start(self, conn: sqlite3.Connection, rid: ids.ResourceId, kind: str, delay: float) -> str:
        """Record an operation (``put`` or ``delete``) on ``rid`` that completes after ``delay`` seconds."""
        op_id = str(uuid.uuid4())
        now = self.clock()
        self.store.add_operation(conn, op_id, rid.subscription, kind, str(rid), now + delay, iso(now))
        return op_id

    def status(self, op_id: str) -> Body:
        """The operation as ARM's Azure-AsyncOperation endpoint shows it."""
        self.tick()
        op = self.store.operation(op_id)
        if op is None:
            raise ArmError(404, "OperationNotFound", f"The operation '{op_id}' could not be found.")
        status, started, error = op
        body: Body = {"name": op_id, "status": status, "startTime": started}
        if status != "InProgress":
            body["endTime"] = iso(self.clock())
        if error:
            failure = operation_error(error)
            body["error"] = {"code": failure.code, "message": failure.message}
        return body

    def failure(self, op_id: str) -> ArmError:
        """The error a failed operation ended with."""
        op = self.store.operation(op_id)
        return operation_error(op[2] if op and op[2] else "")

    def tick(self) -> None:
        """Complete the asynchronous operations whose time has come.

        An operation that cannot complete (say, its resource came into use meanwhile) fails on its own,
        as in ARM; the request that happened to run it is not affected.
        """
        for op_id, kind, target_key in self.store.due_operations(self.clock()):
            try:
                self._complete(op_id, kind, target_key)
            except ArmError as e:
                error = json.dumps({"status": e.status, "code": e.code, "message": e.message})
                with self.store.transaction() as conn:
                    if self.store.finish_operation(conn, op_id, "Failed", error):
                        row = self.store.get_in(conn, target_key)
                        if row is not None:
                            row.body["properties"]["provisioningState"] = "Failed"
                            self.store.put(conn, row.id, row.type, row.body)

    def _complete(self, op_id: str, kind: str, target_key: str) -> None:
        with self.store.transaction() as conn:
            if not self.store.finish_operation(conn, op_id, "Succeeded", None):
                return  # a concurrent request completed it first
            row = self.store.get_in(conn, target_key)
            if row is not None and kind == "put":
                row.body["properties"]["provisioningState"] = "Succeeded"
                self.store.put(conn, row.id, row.type, row.body)
            elif row is not None and kind == "delete":
                now = datetime.fromtimestamp(self.clock(), UTC)
                Transaction(self.store, self.registry, conn, None, now).delete(row.id)


def operation_error(stored: str) -> ArmError:
    """The error an operation failed with, as :meth:`Operations.tick` stored it."""
    try:
        data = json.loads(stored)
        return ArmError(int(data["status"]), str(data["code"]), str(data["message"]))
    except (ValueError, TypeError, KeyError):
        return ArmError(500, "OperationFailed", stored)


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")
