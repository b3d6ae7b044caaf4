"""Drift scans of 1,000 and 10,000 managed resources, against ``terraform plan -refresh-only``.

A sandbox server process is seeded with public IPs spread over ten resource groups; the workspace's
state is built from what the sandbox holds, so a scan finds no drift. Each run is a separate process
(``reconcile drift``, or the embedded ``terraform plan -refresh-only``) and the table shows its wall
time and peak memory (max RSS of the process and its children). Runs are repeated with 100 ms of
latency injected into every ARM request, as Azure's is. Targets: 10,000 under 30 s and 1 GiB with the
latency on; at least 10x faster than ``plan -refresh-only`` at 1,000 with the latency on.

    .venv/bin/python benchmarks/drift_scale.py [--sizes 1000,10000] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from providers.azure.mapping import MAPPINGS
from sandbox import lifecycle
from sandbox.admin import AdminClient
from sandbox.arm.identity import make_token
from sandbox.environment import client_environment
from sandbox.provider.config import DEFAULT_CLIENT_ID
from sandbox.server import identity

GROUPS = 10
NETWORK_API = "2024-05-01"


def main() -> None:
    parser = argparse.ArgumentParser(description="drift scan scale benchmark")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated resource counts")
    parser.add_argument("--latency-ms", type=int, default=100, help="latency injected per request")
    parser.add_argument(
        "--refresh-only-max", type=int, default=1000, help="largest size to time plan -refresh-only"
    )
    args = parser.parse_args()

    rows: list[tuple[str, int, str, float, float]] = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            rows += measure(Path(tmp), size, args.latency_ms, args.refresh_only_max)

    print(f"{'run':<34} {'resources':>9} {'latency':>8} {'wall s':>8} {'peak MiB':>9}")
    for name, size, latency, wall, peak in rows:
        print(f"{name:<34} {size:>9} {latency:>8} {wall:>8.1f} {peak:>9.0f}")
    _verdicts(rows, args.latency_ms)


def measure(
    root: Path, size: int, latency_ms: int, refresh_only_max: int
) -> list[tuple[str, int, str, float, float]]:
    data_dir = root / "sandbox"
    server = lifecycle.start_detached(data_dir, "127.0.0.1", 0, async_operations=False)
    try:
        sub = identity(data_dir).subscription
        bodies = seed(server.url, sub, size)
        ws = workspace(root / "ws", bodies, size)
        env = {
            **os.environ,
            **client_environment(server.url, data_dir),
            "RECONCILE_CONCURRENCY": "32",
            # Measure what a user's machine runs: modules from cached bytecode.
            "PYTHONDONTWRITEBYTECODE": "",
        }
        admin = AdminClient(server.url)
        rows = []
        for latency in (0, latency_ms):
            admin.clear_faults()
            if latency:
                admin.add_fault({"latency_ms": latency})
            label = f"{latency} ms"
            wall, peak = run([*_drift(ws), "--state", str(ws / "terraform.tfstate")], env)
            rows.append(("reconcile drift (Resource Graph)", size, label, wall, peak))
            if size <= refresh_only_max:
                wall, peak = run(
                    [*_drift(ws), "--state", str(ws / "terraform.tfstate")],
                    {**env, "RECONCILE_BULK_READS": "false"},
                )
                rows.append(("reconcile drift (GET per resource)", size, label, wall, peak))
                refresh = ["plan", "-refresh-only", "-input=false", "-lock=false", "-no-color"]
                wall, peak = run(
                    [sys.executable, "-P", "-m", "reconciler", "terraform", f"-chdir={ws}", *refresh], env
                )
                rows.append(("terraform plan -refresh-only", size, label, wall, peak))
        return rows
    finally:
        lifecycle.stop(data_dir)


def _drift(ws: Path) -> list[str]:
    return [sys.executable, "-P", "-m", "reconciler", "drift", str(ws), "--format", "json", "--output",
            str(ws / "report.json"), "--no-store", "--no-attribution"]  # fmt: skip


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a command run in its own process tree."""
    wrapper = (
        "import resource, subprocess, sys, time, json;"
        "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL);"
        "w = time.perf_counter() - t;"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
        "print(json.dumps([p.returncode, w, r]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *command], env=env, capture_output=True, text=True, check=True
    )
    code, wall, rss_kib = json.loads(out.stdout)
    if code not in (0, 2):
        raise SystemExit(f"{' '.join(command[:5])} failed with exit code {code}")
    return float(wall), rss_kib / 1024


