"""What an apply (or a rollback) did, step by step, and its JSON form (``--format json``, version 1).

    {"version": 1, "workspace": "<dir>", "action": "apply|revert|rollback", "result": "applied",
     "exit_code": 0, "commits": ["<sha>"], "proposals": ["p-..."], "plan": {"<address>": ["update"]},
     "plan_hash": "<sha256 of the saved plan>", "error": "",
     "steps": [{"name": "plan", "ok": true, "seconds": 1.9, "detail": ""}],
     "rollback": {"commits": ["<sha>"], "steps": [...], "result": "rolled_back"} | null,
     "audit": [<seq>, ...]}

Exit codes: 0 applied (or nothing to apply); 1 refused before anything was applied (one line on stderr);
3 the apply or its verification failed and the configuration before it was re-applied and verified;
4 it failed and the cloud is not back at a known configuration (the rollback failed, was disabled, or
there was nothing to roll back to): ``error`` and the steps say what is left.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from typing import Literal
from typing import NamedTuple

from state.audit import Action
from state.audit import StepTime

Result = Literal["applied", "planned", "rolled_back", "rollback_failed", "failed"]
EXIT_CODES: dict[str, int] = {"applied": 0, "planned": 0, "rolled_back": 3, "rollback_failed": 4, "failed": 4}
REPORT_VERSION = 1


class StepFailed(Exception):
    """A step that did not succeed; its message is the step's detail."""


class Steps:
    """Timed steps: ``with steps.step("plan"):`` records the step, ok or failed with the error's text."""

    def __init__(self) -> None:
        self.done: list[StepTime] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        except Exception as e:
            self.done.append(StepTime(name, False, round(time.monotonic() - start, 3), _text(e)))
            raise
        self.done.append(StepTime(name, True, round(time.monotonic() - start, 3)))

    def note(self, name: str, ok: bool, detail: str = "") -> None:
        self.done.append(StepTime(name, ok, 0.0, detail))


class Rollback(NamedTuple):
    result: Result  # rolled_back or rollback_failed
    commits: tuple[str, ...]
    steps: tuple[StepTime, ...]
    error: str = ""


class ApplyReport(NamedTuple):
    workspace: str
    action: Action
    result: Result
    commits: tuple[str, ...]
    proposals: tuple[str, ...]
    plan: dict[str, list[str]]  # what the saved plan changes: address -> actions (no-ops left out)
    plan_hash: str
    steps: tuple[StepTime, ...]
    error: str = ""
    rollback: Rollback | None = None
    audit: tuple[int, ...] = ()

    @property
    def exit_code(self) -> int:
        if self.rollback is not None:
            return EXIT_CODES[self.rollback.result]
        return EXIT_CODES[self.result]


def to_json(report: ApplyReport) -> dict[str, Any]:
    return {
        "version": REPORT_VERSION,
        "workspace": report.workspace,
        "action": report.action,
        "result": report.rollback.result if report.rollback else report.result,
        "exit_code": report.exit_code,
        "commits": list(report.commits),
        "proposals": list(report.proposals),
        "plan": report.plan,
        "plan_hash": report.plan_hash,
        "error": report.error,
        "steps": [s._asdict() for s in report.steps],
        "rollback": None
        if report.rollback is None
        else {
            "result": report.rollback.result,
            "commits": list(report.rollback.commits),
            "steps": [s._asdict() for s in report.rollback.steps],
            "error": report.rollback.error,
        },
        "audit": list(report.audit),
    }


def _text(e: Exception) -> str:
    message = getattr(e, "message", None) or str(e) or type(e).__name__
    return str(message)
