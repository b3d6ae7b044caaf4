"""An apply's report as people read it (``table``) or programs do (``json``)."""

from __future__ import annotations

import json

from reconciler.apply.model import ApplyReport
from reconciler.apply.model import to_json
from state.audit import StepTime

_RESULT = {
    "applied": "applied",
    "planned": "planned only (--dry-run): nothing applied",
    "rolled_back": "FAILED, rolled back to the configuration applied before",
    "rollback_failed": "FAILED, and the rollback failed too: see what is left below",
    "failed": "FAILED, not rolled back",
}


def render(report: ApplyReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_json(report), indent=2) + "\n"
    lines = [f"reconcile {report.action} {report.workspace}"]
    lines += _steps(report.steps)
    if report.plan:
        lines.append("planned: " + "; ".join(f"{a} {'/'.join(x)}" for a, x in sorted(report.plan.items())))
    for sha in report.commits:
        lines.append(f"committed {sha[:12]}")
    if report.error:
        lines.append(f"error: {report.error}")
    back = report.rollback
    if back is not None:
        lines.append("rollback:")
        lines += ["  " + line for line in _steps(back.steps)]
        lines += [f"  reverted with {sha[:12]}" for sha in back.commits]
        if back.error:
            lines.append(f"  left: {back.error}")
    result = back.result if back else report.result
    lines.append(f"result: {_RESULT[result]} (exit {report.exit_code}); audit row(s) {_seqs(report.audit)}")
    return "\n".join(lines) + "\n"


def _steps(steps: tuple[StepTime, ...]) -> list[str]:
    out = []
    for s in steps:
        mark = "✔" if s.ok else "✘"
        detail = f": {s.detail}" if s.detail else ""
        out.append(f"{mark} {s.name} ({s.seconds:.1f} s){detail}")
    return out


def _seqs(seqs: tuple[int, ...]) -> str:
    return ", ".join(str(n) for n in seqs) or "none"
