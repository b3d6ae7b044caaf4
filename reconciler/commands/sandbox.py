"""`reconcile sandbox`: run the local Azure-compatible cloud and change its behaviour at runtime."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from reconciler.commands import sandbox_az
from reconciler.errors import ConfigError
from sandbox import DEFAULT_DATA_DIR
from sandbox import lifecycle
from sandbox.admin import AdminClient
from sandbox.environment import client_environment

HELP = "run the sandbox cloud (a local ARM emulator): up, env, status, down, faults, az"


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="sandbox_command", metavar="ACTION")
    sub.required = True

    up = sub.add_parser("up", help="start a sandbox (foreground unless --detach)")
    _data_dir(up)
    up.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    up.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    up.add_argument("--detach", action="store_true", help="run in the background and return once it answers")
    up.add_argument(
        "--async-operations",
        action="store_true",
        help="answer writes as asynchronous operations (Azure-AsyncOperation, Retry-After), not at once",
    )

    env = sub.add_parser("env", help="print shell exports that point clients at a running sandbox")
    _data_dir(env)
    env.add_argument("--format", choices=("shell", "json"), default="shell")

    status = sub.add_parser("status", help="show whether a sandbox runs for the data dir")
    _data_dir(status)
    status.add_argument("--format", choices=("text", "json"), default="text")

    down = sub.add_parser("down", help="stop the sandbox of the data dir")
    _data_dir(down)

    faults = sub.add_parser(
        "faults", help="inject latency, throttling, server errors and ignored writes at runtime"
    )
    faults_sub = faults.add_subparsers(dest="faults_command", metavar="ACTION")
    faults_sub.required = True
    add = faults_sub.add_parser("add", help="add a fault rule")
    _data_dir(add)
    add.add_argument("--path", default="*", help="glob over the request path (default: every path)")
    add.add_argument(
        "--type", default="", help="only requests for this resource type, e.g. Microsoft.Compute/disks"
    )
    add.add_argument("--method", action="append", default=[], help="only this HTTP method (repeatable)")
    add.add_argument("--latency", type=int, default=0, metavar="MS", help="delay every matching request")
    add.add_argument("--status", type=int, choices=(429, 500, 502, 503, 504), help="answer with this error")
    add.add_argument("--rate", type=float, default=1.0, help="fraction of matching requests that fail (0-1)")
    add.add_argument("--retry-after", type=int, default=1, metavar="S", help="Retry-After for 429/503")
    add.add_argument("--count", type=int, help="stop after this many faults")
    add.add_argument(
        "--ignore-property",
        action="append",
        default=[],
        metavar="PATH",
        help="writes (PUT/PATCH) answer success but the cloud keeps this property's old value, "
        "e.g. properties.hardwareProfile.vmSize (repeatable)",
    )
    lst = faults_sub.add_parser("list", help="list the active rules")
    _data_dir(lst)
    lst.add_argument("--format", choices=("text", "json"), default="text")
    clear = faults_sub.add_parser("clear", help="remove every rule")
    _data_dir(clear)

    sandbox_az.register(sub, _data_dir)


def _data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"the sandbox's data dir (default: $RECONCILE_SANDBOX_DIR or {DEFAULT_DATA_DIR})",
    )


def run(args: argparse.Namespace) -> int:
    data_dir: Path = args.data_dir or Path(os.environ.get("RECONCILE_SANDBOX_DIR") or DEFAULT_DATA_DIR)
    action = args.sandbox_command
    if action == "up":
        return _up(args, data_dir)
    if action == "env":
        return _env(args, data_dir)
    if action == "status":
        return _status(args, data_dir)
    if action == "down":
        info = lifecycle.stop(data_dir)
        print(f"stopped the sandbox at {info.url}" if info else f"no sandbox was running for {data_dir}")
        return 0
    if action == "az":
        return sandbox_az.run(args, data_dir)
    return _faults(args, data_dir)


def _up(args: argparse.Namespace, data_dir: Path) -> int:
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port: {args.port} is not a port number")
    if args.detach:
        info = lifecycle.start_detached(
            data_dir, args.host, args.port, async_operations=args.async_operations
        )
        print(f"sandbox running at {info.url} (pid {info.pid}, data in {data_dir})")
        quoted = shlex.quote(str(data_dir))
        print(f'point clients at it with: eval "$(reconcile sandbox env --data-dir {quoted})"')
        return 0

    def ready(url: str) -> None:
        print(f"sandbox serving at {url} (data in {data_dir}); Ctrl-C stops it", flush=True)

    lifecycle.serve(data_dir, args.host, args.port, async_operations=args.async_operations, on_ready=ready)
    return 0


def environment(data_dir: Path) -> dict[str, str]:
    """The variables that point Azure clients (ours, the SDKs, Terraform) at a running sandbox."""
    return client_environment(lifecycle.require_running(data_dir).url, data_dir)


def _env(args: argparse.Namespace, data_dir: Path) -> int:
    values = environment(data_dir)
    if args.format == "json":
        print(json.dumps(values, indent=2))
    else:
        for key, value in values.items():
            print(f"export {key}={shlex.quote(value)}")
    return 0


def _status(args: argparse.Namespace, data_dir: Path) -> int:
    info = lifecycle.running(data_dir)
    report: dict[str, Any] = {"data_dir": str(data_dir), "running": info is not None}
    if info:
        report.update(url=info.url, pid=info.pid, settings=AdminClient(info.url).settings())
    if args.format == "json":
        print(json.dumps(report, indent=2))
    elif info:
        print(f"running at {info.url} (pid {info.pid}), data in {data_dir}")
    else:
        print(f"not running (data dir {data_dir})")
    return 0 if info else 3


def _faults(args: argparse.Namespace, data_dir: Path) -> int:
    admin = AdminClient(lifecycle.require_running(data_dir).url)
    if args.faults_command == "add":
        if not 0.0 <= args.rate <= 1.0:
            raise ConfigError(f"--rate: {args.rate} is not between 0 and 1")
        rule: dict[str, Any] = {
            "path": args.path,
            "type": args.type,
            "methods": [m.upper() for m in args.method],
            "latency_ms": args.latency,
            "status": args.status,
            "rate": args.rate,
            "retry_after": args.retry_after,
            "count": args.count,
            "ignore_properties": args.ignore_property,
        }
        added = admin.add_fault(rule)
        print(f"added fault rule {added['id']}: {_describe(added)}")
        return 0
    if args.faults_command == "clear":
        admin.clear_faults()
        print("removed every fault rule")
        return 0
    rules = admin.faults()
    if args.format == "json":
        json.dump({"rules": rules}, sys.stdout, indent=2)
        print()
    elif not rules:
        print("no fault rules")
    for r in rules if args.format == "text" else []:
        print(f"{r['id']}  {_describe(r)}  (injected {r['injected']})")
    return 0


def _describe(rule: dict[str, Any]) -> str:
    scope = rule["path"] + (f" type={rule['type']}" if rule["type"] else "")
    if rule["methods"]:
        scope += f" methods={','.join(rule['methods'])}"
    effects = []
    limit = f", at most {rule['count']}" if rule["count"] is not None else ""
    if rule["latency_ms"]:
        effects.append(f"+{rule['latency_ms']}ms")
    if rule["status"]:
        effects.append(f"{rule['status']} at rate {rule['rate']}{limit}")
    if rule.get("ignore_properties"):
        effects.append(f"writes succeed but keep {', '.join(rule['ignore_properties'])}{limit}")
    return f"{scope}: {', '.join(effects) or 'no effect'}"
