"""Every configuration in examples/, as a user has it after a plain `terraform apply`: no drift at all; then
people change it through the portal and the CLI, and each change is reported exactly, attributed, and
nothing else is."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from typing import NamedTuple

import pytest
from azure.mgmt.network import NetworkManagementClient

from providers.azure.sdk import Endpoint
from providers.azure.sdk import client
from reconciler.cli import main
from reconciler.terraform import EmbeddedEngine
from reconciler.terraform import Terraform
from sandbox.az import Az
from sandbox.az import endpoint_for
from sandbox.environment import client_environment
from sandbox.server import Sandbox

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class Applied(NamedTuple):
    workspace: Path
    sandbox: Sandbox
    subscription: str

    def group(self, name: str) -> str:
        return f"/subscriptions/{self.subscription}/resourceGroups/{name}"

    def person(self, user: str, via: str) -> Endpoint:
        return endpoint_for(self.sandbox.url, self.subscription, user, via)

    def network(self, user: str, via: str) -> Any:
        return client(NetworkManagementClient, self.person(user, via))

    def drift(self) -> tuple[int, dict[str, Any]]:
        out = self.workspace.parent / "drift.json"
        code = main(["drift", str(self.workspace), "--format", "json", "--output", str(out)])
        return code, json.loads(out.read_text())


@pytest.fixture
def applied(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Applied]:
    name = request.param
    workspace = tmp_path / name
    shutil.copytree(EXAMPLES / name, workspace, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    with Sandbox(tmp_path / "sandbox") as sandbox:
        env = client_environment(sandbox.url, tmp_path / "sandbox")
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            with Terraform(EmbeddedEngine(), env=env) as tf:
                tf.init(workspace)
                tf.apply(workspace)  # a plain apply: no refresh-only, no second apply
                yield Applied(workspace, sandbox, sandbox.identity.subscription)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def _network_rules(e: Applied) -> set[tuple[Any, ...]]:
    alice = e.network("alice@contoso.com", "portal")
    rule = alice.security_rules.get("net-rg", "app-nsg", "allow-https")
    rule.destination_port_range = "8443"
    alice.security_rules.begin_create_or_update("net-rg", "app-nsg", "allow-https", rule).result()
    bob = e.network("bob@contoso.com", "cli")
    bob.subnets.begin_create_or_update(
        "net-rg", "hub-vnet", "rogue", {"properties": {"addressPrefixes": ["10.10.9.0/24"]}}
    ).result()
    Az(e.person("carol@contoso.com", "powershell")).nsg_rule_create(
        "net-rg", "app-nsg", "allow-ssh", priority=300, destination_port_ranges=["22"]
    )
    nsg = f"{e.group('net-rg')}/providers/Microsoft.Network/networkSecurityGroups/app-nsg"
    vnet = f"{e.group('net-rg')}/providers/Microsoft.Network/virtualNetworks/hub-vnet"
    return {
        ("changed", "azurerm_network_security_rule.https", "destination_port_range", "443", "8443",
         "alice@contoso.com", "portal"),
        ("unmanaged", f"{vnet}/subnets/rogue", "azurerm_subnet", "bob@contoso.com", "cli"),
        ("unmanaged", f"{nsg}/securityRules/allow-ssh", "azurerm_network_security_rule",
         "carol@contoso.com", "powershell"),
    }  # fmt: skip


def _route_nat(e: Applied) -> set[tuple[Any, ...]]:
    alice = e.network("alice@contoso.com", "portal")
    route = alice.routes.get("egress-rg", "spoke-routes", "internet")
    route.next_hop_type = "None"
    alice.routes.begin_create_or_update("egress-rg", "spoke-routes", "internet", route).result()
    bob = e.network("bob@contoso.com", "cli")
    rogue = {"properties": {"addressPrefix": "192.168.0.0/16", "nextHopType": "None"}}
    bob.routes.begin_create_or_update("egress-rg", "spoke-routes", "rogue", rogue).result()
    nat = bob.nat_gateways.get("egress-rg", "egress-nat")
    nat.idle_timeout_in_minutes = 15
    bob.nat_gateways.begin_create_or_update("egress-rg", "egress-nat", nat).result()
    table = f"{e.group('egress-rg')}/providers/Microsoft.Network/routeTables/spoke-routes"
    alice_, bob_ = ("alice@contoso.com", "portal"), ("bob@contoso.com", "cli")
    return {
        ("changed", "azurerm_route.internet", "next_hop_type", "Internet", "None", *alice_),
        ("unmanaged", f"{table}/routes/rogue", "azurerm_route", *bob_),
        ("changed", "azurerm_nat_gateway.egress", "idle_timeout_in_minutes", 10, 15, *bob_),
    }  # fmt: skip


def _lb_availability_set(e: Applied) -> set[tuple[Any, ...]]:
    Az(e.person("bob@contoso.com", "cli")).vm_resize("pair-rg", "pair-1", "Standard_B2s")
    alice = e.network("alice@contoso.com", "portal")
    lb = alice.load_balancers.get("pair-rg", "pair-lb")
    [nat_rule] = lb.inbound_nat_rules
    nat_rule.frontend_port = 2200
    alice.load_balancers.begin_create_or_update("pair-rg", "pair-lb", lb).result()
    return {
        ("changed", "azurerm_linux_virtual_machine.pair[1]", "size", "Standard_B1s", "Standard_B2s",
         "bob@contoso.com", "cli"),
        ("changed", "azurerm_lb_nat_rule.ssh", "frontend_port", 2222, 2200, "alice@contoso.com", "portal"),
    }  # fmt: skip


def _fleet_module(e: Applied) -> set[tuple[Any, ...]]:
    Az(e.person("bob@contoso.com", "cli")).vm_resize("fleet-rg", "fleet-b", "Standard_B2s")
    nic = f"{e.group('fleet-rg')}/providers/Microsoft.Network/networkInterfaces/fleet-a-nic"
    Az(e.person("alice@contoso.com", "portal")).tag_add(nic, {"owner": "alice"})
    return {
        ("changed", 'module.vm["fleet-b"].azurerm_linux_virtual_machine.this', "size", "Standard_B1s",
         "Standard_B2s", "bob@contoso.com", "cli"),
        ("changed", 'module.vm["fleet-a"].azurerm_network_interface.this', "tags.owner", None, "alice",
         "alice@contoso.com", "portal"),
    }  # fmt: skip


CHANGES: dict[str, Callable[[Applied], set[tuple[Any, ...]]] | None] = {
    "azure-vm": None,  # its out-of-band changes: tests/reconciler/drift/test_scan.py
    "azure-fleet": None,  # its out-of-band changes: tests/reconciler/propose/test_propose.py
    "network-rules": _network_rules,
    "route-nat": _route_nat,
    "lb-availability-set": _lb_availability_set,
    "fleet-module": _fleet_module,
}


def test_every_example_is_covered() -> None:
    assert sorted(CHANGES) == sorted(p.parent.name for p in EXAMPLES.glob("*/versions.tf"))


@pytest.mark.parametrize("applied", sorted(CHANGES), indirect=True)
def test_a_plain_apply_has_no_drift_and_each_change_is_reported_exactly(applied: Applied) -> None:
    code, report = applied.drift()
    assert (code, report["drifts"], report["errors"]) == (0, [], [])
    assert report["summary"]["managed"] == report["summary"]["in_sync"] > 5
    change = CHANGES[applied.workspace.name]
    if change is None:
        return
    expected = change(applied)
    code, report = applied.drift()
    assert code == 2 and report["complete"] and report["errors"] == []
    got = set()
    for d in report["drifts"]:
        who = (d["attribution"] or {}).get("caller"), (d["attribution"] or {}).get("modality")
        if d["kind"] == "unmanaged":
            got.add(("unmanaged", d["resource_id"], d["type"], *who))
        else:
            for c in d["changes"]:
                got.add((d["kind"], d["address"], c["path"], c["state"], c["live"], *who))
    assert got == expected
