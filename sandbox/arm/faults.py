"""Runtime fault injection: latency, throttling (429 with Retry-After) and server errors, by path or type.

Rules are held by the running emulator and changed through its admin endpoint (``reconcile sandbox
faults``); a seeded random source makes rates reproducible in tests and benchmarks.
"""

from __future__ import annotations

import fnmatch
import random
import threading
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sandbox.arm.errors import ArmError

_ERRORS = {
    429: (
        "TooManyRequests",
        "The request is being throttled as the limit has been reached for operation type.",
    ),
    500: ("InternalServerError", "Encountered internal server error. Please try again."),
    502: ("BadGateway", "The server received an invalid response from an upstream server."),
    503: ("ServerBusy", "The server is currently unable to receive requests. Please retry your request."),
    504: ("GatewayTimeout", "The gateway did not receive a response within the specified time period."),
}


@dataclass(frozen=True)
class FaultRule:
    """One rule. ``path`` is a glob over the lowercase request path; ``type`` narrows to a resource type."""

    path: str = "*"
    type: str = ""
    methods: tuple[str, ...] = ()
    latency_ms: int = 0
    status: int | None = None
    rate: float = 1.0
    retry_after: int = 1
    count: int | None = None  # stop after injecting this many errors
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in _ERRORS:
            raise ValueError(f"status must be one of {sorted(_ERRORS)}, not {self.status}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, not {self.rate}")
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        unknown = set(data) - set(known)
        if unknown:
            raise ValueError(f"unknown fault rule field(s): {', '.join(sorted(unknown))}")
        if "methods" in known:
            known["methods"] = tuple(m.upper() for m in known["methods"])
        return cls(**known)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def matches(self, method: str, path: str) -> bool:
        lowered = path.lower()
        if self.methods and method.upper() not in self.methods:
            return False
        if self.type and f"/providers/{self.type.lower()}/" not in lowered + "/":
            return False
        return fnmatch.fnmatchcase(lowered, self.path.lower())


class Faults:
    """The active rules of one emulator (thread-safe)."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._injected: dict[str, int] = {}
        self._random = random.Random(seed)

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
            self._injected[rule.id] = 0
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._injected.clear()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [{**r.to_json(), "injected": self._injected.get(r.id, 0)} for r in self._rules]

    def decide(self, method: str, path: str) -> tuple[float, ArmError | None]:
        """Seconds to delay the request, and the error to answer with instead of serving it."""
        delay = 0.0
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                delay += rule.latency_ms / 1000
                if rule.status is None:
                    continue
                if rule.count is not None and self._injected[rule.id] >= rule.count:
                    continue
                if self._random.random() < rule.rate:
                    self._injected[rule.id] += 1
                    code, message = _ERRORS[rule.status]
                    headers = {"Retry-After": str(rule.retry_after)} if rule.status in (429, 503) else {}
                    return delay, ArmError(rule.status, code, message, headers)
        return delay, None
