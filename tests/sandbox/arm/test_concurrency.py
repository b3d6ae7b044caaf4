"""1,000 concurrent mixed requests lose and corrupt nothing."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
import requests

from sandbox.arm.identity import make_token

API = "2024-05-01"
PIPS, NICS = 40, 20
PIP_STEPS, NIC_STEPS = 17, 16  # requests per chain: 40 * 17 + 20 * 16 = 1,000


class _Client:
    """One keep-alive session per worker thread; every unexpected answer is recorded, not raised."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.local = threading.local()
        self.failures: list[str] = []
        self.writes = 0
        self.requests = 0
        self._lock = threading.Lock()

    def call(self, method: str, path: str, body: dict | None, expect: tuple[int, ...]) -> dict:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
            session.headers["Authorization"] = f"Bearer {self.token}"
        response = session.request(
            method, self.url + path, params={"api-version": API}, json=body, timeout=60
        )
        with self._lock:
            self.requests += 1
            self.writes += method != "GET"
            if response.status_code not in expect:
                self.failures.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
        return response.json() if response.content else {}


def _pip_chain(client: _Client, path: str, k: int) -> Callable[[], dict | None]:
    def body(tags: dict) -> dict:
        return {
            "location": "westeurope",
            "sku": {"name": "Standard"},
            "properties": {"publicIPAllocationMethod": "Static"},
            "tags": tags,
        }

    def run() -> dict | None:
        client.call("PUT", path, body({"v": "0"}), (201,))
        tags: dict | None = {"v": "0"}
        for step in range(1, PIP_STEPS - 2):
            if step % 3 == 1:
                tags = {"v": str(step), "owner": f"t{k}"}
                client.call("PATCH", path, {"tags": tags}, (200,))
            elif step % 3 == 2:
                got = client.call("GET", path, None, (200,))
                if got.get("tags") != tags:
                    client.failures.append(f"GET {path}: tags {got.get('tags')} != {tags}")
            else:
                tags = {"v": str(step)}
                client.call("PUT", path, body(tags), (200,))
        if k % 4 == 0:
            client.call("DELETE", path, None, (200,))
            client.call("GET", path, None, (404,))
            return None
        if k % 4 == 1:
            client.call("DELETE", path, None, (200,))
            tags = {"v": "reborn"}
            client.call("PUT", path, body(tags), (201,))
            return tags
        client.call("PATCH", path, {"tags": {"v": "last", "k": str(k)}}, (200,))
        return client.call("GET", path, None, (200,)).get("tags")

    return run


def _nic_chain(client: _Client, path: str, subnet_id: str) -> Callable[[], dict | None]:
    def body(tags: dict) -> dict:
        config = {"name": "ipconfig1", "properties": {"subnet": {"id": subnet_id}}}
        return {"location": "westeurope", "properties": {"ipConfigurations": [config]}, "tags": tags}

    def run() -> dict | None:
        client.call("PUT", path, body({}), (201,))
        tags: dict = {}
        for step in range(1, NIC_STEPS - 1):
            if step % 2:
                tags = {**tags, f"s{step}": "x"}
                client.call("PATCH", path, {"tags": tags}, (200,))
            else:
                client.call("GET", path, None, (200,))
        final = client.call("GET", path, None, (200,))
        return final.get("tags")

    return run


@pytest.mark.slow
def test_a_thousand_concurrent_requests(az, group, data_dir):
    az.vnet(group, "vnet1", ("default", "10.0.0.0/22"))
    subnet_id = az.subnet_id(group)
    client = _Client(az.sandbox.url, make_token({"upn": "load@example.com"}))
    pip_paths = {
        f"pip-{k}": az.arm.path(group, "Microsoft.Network/publicIPAddresses", f"pip-{k}") for k in range(PIPS)
    }
    nic_paths = {
        f"nic-{k}": az.arm.path(group, "Microsoft.Network/networkInterfaces", f"nic-{k}") for k in range(NICS)
    }
    chains = {name: _pip_chain(client, path, k) for k, (name, path) in enumerate(pip_paths.items())}
    chains |= {name: _nic_chain(client, path, subnet_id) for name, path in nic_paths.items()}

    started = datetime.now(UTC) - timedelta(seconds=5)
    with ThreadPoolExecutor(max_workers=24) as pool:
        futures = {name: pool.submit(chain) for name, chain in chains.items()}
        expected = {name: f.result() for name, f in futures.items()}

    assert client.failures == []
    assert client.requests == 1000

    pips = {p.name: p.tags for p in az.network.public_ip_addresses.list(group)}
    assert pips == {
        name: tags for name, tags in expected.items() if name.startswith("pip-") and tags is not None
    }
    assert len(pips) == PIPS - PIPS // 4
    nics = list(az.network.network_interfaces.list(group))
    assert {n.name: n.tags for n in nics} == {
        name: tags for name, tags in expected.items() if name.startswith("nic-")
    }
    assert all(len(tags) == (NIC_STEPS - 1) // 2 for tags in expected.values() if tags and "s1" in tags)
    addresses = [n.ip_configurations[0].private_ip_address for n in nics]
    assert len(set(addresses)) == NICS  # concurrent allocations in one subnet never collide
    subnet = az.network.subnets.get(group, "vnet1", "default")
    assert len(subnet.ip_configurations) == NICS
    assert len(list(az.resources.resources.list_by_resource_group(group))) == 1 + len(pips) + NICS

    # Every write is in the Activity Log exactly once (a Begin/End pair), none failed.
    since = started.strftime("%Y-%m-%dT%H:%M:%SZ")
    events = list(
        az.monitor.activity_logs.list(filter=f"eventTimestamp ge '{since}' and caller eq 'load@example.com'")
    )
    end = [e for e in events if e.event_name.value == "EndRequest"]
    assert len(end) == client.writes and len(events) == 2 * client.writes
    assert {e.status.value for e in end} == {"Succeeded"}

    with sqlite3.connect(data_dir / "arm.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = db.execute("SELECT COUNT(*) FROM refs WHERE from_key NOT IN (SELECT key FROM resources)")
        assert orphans.fetchone() == (0,)
