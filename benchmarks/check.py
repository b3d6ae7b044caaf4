"""Wall time of ``reconcile check`` (the pre-commit guard) on ``examples/azure-vm``.

The example (24 resources) is applied on a sandbox served from this process and changed out of band as in
the demo (five drifted resources), and ``reconcile drift`` stores the scan. Then, with the sandbox still
up but never asked (the check reads only the store and the files):

- ``reconcile check main.tf`` as a new process, as pre-commit runs it: interpreter start, imports, the
  store, loading the configuration, the verdicts (five blocked);
- ``reconcile check outputs.tf``: a commit that touches no drifted resource (five warnings);
- the check in-process (``run_check``), without the interpreter and import cost.

Target: under 2 s per process run.

    .venv/bin/python benchmarks/check.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reconciler import scenario
from reconciler.drift.run import DriftOptions
from reconciler.drift.run import run_drift
from reconciler.guard.run import CheckOptions
from reconciler.guard.run import run_check

TARGET_S = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description="reconcile check wall time on examples/azure-vm")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, scenario.estate(Path(tmp)) as e:
        ws = e.workspace
        e.tf.init(ws)
        e.tf.apply(ws)
        scenario.drift(e)
        env = {**os.environ, **scenario.terraform_env(e.sandbox)}
        report = run_drift(DriftOptions(directory=ws, environ=env))
        rows = [
            ("reconcile check main.tf (process)", _process(ws, "main.tf", args.runs, expect=1)),
            ("reconcile check outputs.tf (process)", _process(ws, "outputs.tf", args.runs, expect=0)),
            ("run_check main.tf (in-process)", _in_process(ws, args.runs)),
        ]
    managed, drifted = report.summary.managed, len(report.drifts)
    print(f"examples/azure-vm: {managed} managed resources, {drifted} drifted; {args.runs} runs")
    print(f"{'run':<40} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, values in rows:
        print(f"{name:<40} {statistics.median(values):>9.3f} {min(values):>7.3f} {max(values):>7.3f}")
    worst = max(statistics.median(v) for _, v in rows[:2])
    verdict = "met" if worst < TARGET_S else "MISSED"
    print(f"slowest median {worst:.2f} s (target under {TARGET_S:.0f} s: {verdict})")


def _process(ws: Path, file: str, runs: int, expect: int) -> list[float]:
    reconcile = Path(sys.executable).with_name("reconcile")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([str(reconcile), "check", file], cwd=ws, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode != expect:
            raise SystemExit(f"reconcile check {file} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return times


def _in_process(ws: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = run_check(CheckOptions(files=(Path("main.tf"),), cwd=ws))
        times.append(time.perf_counter() - started)
        assert result.exit_code == 1
    return times


if __name__ == "__main__":
    main()
