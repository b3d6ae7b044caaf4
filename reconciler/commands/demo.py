"""`reconcile demo`: the VM scenario end to end on a throwaway sandbox.

It starts a sandbox cloud, applies ``examples/azure-vm`` with the embedded Terraform engine through the
sandbox's azurerm provider, changes things behind Terraform's back the way people do (the portal, the
CLI), shows what Terraform now sees and who did it, and cleans up unless asked to keep everything.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

from reconciler import scenario
from reconciler.drift.run import DriftOptions
from reconciler.drift.run import run_drift
from reconciler.propose.patch import merge_edits
from reconciler.propose.run import ProposeOptions
from reconciler.propose.run import run_propose
from reconciler.report import render

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
        with _step(console, "terraform plan") as note:
            note["done"] = (
                ": changes pending" if e.tf.plan(ws).changed else ": no changes, the cloud matches the code"
            )

        changes = scenario.drift(e)
        table = Table(title="Changes made behind Terraform's back", title_justify="left")
        for column in ("who", "through", "what"):
            table.add_column(column)
        for c in changes:
            table.add_row(c.user, _TOOLS[c.via], c.summary)
        console.print(table)

        with _step(console, "reconcile drift") as note:
            environ = {**os.environ, **scenario.terraform_env(e.sandbox)}
            report = run_drift(DriftOptions(directory=ws, environ=environ))
            note["done"] = f": {report.summary.changed} changed, attributed from the Activity Log"
        console.print(render(report, "table", color=console.is_terminal, width=console.width), end="")
        with _step(console, "terraform plan") as note:
            planned = e.tf.plan(ws, out=Path("next.tfplan"))
            plan = e.tf.show_plan_json(planned.planfile or ws / "next.tfplan", ws)
            theirs = {
                c["address"]
                for c in plan.get("resource_changes", [])
                if c["change"]["actions"] not in (["no-op"], ["read"])
            }
            ours = {d.address for d in report.drifts if d.kind in ("changed", "deleted")}
            agree = "exactly these resources" if theirs == ours else f"{len(theirs)} resources (differs!)"
            note["done"] = f": the next apply would undo {agree}"
        with _step(console, "reconcile propose") as note:
            proposals = run_propose(ProposeOptions(directory=ws, llm=False, environ=environ)).proposals
            valid = [p for p in proposals if p.valid]
            note["done"] = (
                f": {len(valid)} of {len(proposals)} changes codified, each validated by a terraform plan"
            )
        for p in proposals:
            mark = "[green]✔[/]" if p.valid else "[yellow]-[/]"
            console.print(
                f"  {mark} {p.address}: {p.explanation if p.valid else p.explanation.split(':')[0]}"
            )
        merged, _ = merge_edits([e for p in valid for e in p.edits])
        console.print("".join(e.diff() for e in merged), markup=False, highlight=False, end="")
        if keep:
            console.print(
                f"Kept everything in {data_dir}. Serve it again with "
                f"'reconcile sandbox up --detach --data-dir {data_dir / 'sandbox'}'; the workspace is {ws}."
            )
            return
        with _step(console, "terraform destroy") as note:
            note["done"] = f": {e.tf.destroy(ws).summary.remove} resources destroyed"
