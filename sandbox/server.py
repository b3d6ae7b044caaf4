"""Running a sandbox: its data dir, its identity, and its HTTP server (in a thread or a process).

A data dir identifies one sandbox: ``sandbox.json`` holds its tenant and subscriptions, ``arm.db`` its
resources and Activity Log, ``server.json`` the address and pid of the server while one runs.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from pathlib import Path
from typing import Any
from typing import NamedTuple

from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

from sandbox import DEFAULT_DATA_DIR
from sandbox.arm.app import ArmApp
from sandbox.arm.cloud import Cloud
from sandbox.arm.faults import Faults
from sandbox.arm.store import Store
from sandbox.arm.types import TYPES

__all__ = ["DEFAULT_DATA_DIR", "Identity", "Sandbox", "ServerInfo", "identity"]


class Identity(NamedTuple):
    tenant: str
    subscriptions: tuple[str, ...]

    @property
    def subscription(self) -> str:
        return self.subscriptions[0]


class ServerInfo(NamedTuple):
    url: str
    pid: int


def identity(data_dir: Path) -> Identity:
    """The sandbox's tenant and subscriptions, created on first use and kept in ``sandbox.json``."""
    path = data_dir / "sandbox.json"
    if path.exists():
        data = json.loads(path.read_text())
        return Identity(data["tenant"], tuple(data["subscriptions"]))
    data_dir.mkdir(parents=True, exist_ok=True)
    ident = Identity(str(uuid.uuid4()), (str(uuid.uuid4()),))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"tenant": ident.tenant, "subscriptions": list(ident.subscriptions)}, indent=2))
    tmp.replace(path)
    return ident


def build_app(data_dir: Path, seed: int | None = None) -> ArmApp:
    ident = identity(data_dir)
    cloud = Cloud(Store(data_dir / "arm.db"), TYPES, tenant=ident.tenant, subscriptions=ident.subscriptions)
    return ArmApp(cloud, Faults(seed))


class _Handler(WSGIRequestHandler):
    # HTTP/1.1 keeps connections alive: the SDKs reuse them and latency drops to the cost of the request.
    protocol_version = "HTTP/1.1"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class Sandbox:
    """An emulator served from a background thread on loopback (tests, the demo, benchmarks)."""

    def __init__(
        self, data_dir: Path, host: str = "127.0.0.1", port: int = 0, seed: int | None = None
    ) -> None:
        self.data_dir = data_dir
        self.app = build_app(data_dir, seed)
        self.identity = identity(data_dir)
        self._server: BaseWSGIServer = make_server(
            host, port, self.app, threaded=True, request_handler=_Handler
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    def start(self) -> Sandbox:
        # A short poll interval: shutdown waits for the serving loop to notice, and tests stop many sandboxes.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox-arm", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=10)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def write_server_info(data_dir: Path, info: ServerInfo) -> None:
    path = data_dir / "server.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(info._asdict()))
    tmp.replace(path)


def read_server_info(data_dir: Path) -> ServerInfo | None:
    """The running server of a data dir, or None (a stale file of a dead process counts as none)."""
    path = data_dir / "server.json"
    try:
        info = ServerInfo(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if not _alive(info.pid):
        return None
    return info


def clear_server_info(data_dir: Path) -> None:
    (data_dir / "server.json").unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
