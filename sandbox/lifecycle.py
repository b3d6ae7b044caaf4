"""Starting and stopping a sandbox server process for a data dir (``reconcile sandbox up/down``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from sandbox.errors import SandboxError
from sandbox.server import Sandbox
from sandbox.server import ServerInfo
from sandbox.server import clear_server_info
from sandbox.server import read_server_info
from sandbox.server import write_server_info

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


def running(data_dir: Path) -> ServerInfo | None:
    """The server serving ``data_dir``, if one is up and answering."""
    info = read_server_info(data_dir)
    if info is None or not healthy(info.url):
        return None
    return info


def require_running(data_dir: Path) -> ServerInfo:
    info = running(data_dir)
    if info is None:
        raise SandboxError(
            f"no sandbox is running for {data_dir}; start one with "
            f"'reconcile sandbox up --detach --data-dir {data_dir}'"
        )
    return info


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_sandbox/health", timeout=timeout) as response:
            return bool(json.load(response).get("status") == "ok")
    except (OSError, ValueError):
        return False


def serve(
    data_dir: Path,
    host: str,
    port: int,
    *,
    async_operations: bool,
    on_ready: Callable[[str], None],
) -> None:
    """Serve in the foreground until SIGINT/SIGTERM; the data dir records the address meanwhile."""
    existing = running(data_dir)
    if existing is not None:
        raise _already_running(data_dir, existing)
    try:
        sandbox = Sandbox(data_dir, host=host, port=port)
    except OSError as e:
        raise SandboxError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    sandbox.app.cloud.async_operations = async_operations

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    write_server_info(data_dir, ServerInfo(sandbox.url, os.getpid()))
    try:
        on_ready(sandbox.url)
        sandbox.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        clear_server_info(data_dir)


def start_detached(data_dir: Path, host: str, port: int, *, async_operations: bool) -> ServerInfo:
    """Start a server process that outlives this one; return once it answers."""
    existing = running(data_dir)
    if existing is not None:
        raise _already_running(data_dir, existing)
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "server.log"
    command = [sys.executable, "-P", "-m", "reconciler", "sandbox", "up", "--data-dir", str(data_dir)]
    command += ["--host", host, "--port", str(port)]
    if async_operations:
        command.append("--async-operations")
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
            raise SandboxError(f"the sandbox server exited with code {process.returncode}: {tail[0]}")
        info = read_server_info(data_dir)
        if info is not None and info.pid == process.pid and healthy(info.url):
            return info
        time.sleep(0.1)
    process.terminate()
    raise SandboxError(f"the sandbox server did not answer within {START_TIMEOUT_S:.0f}s; see {log_path}")


def _already_running(data_dir: Path, info: ServerInfo) -> SandboxError:
    return SandboxError(f"a sandbox for {data_dir} is already running at {info.url} (pid {info.pid})")


def stop(data_dir: Path) -> ServerInfo | None:
    """Stop the server of ``data_dir``; None when none was running."""
    info = read_server_info(data_dir)
    if info is None:
        clear_server_info(data_dir)
        return None
    try:
        os.kill(info.pid, signal.SIGTERM)
    except ProcessLookupError:
        clear_server_info(data_dir)
        return info
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        if read_server_info(data_dir) is None:
            return info
        time.sleep(0.05)
    raise SandboxError(f"the sandbox server (pid {info.pid}) did not stop within {STOP_TIMEOUT_S:.0f}s")
