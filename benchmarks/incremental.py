"""An incremental scan against a full one: 10,000 managed resources, 10 changed, 100 ms per request.

A sandbox server process is seeded with public IPs over ten resource groups (as ``drift_scale.py`` does),
a full scan is recorded, ten of them are changed by a script through ARM, and then, each in its own
process with 100 ms of latency on every ARM request: ``reconcile drift --incremental`` (the Activity Log
since the last scan, the ten read again, the rest carried forward) and a full ``reconcile drift``.
Target: the incremental scan under 1 s.

    .venv/bin/python benchmarks/incremental.py [--size 10000] [--changed 10] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import requests
from drift_scale import NETWORK_API
from drift_scale import run
from drift_scale import seed
from drift_scale import workspace

from sandbox import lifecycle
from sandbox.admin import AdminClient
from sandbox.arm.identity import make_token
from sandbox.environment import client_environment
from sandbox.server import identity

TARGET_S = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description="incremental vs full drift scan")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = measure(Path(tmp), args.size, args.changed, args.latency_ms, args.runs)
    print(f"{'run':<36} {'resources':>9} {'changed':>7} {'latency':>8} {'wall s':>7} {'peak MiB':>9}")
    for name, wall, peak in rows:
        line = (
            f"{name:<36} {args.size:>9} {args.changed:>7} {args.latency_ms:>6} ms {wall:>7.2f} {peak:>9.0f}"
        )
        print(line)
    best = min(w for n, w, _ in rows if n.startswith("reconcile drift --incremental"))
    print(
        f"target incremental under {TARGET_S:.0f} s: {'met' if best < TARGET_S else 'NOT met'} ({best:.2f} s)"
    )


def measure(
    root: Path, size: int, changed: int, latency_ms: int, runs: int
) -> list[tuple[str, float, float]]:
    data_dir = root / "sandbox"
    server = lifecycle.start_detached(data_dir, "127.0.0.1", 0, async_operations=False)
    try:
        sub = identity(data_dir).subscription
        ws = workspace(root / "ws", seed(server.url, sub, size), size)
        # The seeding is seconds old, not days: only the Activity Log's own delay (none on the sandbox)
        # separates the recorded scan from the changes.
        env = {**os.environ, **client_environment(server.url, data_dir), "RECONCILE_CONCURRENCY": "32",
               "PYTHONDONTWRITEBYTECODE": "", "RECONCILE_ACTIVITY_LOG_DELAY": "0"}  # fmt: skip
        state = ["--state", str(ws / "terraform.tfstate")]
        drift = [sys.executable, "-P", "-m", "reconciler", "drift", str(ws), "--format", "json", "--output",
                 str(root / "report.json"), *state]  # fmt: skip
        run(drift, env)  # the full scan incremental ones build on
        _change(server.url, sub, changed)
        admin = AdminClient(server.url)
        admin.add_fault({"latency_ms": latency_ms})
        rows = []
        for _ in range(runs):
            wall, peak = run([*drift, "--incremental"], env)
            report = json.loads((root / "report.json").read_text())
            assert report["mode"] == "incremental" and report["summary"]["changed"] == changed, report
            rows.append(("reconcile drift --incremental", wall, peak))
        # The same scan in full, as a cron run makes it (the Activity Log read since the last scan).
        wall, peak = run(drift, env)
        rows.append(("reconcile drift (full, Resource Graph)", wall, peak))
        return rows
    finally:
        lifecycle.stop(data_dir)


def _change(url: str, sub: str, changed: int) -> None:
    """Tag ``changed`` of the IPs as a script would (not Terraform's identity)."""
    headers = {
        "Authorization": f"Bearer {make_token({'appid': 'ops-script'})}",
        "Content-Type": "application/json",
    }
    for i in range(changed):
        group = f"/subscriptions/{sub}/resourceGroups/bench-rg-{i % 10}"
        rid = f"{group}/providers/Microsoft.Network/publicIPAddresses/pip-{i}"
        got = requests.get(f"{url}{rid}?api-version={NETWORK_API}", headers=headers, timeout=30)
        got.raise_for_status()
        body = got.json()
        body["tags"] = {"changed-by": "script"}
        requests.put(f"{url}{rid}?api-version={NETWORK_API}", headers=headers, data=json.dumps(body),
                     timeout=30).raise_for_status()  # fmt: skip


if __name__ == "__main__":
    main()
