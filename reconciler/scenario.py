"""The VM scenario on a sandbox: apply ``examples/azure-vm``, then drift it out of band as people do.

Used by ``reconcile demo`` and by the tests and benchmarks that need a realistic, drifted estate. The
fleet (``examples/azure-fleet``: VMs by name with ``for_each``, tags from one shared local) drifts the
way configurations written that way do (:func:`fleet_drift`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from typing import NamedTuple

from reconciler.errors import ReconcileError
from reconciler.terraform.engine import EmbeddedEngine
from reconciler.terraform.engine import Engine
from reconciler.terraform.terraform import Terraform
from sandbox.az import Az
from sandbox.az import endpoint_for
from sandbox.environment import client_environment
from sandbox.server import Sandbox

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "azure-vm"
FLEET = EXAMPLE.with_name("azure-fleet")


class OutOfBand(NamedTuple):
    """One change made behind Terraform's back."""

    user: str
    via: str
    summary: str
    resource_id: str


class Estate(NamedTuple):
    """A sandbox with the example applied: where everything is."""

    sandbox: Sandbox
    tf: Terraform
    workspace: Path

    @property
    def subscription(self) -> str:
        return self.sandbox.identity.subscription

    def group_id(self, prefix: str = "demo") -> str:
        return f"/subscriptions/{self.subscription}/resourceGroups/{prefix}-rg"


def terraform_env(sandbox: Sandbox) -> dict[str, str]:
    """What Terraform and reconcile need to reach the sandbox (through the sandbox provider)."""
    return client_environment(sandbox.url, sandbox.data_dir)


@contextmanager
def estate(data_dir: Path, engine: Engine | None = None, example: Path = EXAMPLE) -> Iterator[Estate]:
    """A running sandbox and a workspace holding a copy of the example (not yet applied)."""
    if not example.is_dir():
        raise ReconcileError(f"the example project is missing: {example} (run from a source checkout)")
    workspace = data_dir / "workspace"
    if not workspace.exists():
        shutil.copytree(example, workspace, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    with Sandbox(data_dir / "sandbox") as sandbox:
        env = terraform_env(sandbox)
        with Terraform(engine or EmbeddedEngine(), env=env, base_env=dict(os.environ)) as tf:
            yield Estate(sandbox, tf, workspace)


def drift(e: Estate, prefix: str = "demo") -> list[OutOfBand]:
    """The out-of-band changes of the VM scenario, each through the real SDK as a person would make them."""
    group = f"{prefix}-rg"
    alice, bob = _people(e)
    vm = f"{e.group_id(prefix)}/providers/Microsoft.Compute/virtualMachines/{prefix}-web-"
    disk = f"{e.group_id(prefix)}/providers/Microsoft.Compute/disks/{prefix}-web-0-data"
    nsg = f"{e.group_id(prefix)}/providers/Microsoft.Network/networkSecurityGroups/{prefix}-web-nsg"
    changes = []
    alice.tag_add(vm + "0", {"owner": "alice"})
    changes.append(OutOfBand("alice@contoso.com", "portal", f"tagged {prefix}-web-0 owner=alice", vm + "0"))
    bob.vm_resize(group, f"{prefix}-web-1", "Standard_B2s")
    changes.append(OutOfBand("bob@contoso.com", "cli", f"resized {prefix}-web-1 to Standard_B2s", vm + "1"))
    bob.vm_boot_diagnostics(group, f"{prefix}-web-2", enabled=False)
    changes.append(
        OutOfBand("bob@contoso.com", "cli", f"turned off boot diagnostics on {prefix}-web-2", vm + "2")
    )
    alice.disk_update(group, f"{prefix}-web-0-data", 64)
    changes.append(OutOfBand("alice@contoso.com", "portal", f"grew {prefix}-web-0-data to 64 GB", disk))
    bob.nsg_rule_create(group, f"{prefix}-web-nsg", "allow-ssh", priority=200, destination_port_ranges=["22"])
    changes.append(OutOfBand("bob@contoso.com", "cli", f"opened port 22 on {prefix}-web-nsg", nsg))
    return changes


def fleet_drift(e: Estate, prefix: str = "fleet") -> list[OutOfBand]:
    """Out of band on the fleet: one VM resized, a tag on the network, one VM's boot diagnostics off."""
    group = f"{prefix}-rg"
    alice, bob = _people(e)
    vm = f"{e.group_id(prefix)}/providers/Microsoft.Compute/virtualMachines/{prefix}-"
    vnet = f"{e.group_id(prefix)}/providers/Microsoft.Network/virtualNetworks/{prefix}-vnet"
    bob.vm_resize(group, f"{prefix}-web", "Standard_B2s")
    alice.tag_add(vnet, {"cost-center": "42"})
    bob.vm_boot_diagnostics(group, f"{prefix}-worker", enabled=False)
    return [
        OutOfBand("bob@contoso.com", "cli", f"resized {prefix}-web to Standard_B2s", vm + "web"),
        OutOfBand("alice@contoso.com", "portal", f"tagged {prefix}-vnet cost-center=42", vnet),
        OutOfBand("bob@contoso.com", "cli", f"turned off boot diagnostics on {prefix}-worker", vm + "worker"),
    ]


def _people(e: Estate) -> tuple[Az, Az]:
    """Alice works in the portal, Bob with the Azure CLI."""
    return (
        Az(endpoint_for(e.sandbox.url, e.subscription, "alice@contoso.com", "portal")),
        Az(endpoint_for(e.sandbox.url, e.subscription, "bob@contoso.com", "cli")),
    )


def changed_paths(before: Any, after: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Dotted paths (list indexes as numbers) whose values differ, with the value on each side."""
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in sorted(set(before) | set(after)):
            out += changed_paths(before.get(key), after.get(key), f"{path}.{key}" if path else str(key))
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        out = []
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            out += changed_paths(b, a, f"{path}.{i}" if path else str(i))
        return out
    return [] if before == after else [(path, before, after)]
