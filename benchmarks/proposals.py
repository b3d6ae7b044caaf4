"""Proposal quality on the drifted VM scenario and fleet: success rate and validation steps per category.

The table has the shape of Table 1 of the paper the product grew from (SR = success rate, #steps =
validation steps until a valid proposal, or until giving up). Runs the deterministic rules, and the LLM
too when an endpoint is configured (RECONCILE_LLM_BASE_URL, RECONCILE_LLM_MODEL, RECONCILE_LLM_API_KEY).

    .venv/bin/python benchmarks/proposals.py
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network.models import PublicIPAddress

from providers.azure.sdk import Endpoint
from providers.azure.sdk import client
from providers.azure.sdk import sandbox_credential
from reconciler import scenario
from reconciler.drift.run import DriftOptions
from reconciler.drift.run import run_drift
from reconciler.propose.run import ProposeOptions
from reconciler.propose.run import run_propose
from sandbox.az import Az
from sandbox.az import endpoint_for
from state.proposal import Proposal

CATEGORIES = {
    "azurerm_linux_virtual_machine.web[0]": "tag change, one instance of a count",
    "azurerm_linux_virtual_machine.web[1]": "attribute change, one instance of a count",
    "azurerm_linux_virtual_machine.web[2]": "nested block removed, one count instance",
    "azurerm_managed_disk.data": "attribute change from a variable default",
    "azurerm_network_security_group.web": "set element added (NSG rule)",
    "azurerm_storage_account.diagnostics": "resource deleted out of band",
}
FLEET_CATEGORIES = {
    'azurerm_linux_virtual_machine.vm["web"]': "attribute change, one instance of a for_each",
    'azurerm_linux_virtual_machine.vm["worker"]': "nested block removed, one for_each instance",
    "azurerm_virtual_network.main": "tag change, a reader of a shared local",
}

Row = tuple[str, str, str, int, int, float]


def main() -> None:
    llm = bool(os.environ.get("RECONCILE_LLM_BASE_URL") and os.environ.get("RECONCILE_LLM_MODEL"))
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        with scenario.estate(Path(tmp) / "vm") as e:
            e.tf.init(e.workspace)
            e.tf.apply(e.workspace)
            e.tf.apply(e.workspace, extra_args=("-refresh-only",))
            scenario.drift(e)
            alice = Az(endpoint_for(e.sandbox.url, e.subscription, "alice@contoso.com", "portal"))
            alice.resource_delete(f"{e.group_id()}/providers/Microsoft.Storage/storageAccounts/demodiag")
            script = Endpoint(e.sandbox.url, e.subscription, sandbox_credential(appid="bench-script"))
            client(NetworkManagementClient, script).public_ip_addresses.begin_create_or_update(
                "demo-rg",
                "pip-hotfix",
                PublicIPAddress({"location": "westeurope", "sku": {"name": "Standard"}}),
            ).result()
            rows += _measure(e, CATEGORIES, llm)
        with scenario.estate(Path(tmp) / "fleet", example=scenario.FLEET) as e:
            e.tf.apply(e.workspace)
            scenario.fleet_drift(e)
            rows += _measure(e, FLEET_CATEGORIES, llm)

    print(
        f"{'proposer':<12} {'strategy':<8} {'drift category':<44} {'SR':>5} {'#steps':>6} {'s/proposal':>10}"
    )
    table: dict[tuple[str, str, str], list[tuple[int, int, float]]] = defaultdict(list)
    for label, strategy, category, ok, steps, seconds in rows:
        table[(label, strategy, category)].append((ok, steps, seconds))
    for (label, strategy, category), results in table.items():
        rate = sum(r[0] for r in results) / len(results)
        mean_steps = sum(r[1] for r in results) / len(results)
        mean_s = sum(r[2] for r in results) / len(results)
        print(f"{label:<12} {strategy:<8} {category:<44} {rate:>5.0%} {mean_steps:>6.1f} {mean_s:>10.1f}")
    for label, strategy in {(r[0], r[1]) for r in rows}:
        mine = [r for r in rows if (r[0], r[1]) == (label, strategy)]
        print(f"overall {label} {strategy}: {sum(r[3] for r in mine)}/{len(mine)} valid")
    if not llm:
        print(
            "(no LLM endpoint configured: set RECONCILE_LLM_BASE_URL and RECONCILE_LLM_MODEL to include it)"
        )


def _measure(e: scenario.Estate, categories: dict[str, str], llm: bool) -> list[Row]:
    """Scan the drifted estate, then propose with each proposer and strategy: a row per proposal."""
    environ = {**os.environ, **scenario.terraform_env(e.sandbox)}
    run_drift(DriftOptions(directory=e.workspace, environ=environ))
    runs = [("rules", "codify", False), ("rules", "revert", False)]
    if llm:
        runs.append(("rules + LLM", "codify", True))
    rows: list[Row] = []
    for label, strategy, use_llm in runs:
        started = time.perf_counter()
        result = run_propose(
            ProposeOptions(e.workspace, strategy=strategy, llm=use_llm, environ=environ)  # type: ignore[arg-type]
        )
        elapsed = time.perf_counter() - started
        for p in result.proposals:
            seconds = elapsed / len(result.proposals)
            rows.append((label, strategy, _category(p, categories), int(p.valid), _steps(p), seconds))
    return rows


def _category(p: Proposal, categories: dict[str, str]) -> str:
    if p.drift_kind == "unmanaged":
        return "unmanaged resource (import)"
    return categories.get(p.address or "", p.address or p.resource_id)


def _steps(p: Proposal) -> int:
    return sum(len(a.steps) for a in p.attempts)


if __name__ == "__main__":
    main()
