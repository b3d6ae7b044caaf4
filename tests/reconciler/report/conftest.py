"""Scan reports as the drift engine produces them for the VM scenario: every kind, none, and a broken scan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from state.report import MASK
from state.report import Attribution
from state.report import Change
from state.report import Drift
from state.report import ScanReport
from state.report import Source
from state.report import Summary

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-web/providers"
VM_ID = f"{SUB}/Microsoft.Compute/virtualMachines/web-0"
NSG_ID = f"{SUB}/Microsoft.Network/networkSecurityGroups/nsg-frontend"
DISK_ID = f"{SUB}/Microsoft.Compute/disks/data-0"
PIP_ID = f"{SUB}/Microsoft.Network/publicIPAddresses/pip-rogue"
SA_ID = f"{SUB}/Microsoft.Storage/storageAccounts/stlogs"
HOSTILE_TAG = "a|b `c`\nd <img src=x> [x](http://evil)"
RULES_LIVE = [
    {"name": "ssh", "priority": 100, "access": "Allow", "destination_port_range": "22"},
    {"name": "open-all", "priority": 110, "access": "Allow", "destination_port_range": "*"},
]
SCANNED = datetime(2026, 11, 29, 18, 5, 41, tzinfo=UTC)


def _by(caller: str, modality: str, operation: str, minutes_before: int) -> Attribution:
    # Activity Log times arrive in any offset; reports show them in UTC.
    at = (SCANNED - timedelta(minutes=minutes_before)).astimezone(timezone(timedelta(hours=1)))
    return Attribution(caller, modality, operation, at, f"corr-{minutes_before}")  # type: ignore[arg-type]


def full_report(workspace: str = "examples/azure-vm") -> ScanReport:
    drifts = (
        Drift(
            "changed",
            "azurerm_linux_virtual_machine.web[0]",
            "azurerm_linux_virtual_machine",
            VM_ID,
            changes=(
                Change("size", "Standard_B1s", "Standard_B2s"),
                Change("tags.env", "dev", "prod"),
                Change(
                    "boot_diagnostics.0.storage_account_uri", "https://stdiag.blob.core.windows.net/", None
                ),
            ),
            attribution=_by("alice@contoso.com", "portal", "Microsoft.Compute/virtualMachines/write", 2),
            source=Source("main.tf", 12),
        ),
        Drift(
            "changed",
            'azurerm_network_security_group.web["frontend"]',
            "azurerm_network_security_group",
            NSG_ID,
            changes=(
                Change("security_rule", RULES_LIVE[:1], RULES_LIVE),
                Change("tags.note", "", HOSTILE_TAG),
                Change("custom_secret", MASK, MASK),
            ),
            attribution=_by("bob@contoso.com", "cli", "Microsoft.Network/networkSecurityGroups/write", 30),
            source=Source("modules/net work/nsg.tf", 3),
        ),
        Drift(
            "deleted",
            "azurerm_managed_disk.data[0]",
            "azurerm_managed_disk",
            DISK_ID,
            attribution=_by("carol@contoso.com", "sdk", "Microsoft.Compute/disks/delete", 60),
            source=Source("main.tf", 40),
        ),
        Drift(
            "unmanaged",
            None,
            "azurerm_public_ip",
            PIP_ID,
            attribution=_by("mallory@contoso.com", "portal", "Microsoft.Network/publicIPAddresses/write", 90),
        ),
        Drift(
            "unknown",
            "azurerm_storage_account.logs",
            "azurerm_storage_account",
            SA_ID,
            source=Source("storage.tf", 1),
            reason="HTTP 429 Too Many Requests after 5 attempts",
        ),
    )
    return ScanReport(
        workspace=workspace,
        scan_id="scan-7f3a9c",
        scanned_at=SCANNED,
        summary=Summary(managed=12, in_sync=8, changed=2, deleted=1, unmanaged=1, unknown=1),
        drifts=drifts,
    )


def clean_report() -> ScanReport:
    return ScanReport(
        workspace="examples/azure-vm",
        scan_id="scan-0001",
        scanned_at=SCANNED,
        summary=Summary(managed=12, in_sync=12, changed=0, deleted=0, unmanaged=0, unknown=0),
        drifts=(),
    )


def incomplete_report() -> ScanReport:
    return ScanReport(
        workspace="examples/azure-vm",
        scan_id="scan-0002",
        scanned_at=SCANNED,
        summary=Summary(managed=12, in_sync=0, changed=0, deleted=0, unmanaged=0, unknown=0),
        drifts=(),
        complete=False,
        errors=(
            "Resource Graph: HTTP 503 Service Unavailable after 5 attempts",
            "Activity Log: HTTP 403 AuthorizationFailed for rg-web",
        ),
    )


@pytest.fixture
def report() -> ScanReport:
    return full_report()


@pytest.fixture
def make_report() -> Callable[..., ScanReport]:
    """The full report for another workspace path (SARIF resolves files against it)."""
    return full_report


@pytest.fixture
def clean() -> ScanReport:
    return clean_report()


@pytest.fixture
def incomplete() -> ScanReport:
    return incomplete_report()
