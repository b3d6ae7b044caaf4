"""After an apply: is the cloud what the configuration says? Two independent looks.

1. A live re-read (a drift scan, recorded like any other): none of the resources the apply touched may
   show drift. This catches a cloud that answered 200 and kept the old value.
2. ``terraform plan -detailed-exitcode`` on the same scope: it must plan nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from reconciler.apply import plan as saved_plan
from reconciler.drift.run import DriftOptions, run_drift
from reconciler.terraform import Terraform


def verify(
    tf: Terraform,
    root: Path,
    environ: Mapping[str, str],
    affected: set[str],
    targets: Sequence[str],
    scratch: Path,
    lock_timeout: float,
) -> list[str]:
    """What is not as applied, one line each; empty when the apply holds."""
    problems = []
    report = run_drift(DriftOptions(directory=root, environ=environ))
    for d in report.drifts:
        if d.address in affected and d.kind in ("changed", "deleted", "unknown"):
            what = ", ".join(f"{c.path}: {c.state!r} applied, {c.live!r} live" for c in d.changes)
            problems.append(f"{d.address}: {d.kind} after the apply" + (f" ({what})" if what else ""))
    again = saved_plan.make(tf, root, scratch / "verify.tfplan", targets, lock_timeout)
    if again.changes:
        problems.append(f"terraform plan still changes {again.summary()}")
    return problems
