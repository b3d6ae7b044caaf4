"""`reconcile demo`: the VM scenario end to end on a throwaway sandbox.

It starts a sandbox cloud, applies ``examples/azure-vm`` with the embedded Terraform engine through the
sandbox's azurerm provider, changes things behind Terraform's back the way people do (the portal, the
CLI), shows what Terraform now sees and who did it, and cleans up unless asked to keep everything.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

HELP = "run the VM scenario on a sandbox: apply, drift it out of band, show what changed and who did it"

_TOOLS = {"portal": "Azure Portal", "cli": "Azure CLI", "powershell": "Azure PowerShell"}


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", type=Path, help="where the sandbox and the workspace live (default: temp)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the resources and the data dir afterwards")


def run(args: argparse.Namespace) -> int:
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # piped or captured: don't fold ids and names
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="reconcile-demo-"))
    try:
        _demo(console, data_dir, keep=args.keep)
    finally:
        if not args.keep and not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


@contextmanager
def _step(console: Console, text: str) -> Iterator[dict[str, str]]:
    note: dict[str, str] = {"done": ""}
    started = time.perf_counter()
    with console.status(text + " …"):
        yield note
    elapsed = time.perf_counter() - started
    console.print(f"[green]✔[/] {text}{note['done']} [dim]({elapsed:.1f} s)[/]")


def _demo(console: Console, data_dir: Path, keep: bool) -> None:
    from sandbox import scenario

    with scenario.estate(data_dir) as e:
        console.print(
            f"[bold]Sandbox cloud[/] at {e.sandbox.url} · subscription {e.subscription} · data in {data_dir}"
        )
        ws = e.workspace
        with _step(console, "terraform init"):
            e.tf.init(ws)
        with _step(console, "terraform apply examples/azure-vm") as note:
            applied = e.tf.apply(ws)
            note["done"] = f": {applied.summary.add} resources created"
        with _step(console, "terraform apply -refresh-only"):
            # Azure fills in back-references after creation (a NIC learns its VM): take them into state so
            # what follows shows only what people changed.
            e.tf.apply(ws, extra_args=("-refresh-only",))
        with _step(console, "terraform plan") as note:
            note["done"] = (
                ": changes pending" if e.tf.plan(ws).changed else ": no changes, the cloud matches the code"
            )

        started = datetime.now(UTC) - timedelta(seconds=1)
        changes = scenario.drift(e)
        table = Table(title="Changes made behind Terraform's back", title_justify="left")
        for column in ("who", "through", "what"):
            table.add_column(column)
        for c in changes:
            table.add_row(c.user, _TOOLS[c.via], c.summary)
        console.print(table)

        with _step(console, "terraform plan -refresh-only") as note:
            planned = e.tf.plan(ws, out=Path("drift.tfplan"), refresh_only=True)
            plan = e.tf.show_plan_json(planned.planfile or ws / "drift.tfplan", ws)
            drifted = plan.get("resource_drift", [])
            note["done"] = f": {len(drifted)} resources drifted"
        console.print(_drift_table(drifted, _who(e, started)))
        console.print(
            "Next: 'reconcile drift' reports this with attribution; 'reconcile propose' writes the IaC diff."
        )
        if keep:
            console.print(
                f"Kept everything in {data_dir}. Serve it again with "
                f"'reconcile sandbox up --detach --data-dir {data_dir / 'sandbox'}'; the workspace is {ws}."
            )
            return
        with _step(console, "terraform destroy") as note:
            note["done"] = f": {e.tf.destroy(ws).summary.remove} resources destroyed"


def _who(e: Any, since: datetime) -> dict[str, str]:
    """Resource id (lowercase) → "user via tool" of the latest out-of-band write, from the Activity Log."""
    from azure.mgmt.monitor import MonitorManagementClient

    from providers.azure.sdk import Endpoint, client, sandbox_credential
    from sandbox.az import VIA

    tools = {app: _TOOLS[via] for via, app in VIA.items()}
    reader = Endpoint(e.sandbox.url, e.subscription, sandbox_credential(appid="reconcile-demo"))
    monitor = client(MonitorManagementClient, reader)
    who: dict[str, str] = {}
    flt = f"eventTimestamp ge '{since.isoformat()}'"
    for event in monitor.activity_logs.list(filter=flt):  # newest first
        status = event.status.value if event.status else ""
        if status != "Succeeded" or not event.resource_id:
            continue
        app = (event.claims or {}).get("appid", "")
        resource = event.resource_id.lower()
        # A child resource (an NSG rule) drifts its parent (the NSG).
        for key in (resource, resource.rsplit("/", 2)[0]):
            who.setdefault(key, f"{event.caller} via {tools.get(app, app)}")
    return who


def _drift_table(drifted: list[dict[str, Any]], who: dict[str, str]) -> Table:
    from sandbox.scenario import changed_paths

    table = Table(title="What Terraform sees now (plan -refresh-only: resource_drift)", title_justify="left")
    for column in ("resource", "attribute", "in state", "live", "changed by"):
        table.add_column(column, overflow="fold")
    for item in drifted:
        change = item["change"]
        before, after = change.get("before") or {}, change.get("after") or {}
        resource_id = str(before.get("id", "")).lower()
        paths = [p for p in changed_paths(before, after) if not p[0].startswith("id")]
        for index, (path, old, new) in enumerate(paths or [("(deleted)", "", "")]):
            table.add_row(
                item["address"] if index == 0 else "",
                path,
                _short(old),
                _short(new),
                who.get(resource_id, "unknown") if index == 0 else "",
            )
    return table


def _short(value: Any) -> str:
    text = "null" if value is None else str(value)
    return text if len(text) <= 48 else text[:45] + "…"