def seed(url: str, sub: str, size: int) -> list[dict[str, Any]]:
    headers = {
        # Terraform made them (the state says so): its writes are not people's changes.
        "Authorization": f"Bearer {make_token({'appid': DEFAULT_CLIENT_ID})}",
        "Content-Type": "application/json",
    }
    session = requests.Session()
    for g in range(GROUPS):
        rg = f"{url}/subscriptions/{sub}/resourceGroups/bench-rg-{g}?api-version=2022-09-01"
        session.put(rg, headers=headers, data=json.dumps({"location": "westeurope"})).raise_for_status()

    def put(i: int) -> dict[str, Any]:
        s = _session()
        group = f"/subscriptions/{sub}/resourceGroups/bench-rg-{i % GROUPS}"
        rid = f"{group}/providers/Microsoft.Network/publicIPAddresses/pip-{i}"
        body = {
            "location": "westeurope",
            "sku": {"name": "Standard"},
            "properties": {"publicIPAllocationMethod": "Static"},
        }
        r = s.put(f"{url}{rid}?api-version={NETWORK_API}", headers=headers, data=json.dumps(body))
        r.raise_for_status()
        return dict(r.json())

    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(put, range(size)))
    print(f"seeded {size} resources in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return bodies


_local = __import__("threading").local()


def _session() -> requests.Session:
    if not hasattr(_local, "s"):
        _local.s = requests.Session()
    session: requests.Session = _local.s
    return session


def workspace(ws: Path, bodies: list[dict[str, Any]], size: int) -> Path:
    """A configuration with ``count``, and the v4 state that Terraform would have written for it."""
    ws.mkdir(parents=True)
    (ws / "main.tf").write_text(
        'terraform {\n  required_providers {\n    azurerm = { source = "hashicorp/azurerm" }\n  }\n}\n'
        'provider "azurerm" {\n  features {}\n}\n'
        f'resource "azurerm_public_ip" "pip" {{\n  count               = {size}\n'
        '  name                = "pip-${count.index}"\n'
        f'  resource_group_name = "bench-rg-${{count.index % {GROUPS}}}"\n'
        '  location            = "westeurope"\n  allocation_method   = "Static"\n}\n'
    )
    mapping = MAPPINGS["azurerm_public_ip"]
    instances = [
        {
            "index_key": i,
            "schema_version": 0,
            "attributes": mapping.from_arm(body, None),
            "sensitive_attributes": [],
        }
        for i, body in enumerate(bodies)
    ]
    state = {
        "version": 4,
        "terraform_version": "1.15.5",
        "serial": 1,
        "lineage": "bench",
        "outputs": {},
        "resources": [
            {
                "mode": "managed",
                "type": "azurerm_public_ip",
                "name": "pip",
                "provider": 'provider["registry.terraform.io/hashicorp/azurerm"]',
                "instances": instances,
            }
        ],
        "check_results": None,
    }
    (ws / "terraform.tfstate").write_text(json.dumps(state))
    return ws


def _verdicts(rows: list[tuple[str, int, str, float, float]], latency_ms: int) -> None:
    latency = f"{latency_ms} ms"
    for name, size, lat, wall, peak in rows:
        if name.startswith("reconcile drift (Resource") and size >= 10000 and lat == latency:
            ok = wall < 30 and peak < 1024
            print(f"target {size:,} resources < 30 s and < 1 GiB with latency: {'met' if ok else 'NOT met'}")
    drift = {(r[1], r[2]): r[3] for r in rows if r[0].startswith("reconcile drift (Resource")}
    for name, size, lat, wall, _ in rows:
        if name.startswith("terraform") and lat == latency and (size, lat) in drift:
            ratio = wall / drift[(size, lat)]
            print(f"speed-up over plan -refresh-only at {size:,} with latency: {ratio:.1f}x (target 10x)")


if __name__ == "__main__":
    main()
