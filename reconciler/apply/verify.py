"""After an apply: is the cloud what the configuration says? Two independent looks.

1. A live re-read (a drift scan, recorded like any other): none of the resources the apply touched may
   show drift. This catches a cloud that answered 200 and kept the old value.
2. ``terraform plan -detailed-exitcode`` on the same scope: it must plan nothing.

The two run side by side (the scan reads over HTTP in threads, the plan is a process of its own); only
a plan that still changes something is saved and shown, to say what.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reconciler.apply import plan as saved_plan
from reconciler.drift.run import DriftOptions
from reconciler.drift.run import run_drift
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
    args = [f"-lock-timeout={int(lock_timeout)}s", *(f"-target={t}" for t in targets)]
    # The state the apply wrote, pulled before the plan starts (in a session, from the same Terraform).
    pulled = tf.run(["state", "pull"], root)
    state_file = None
    if pulled.rc == 0 and pulled.stdout.strip():
        state_file = scratch / "applied.tfstate"
        fd = os.open(state_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(pulled.stdout)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify-plan") as pool:
        planned = pool.submit(tf.plan, root, None, False, args)
        # Who changed what is not the question here: no Activity Log read.
        report = run_drift(
            DriftOptions(directory=root, state_file=state_file, environ=environ, attribution=False)
        )
        changed = planned.result().changed
    problems = []
    for d in report.drifts:
        if d.address in affected and d.kind in ("changed", "deleted", "unknown"):
            what = ", ".join(f"{c.path}: {c.state!r} applied, {c.live!r} live" for c in d.changes)
            problems.append(f"{d.address}: {d.kind} after the apply" + (f" ({what})" if what else ""))
    if changed:
        again = saved_plan.make(tf, root, scratch / "verify.tfplan", targets, lock_timeout)
        problems.append(f"terraform plan still changes {again.summary() if again.changes else 'something'}")
    return problems
