"""Runtime fault injection: latency, throttling (429 with Retry-After), server errors, and writes that
answer success while the cloud keeps old values — by path, type or method.

Rules are held by the running emulator and changed through its admin endpoint (``reconcile sandbox
faults``); a seeded random source makes rates reproducible in tests and benchmarks.
"""

from __future__ import annotations

import fnmatch
import random
import threading
import uuid
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import NamedTuple

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


_WRITES = ("PUT", "PATCH")


class Decision(NamedTuple):
    """What the rules make of one request."""

    delay: float  # seconds to wait before serving it
    error: ArmError | None  # answer with this instead of serving it
    ignored: tuple[str, ...] = ()  # property paths a write must leave as they were


@dataclass(frozen=True)
class FaultRule:
    """One rule. ``path`` is a glob over the lowercase request path; ``type`` narrows to a resource type.

    ``ignore_properties`` makes matching writes (PUT, PATCH) answer success, echoing the request, while
    the cloud keeps the old value of these dotted paths (``properties.hardwareProfile.vmSize``).
    """

    path: str = "*"
    type: str = ""
    methods: tuple[str, ...] = ()
    latency_ms: int = 0
    status: int | None = None
    rate: float = 1.0
    retry_after: int = 1
    count: int | None = None  # stop after injecting this many faults
    ignore_properties: tuple[str, ...] = ()
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in _ERRORS:
            raise ValueError(f"status must be one of {sorted(_ERRORS)}, not {self.status}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, not {self.rate}")
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        for path in self.ignore_properties:
            if not isinstance(path, str) or not all(path.split(".")):
                raise ValueError(f"ignore_properties: {path!r} is not a dotted property path")
        if self.ignore_properties and self.methods and not set(self.methods) & set(_WRITES):
            raise ValueError("ignore_properties applies to writes: methods must include PUT or PATCH")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        unknown = set(data) - set(known)
        if unknown:
            raise ValueError(f"unknown fault rule field(s): {', '.join(sorted(unknown))}")
        if "methods" in known:
            known["methods"] = tuple(m.upper() for m in known["methods"])
        if "ignore_properties" in known:
            known["ignore_properties"] = tuple(known["ignore_properties"] or ())
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
        self._matched: dict[str, int] = {}  # requests a rule matched, whatever it did to them
        self._random = random.Random(seed)

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
            self._injected[rule.id] = 0
            self._matched[rule.id] = 0
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._injected.clear()
            self._matched.clear()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            counts = [(self._injected.get(r.id, 0), self._matched.get(r.id, 0)) for r in self._rules]
            return [
                {**r.to_json(), "injected": injected, "matched": matched}
                for r, (injected, matched) in zip(self._rules, counts, strict=True)
            ]

    def decide(self, method: str, path: str) -> Decision:
        """What to do with a request: delay it, answer an error instead, or keep properties it writes."""
        delay = 0.0
        ignored: list[str] = []
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                self._matched[rule.id] += 1
                delay += rule.latency_ms / 1000
                if rule.count is not None and self._injected[rule.id] >= rule.count:
                    continue
                if rule.ignore_properties and method.upper() in _WRITES:
                    self._injected[rule.id] += 1
                    ignored.extend(p for p in rule.ignore_properties if p not in ignored)
                if rule.status is not None and self._random.random() < rule.rate:
                    self._injected[rule.id] += 1
                    code, message = _ERRORS[rule.status]
                    headers = {"Retry-After": str(rule.retry_after)} if rule.status in (429, 503) else {}
                    return Decision(delay, ArmError(rule.status, code, message, headers))
        return Decision(delay, None, tuple(ignored))
