"""The records of a proposal, and their JSON form (``reconcile propose --format json``, version 1).

A proposal resolves one drift item with a strategy:

- ``codify``: change the configuration so it describes what is live (edits to files);
- ``revert``: no code change; the plan that puts the cloud back is the proposal;
- ``import``: an ``import {}`` block and generated configuration for an unmanaged resource;
- ``accept``: remove a resource deleted out of band from the code (a ``removed {}`` block).

Edits are whole-file before/after texts (so untouched bytes stay byte-identical); a unified diff is
derived from them. Every proposal carries its validation record: each attempt and each step.
"""

from __future__ import annotations

import difflib
from typing import Any
from typing import Literal
from typing import NamedTuple

Strategy = Literal["codify", "revert", "import", "accept"]
Origin = Literal["rules", "llm"]
StepName = Literal["apply", "parse", "guardrails", "fmt", "validate", "plan", "intent", "policy"]


class FileEdit(NamedTuple):
    path: str  # relative to the workspace root, POSIX
    before: str  # "" for a new file
    after: str

    def diff(self) -> str:
        """A unified diff ``git apply`` accepts."""
        old = "/dev/null" if self.before == "" else f"a/{self.path}"
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=old,
            tofile=f"b/{self.path}",
        )
        text = "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
        )
        return (
            f"diff --git a/{self.path} b/{self.path}\n"
            + ("new file mode 100644\n" if not self.before else "")
            + text
        )


class Step(NamedTuple):
    name: StepName
    ok: bool
    detail: str = ""  # Terraform's diagnostics, the unexpected changes, the policy violations


class Attempt(NamedTuple):
    origin: Origin
    steps: tuple[Step, ...]

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)


class Violation(NamedTuple):
    rule: str  # e.g. "builtin.no_destroy_protected" or the Rego package and rule
    address: str
    message: str


class Advisory(NamedTuple):
    kind: Literal["replacement", "blast_radius", "cost", "note"]
    message: str


class Proposal(NamedTuple):
    proposal_id: str
    scan_id: str
    address: str | None
    resource_id: str
    drift_kind: str
    strategy: Strategy
    edits: tuple[FileEdit, ...]
    explanation: str
    advisories: tuple[Advisory, ...]
    attempts: tuple[Attempt, ...]
    violations: tuple[Violation, ...] = ()
    #: the planned actions of the validating plan, address -> ["update"] etc.
    plan: dict[str, list[str]] | None = None

    @property
    def valid(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].ok and not self.violations

    @property
    def origin(self) -> Origin | None:
        return self.attempts[-1].origin if self.attempts else None

    def diff(self) -> str:
        return "".join(e.diff() for e in self.edits)


def to_json(p: Proposal) -> dict[str, Any]:
    return {
        "proposal_id": p.proposal_id,
        "scan_id": p.scan_id,
        "address": p.address,
        "resource_id": p.resource_id,
        "drift_kind": p.drift_kind,
        "strategy": p.strategy,
        "valid": p.valid,
        "origin": p.origin,
        "explanation": p.explanation,
        "diff": p.diff(),
        "files": [e.path for e in p.edits],
        "advisories": [a._asdict() for a in p.advisories],
        "violations": [v._asdict() for v in p.violations],
        "plan": p.plan,
        "attempts": [
            {"origin": a.origin, "ok": a.ok, "steps": [s._asdict() for s in a.steps]} for a in p.attempts
        ],
    }
