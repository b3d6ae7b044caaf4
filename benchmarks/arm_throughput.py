"""Throughput and latency of the sandbox's ARM emulator for GET and PUT, on this machine.

Starts a sandbox server process on loopback in a temp dir (as ``reconcile sandbox up --detach`` does),
seeds resources, then drives it over HTTP/1.1 keep-alive connections (one ``http.client`` connection per
client thread, so the numbers are the server's rather than a client library's) and prints a table.
Target: GET p50 under 5 ms.

    .venv/bin/python benchmarks/arm_throughput.py [--requests N] [--clients C] [--resources R]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from sandbox import lifecycle
from sandbox.arm.identity import make_token
from sandbox.server import identity

API = "api-version=2024-05-01"
Row = tuple[str, int, int, float, float, float]


def main() -> None:
    parser = argparse.ArgumentParser(description="Sandbox ARM emulator throughput and latency")
    parser.add_argument("--requests", type=int, default=2000, help="requests per measurement")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for the throughput runs")
    parser.add_argument("--resources", type=int, default=200, help="resources seeded before measuring")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        server = lifecycle.start_detached(data_dir, "127.0.0.1", 0, async_operations=False)
        try:
            rows = run(server.url, identity(data_dir).subscription, args)
        finally:
            lifecycle.stop(data_dir)

    print(f"{'op':<4} {'clients':>7} {'requests':>8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
    for name, clients, count, rate, p50, p99 in rows:
        print(f"{name:<4} {clients:>7} {count:>8} {rate:>8.0f} {p50:>7.2f} {p99:>7.2f}")
    p50_get = next(r[4] for r in rows if r[0] == "GET" and r[1] == 1)
    print(f"target GET p50 < 5 ms (single client): {'met' if p50_get < 5 else 'NOT met'} ({p50_get:.2f} ms)")


def run(url: str, subscription: str, args: argparse.Namespace) -> list[Row]:
    address = urlsplit(url)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    token = make_token({"upn": "bench@example.com"})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    group = f"/subscriptions/{subscription}/resourceGroups/bench"
    local = threading.local()

    def connection() -> http.client.HTTPConnection:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(host, port)
        conn: http.client.HTTPConnection = local.conn
        return conn

    def call(method: str, target: str, body: str | None = None) -> None:
        conn = connection()
        conn.request(method, target, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {target}: HTTP {response.status}")

    call("PUT", f"{group}?api-version=2021-04-01", json.dumps({"location": "westeurope"}))
    ids = [
        f"{group}/providers/Microsoft.Network/networkSecurityGroups/nsg-{i}" for i in range(args.resources)
    ]
    for rid in ids:
        call("PUT", f"{rid}?{API}", json.dumps({"location": "westeurope"}))

    def get(i: int) -> None:
        call("GET", f"{ids[i % len(ids)]}?{API}")

    def put(i: int) -> None:
        call(
            "PUT", f"{ids[i % len(ids)]}?{API}", json.dumps({"location": "westeurope", "tags": {"n": str(i)}})
        )

    rows: list[Row] = []
    for name, op in (("GET", get), ("PUT", put)):
        for clients in (1, args.clients):
            rows.append((name, clients, *measure(op, args.requests, clients)))
    return rows


def measure(op: Callable[[int], None], count: int, clients: int) -> tuple[int, float, float, float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def timed(i: int) -> None:
        start = time.perf_counter()
        op(i)
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            latencies.append(elapsed)

    for i in range(min(50, count)):  # warm the connection and the server's caches
        op(i)
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(timed, range(count)))
    wall = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return count, count / wall, statistics.median(latencies), p99


if __name__ == "__main__":
    main()
