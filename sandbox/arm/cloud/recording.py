"""Activity Log recording: every write leaves a BeginRequest/EndRequest pair, whether it lands or fails."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import datetime

from sandbox.arm import activity
from sandbox.arm import ids
from sandbox.arm.errors import ArmError
from sandbox.arm.identity import Caller
from sandbox.arm.store import Store


class Recorder:
    def __init__(self, store: Store, tenant: str, clock: Callable[[], float]) -> None:
        self.store = store
        self.tenant = tenant
        self.clock = clock

    def recording(
        self, resource_id: str, type_name: str, method: str, caller: Caller, operation: str | None = None
    ) -> Recording:
        """A context for one write: set its outcome inside; the events are stored when it ends."""
        return Recording(self, resource_id, type_name, method, caller, operation)

    def record(
        self,
        resource_id: str,
        type_name: str,
        method: str,
        caller: Caller,
        operation: str,
        outcome: activity.Outcome,
    ) -> None:
        parsed = ids.parse(resource_id) or None
        group = ids.parse_group(resource_id)
        sub, rg = (parsed.subscription, parsed.resource_group) if parsed else (group or ("", ""))
        events = activity.events_for(
            resource_id=resource_id,
            type_name=type_name,
            subscription=sub,
            resource_group=rg,
            tenant=self.tenant,
            method=method,
            operation=operation,
            caller=caller,
            outcome=outcome,
            at=datetime.fromtimestamp(self.clock(), UTC),
        )
        with self.store.transaction() as conn:
            for event in events:
                self.store.add_event(conn, event)


class Recording:
    """Records the Activity Log events of one write when its block ends.

    An ARM error is recorded as a failed write (except 401/403: nobody to attribute it to); an
    emulator bug (any other exception) is not recorded: it is answered as an internal error.
    """

    def __init__(
        self,
        recorder: Recorder,
        resource_id: str,
        type_name: str,
        method: str,
        caller: Caller,
        operation: str | None,
    ) -> None:
        self.recorder = recorder
        self.resource_id = resource_id
        self.type_name = type_name
        self.method = method
        self.caller = caller
        self.operation = operation or activity.operation_name(type_name, method)
        self.outcome = activity.Outcome("Succeeded", 200)

    def set(self, http_status: int, status: str = "Succeeded", resource_id: str | None = None) -> None:
        self.outcome = activity.Outcome(status, http_status)
        if resource_id:
            self.resource_id = resource_id

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, ArmError):
            if exc.status in (401, 403):
                return
            self.outcome = activity.Outcome("Failed", exc.status, f"{exc.code}: {exc.message}")
        elif exc is not None:
            return
        self.recorder.record(
            self.resource_id, self.type_name, self.method, self.caller, self.operation, self.outcome
        )
