"""`reconcile drift` on the VM scenario: real Terraform state, the real SDK, the sandbox on loopback.

One estate is applied for the module (an apply costs seconds) and scanned twice: right after the plain
apply, then after people changed it out of band. The tests only read those scans (in any order).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute.models import DiskUpdate
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from sandbox_cloud import Cloud
from sandbox_cloud import cloud
from sandbox_cloud import exported

from providers.azure.sdk import Endpoint
from providers.azure.sdk import client
from providers.azure.sdk import sandbox_credential
from reconciler import scenario
from reconciler.cli import main
from sandbox.az import Az
from sandbox.az import endpoint_for

__all__ = ["cloud"]

SCRIPT_APP_ID = "11111111-2222-3333-4444-555555555555"


class Estate:
    def __init__(self, e: scenario.Estate, root: Path) -> None:
        self.e = e
        self.root = root
        self.ws = e.workspace
        self.sub = e.subscription
        self.group = "demo-rg"
        self.group_id = e.group_id()
        self.fresh: tuple[int, dict[str, Any]] = (-1, {})
        self.drifted: tuple[int, dict[str, Any]] = (-1, {})

    def id(self, type_path: str, name: str) -> str:
        return f"{self.group_id}/providers/{type_path}/{name}"

    def as_(self, user: str, via: str) -> Az:
        return Az(endpoint_for(self.e.sandbox.url, self.sub, user, via))

    def script(self) -> Endpoint:
        """A service principal running an SDK script (not Terraform, not a person)."""
        credential = sandbox_credential(appid=SCRIPT_APP_ID, oid=SCRIPT_APP_ID, idtyp="app")
        return Endpoint(self.e.sandbox.url, self.sub, credential)

    def drift(self, *args: str) -> tuple[int, dict[str, Any]]:
        out = self.root / "report.json"
        code = main(["drift", str(self.ws), "--format", "json", "--output", str(out), *args])
        return code, json.loads(out.read_text())


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    root = tmp_path_factory.mktemp("drift")
    with scenario.estate(root) as e:
        e.tf.init(e.workspace)
        e.tf.apply(e.workspace)
        with exported(scenario.terraform_env(e.sandbox)):
            estate = Estate(e, root)
            estate.fresh = estate.drift()
            _change_out_of_band(estate)
            estate.drifted = estate.drift()
            yield estate


def _change_out_of_band(estate: Estate) -> None:
    alice = estate.as_("alice@contoso.com", "portal")
    bob = estate.as_("bob@contoso.com", "cli")
    carol = estate.as_("carol@contoso.com", "powershell")
    compute = client(ComputeManagementClient, estate.script())
    network = client(NetworkManagementClient, estate.script())

    bob.vm_resize(estate.group, "demo-web-1", "Standard_B2s")
    alice.tag_add(
        estate.id("Microsoft.Compute/virtualMachines", "demo-web-0"), {"owner": "alice", "cost": "7"}
    )
    bob.vm_boot_diagnostics(estate.group, "demo-web-2", enabled=False)
    compute.disks.begin_update(
        estate.group, "demo-web-0-data", DiskUpdate({"properties": {"diskSizeGB": 64}})
    ).result()
    carol.nsg_rule_create(
        estate.group, "demo-web-nsg", "allow-ssh", priority=200, destination_port_ranges=["22"]
    )
    alice.resource_delete(estate.id("Microsoft.Storage/storageAccounts", "demodiag"))
    network.public_ip_addresses.begin_create_or_update(
        estate.group, "pip-hotfix", {"location": "westeurope", "sku": {"name": "Standard"}}
    ).result()


def test_a_fresh_apply_has_no_drift(estate: Estate) -> None:
    code, report = estate.fresh
    assert code == 0
    assert report["drifts"] == []
    assert report["summary"]["managed"] == report["summary"]["in_sync"] > 20
    assert report["complete"] is True


def test_each_out_of_band_change_is_reported_exactly_and_attributed(estate: Estate) -> None:
    code, report = estate.drifted
    assert code == 2
    got = {(d["kind"], d["address"] or d["resource_id"]): d for d in report["drifts"]}
    vm = "azurerm_linux_virtual_machine.web"
    assert set(got) == {
        ("changed", f"{vm}[0]"),
        ("changed", f"{vm}[1]"),
        ("changed", f"{vm}[2]"),
        ("changed", "azurerm_managed_disk.data"),
        ("changed", "azurerm_network_security_group.web"),
        ("deleted", "azurerm_storage_account.diagnostics"),
        ("unmanaged", estate.id("Microsoft.Network/publicIPAddresses", "pip-hotfix")),
    }

    def changes(key: tuple[str, str]) -> list[tuple[str, Any, Any]]:
        return [(c["path"], c["state"], c["live"]) for c in got[key]["changes"]]

    assert changes(("changed", f"{vm}[1]")) == [("size", "Standard_B1s", "Standard_B2s")]
    assert changes(("changed", f"{vm}[0]")) == [
        ("tags.cost", None, "7"),
        ("tags.owner", "platform-team", "alice"),
    ]
    [(path, before, after)] = changes(("changed", f"{vm}[2]"))
    assert (
        path == "boot_diagnostics" and after == [] and before[0]["storage_account_uri"].startswith("https://")
    )
    assert changes(("changed", "azurerm_managed_disk.data")) == [("disk_size_gb", 32, 64)]
    [(path, before, after)] = changes(("changed", "azurerm_network_security_group.web"))
    assert (path, before) == ('security_rule["allow-ssh"]', None)  # one element of the set, by its name
    assert (after["priority"], after["destination_port_range"], after["access"]) == (200, "22", "Allow")

    def who(key: tuple[str, str]) -> tuple[str, str]:
        a = got[key]["attribution"]
        return a["caller"], a["modality"]

    assert who(("changed", f"{vm}[1]")) == ("bob@contoso.com", "cli")
    assert who(("changed", f"{vm}[0]")) == ("alice@contoso.com", "portal")
    assert who(("changed", f"{vm}[2]")) == ("bob@contoso.com", "cli")
    assert who(("changed", "azurerm_managed_disk.data")) == (SCRIPT_APP_ID, "sdk")
    assert who(("changed", "azurerm_network_security_group.web")) == ("carol@contoso.com", "powershell")
    assert who(("deleted", "azurerm_storage_account.diagnostics")) == ("alice@contoso.com", "portal")
    assert who(("unmanaged", estate.id("Microsoft.Network/publicIPAddresses", "pip-hotfix"))) == (
        SCRIPT_APP_ID,
        "sdk",
    )
    assert got[("changed", f"{vm}[1]")]["source"] == {"file": "main.tf", "line": 122}
    assert got[("unmanaged", estate.id("Microsoft.Network/publicIPAddresses", "pip-hotfix"))]["type"] == (
        "azurerm_public_ip"
    )


def test_changed_and_deleted_are_what_the_next_apply_would_undo(estate: Estate) -> None:
    _, report = estate.drifted
    ours = {d["address"] for d in report["drifts"] if d["kind"] in ("changed", "deleted")}
    plan = estate.e.tf.plan(estate.ws, out=Path("next.tfplan"))
    assert plan.planfile is not None
    doc = estate.e.tf.show_plan_json(plan.planfile, estate.ws)
    terraform = {
        c["address"] for c in doc["resource_changes"] if c["change"]["actions"] not in (["no-op"], ["read"])
    }
    assert ours == terraform


def test_scans_are_recorded_in_the_store(estate: Estate, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "-C", str(estate.ws), "--format", "json"]) == 0
    scans = json.loads(capsys.readouterr().out)["scans"]
    assert [s["summary"]["changed"] for s in scans] == [5, 0]
    latest = scans[0]["scan_id"]
    assert main(["history", latest[:18], "-C", str(estate.ws), "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["scan_id"] == latest and len(shown["drifts"]) == 7
    assert (estate.ws / ".reconcile" / ".gitignore").read_text().strip().endswith("*")


def test_a_change_put_back_is_no_longer_drift(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = cloud.workspace(
        'resource "azurerm_resource_group" "rg" {\n'
        '  name     = "rg-put-back"\n  location = "westeurope"\n  tags     = { env = "dev" }\n}\n'
    )
    cloud.tf.apply(ws)
    for key, value in cloud.tf.environ().items():
        monkeypatch.setenv(key, value)
    groups = client(ResourceManagementClient, cloud.endpoint(upn="alice@contoso.com")).resource_groups
    out = ws / "report.json"

    groups.create_or_update("rg-put-back", {"location": "westeurope", "tags": {"env": "prod"}})
    assert main(["drift", str(ws), "--format", "json", "--output", str(out)]) == 2
    [drift] = json.loads(out.read_text())["drifts"]
    assert [(c["path"], c["state"], c["live"]) for c in drift["changes"]] == [("tags.env", "dev", "prod")]

    groups.create_or_update("rg-put-back", {"location": "westeurope", "tags": {"env": "dev"}})
    assert main(["drift", str(ws), "--format", "json", "--output", str(out)]) == 0
    assert json.loads(out.read_text())["drifts"] == []
