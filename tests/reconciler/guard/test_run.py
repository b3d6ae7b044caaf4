"""`reconcile check`'s verdicts on the drifted VM scenario: a real apply, out-of-band changes and scan.

One estate serves the module. Each test checks its own copy of the workspace, whose store holds the
estate's latest scan under the copy's path (the store keys scans by the workspace's absolute path), so
tests edit files freely and in any order.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from sandbox_cloud import exported

from reconciler import scenario
from reconciler.drift.run import DriftOptions
from reconciler.drift.run import run_drift
from reconciler.guard.run import CheckOptions
from reconciler.guard.run import CheckResult
from reconciler.guard.run import run_check
from reconciler.guard.verdict import Finding
from reconciler.propose import edits as rules
from reconciler.workspace import load_config as load_workspace
from sandbox.az import Az
from sandbox.az import endpoint_for
from state.sqlite import SqliteStore
from state.store import new_scan_id

VM = "azurerm_linux_virtual_machine.web"
STORAGE = "azurerm_storage_account.diagnostics"


class Estate:
    def __init__(self, e: scenario.Estate) -> None:
        self.e = e
        self.ws = e.workspace
        self.env = {**os.environ, **scenario.terraform_env(e.sandbox)}

    def copy(self, dst: Path, age: timedelta = timedelta(minutes=5)) -> Path:
        """The workspace at ``dst``, its latest scan stored for that path as if made ``age`` ago."""
        shutil.copytree(self.ws, dst, ignore=shutil.ignore_patterns(".reconcile"))
        with SqliteStore(self.ws / ".reconcile" / "state.db") as source:
            report = source.latest(str(self.ws))
        assert report is not None
        at = datetime.now(UTC) - age
        with SqliteStore(dst / ".reconcile" / "state.db") as store:
            store.save_scan(
                report._replace(workspace=str(dst), scan_id=new_scan_id(at), scanned_at=at),
                [],
                state_serial=None,
                state_lineage=None,
            )
        return dst


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    root = tmp_path_factory.mktemp("guard")
    with scenario.estate(root) as e:
        e.tf.init(e.workspace)
        e.tf.apply(e.workspace)
        scenario.drift(e)
        alice = Az(endpoint_for(e.sandbox.url, e.subscription, "alice@contoso.com", "portal"))
        alice.resource_delete(f"{e.group_id()}/providers/Microsoft.Storage/storageAccounts/demodiag")
        with exported(scenario.terraform_env(e.sandbox)):
            assert run_drift(DriftOptions(directory=e.workspace)).exit_code == 2
        yield Estate(e)


def _check(ws: Path, *files: str, **options: object) -> CheckResult:
    return run_check(CheckOptions(files=tuple(Path(f) for f in files), cwd=ws, environ={}, **options))  # type: ignore[arg-type]


def _verdicts(result: CheckResult) -> dict[str, Finding]:
    return {f.drift.address or "": f for w in result.workspaces for f in w.findings}


def test_editing_a_drifted_block_is_blocked_with_who_what_and_through_which_tool(
    estate: Estate, tmp_path: Path
) -> None:
    ws = estate.copy(tmp_path / "ws")
    main_tf = ws / "main.tf"
    main_tf.write_text(
        main_tf.read_text().replace('version   = "latest"', 'version   = "latest" # pinned soon')
    )
    result = _check(ws, "main.tf")
    assert result.exit_code == 1
    found = _verdicts(result)
    resized = found[f"{VM}[1]"]
    assert resized.verdict == "blocked"
    [size] = resized.attributes
    assert (size.change.path, size.change.live, size.configured, size.outcome) == (
        "size",
        "Standard_B2s",
        "Standard_B1s",
        "differs",
    )
    assert "terraform.tfvars:4" in size.note  # where the configured value is written
    assert resized.drift.attribution is not None
    assert (resized.drift.attribution.caller, resized.drift.attribution.modality) == (
        "bob@contoso.com",
        "cli",
    )
    assert [f for f, _ in resized.touched_by] == ["main.tf"]
    # The deleted storage account is still declared: the next apply would re-create it.
    assert found[STORAGE].verdict == "blocked"


def test_codifying_the_drift_lets_the_commit_through(estate: Estate, tmp_path: Path) -> None:
    ws = estate.copy(tmp_path / "ws")
    tfvars = ws / "terraform.tfvars"
    text = (
        tfvars.read_text().replace('"Standard_B1s"', '"Standard_B2s"').replace('"platform-team"', '"alice"')
    )
    tfvars.write_text(text)
    found = _verdicts(_check(ws, "terraform.tfvars"))
    assert found[f"{VM}[1]"].verdict == "codified"
    assert found[f"{VM}[0]"].verdict == "codified"  # tags.owner = "alice" through var.tags
    # Not codified and fed by terraform.tfvars (var.prefix, var.tags): still blocked.
    assert found[f"{VM}[2]"].verdict == "blocked"
    assert found["azurerm_managed_disk.data"].verdict == "blocked"


def test_the_rules_per_instance_codify_reads_as_codified(estate: Estate, tmp_path: Path) -> None:
    """What `reconcile propose` writes for one instance of a counted resource (a conditional on
    count.index, a merge into the shared tags, a dynamic block) is evaluated, not taken for unknown."""
    ws = estate.copy(tmp_path / "ws")
    with SqliteStore(ws / ".reconcile" / "state.db") as store:
        report = store.latest(str(ws))
    assert report is not None
    for address in (f"{VM}[0]", f"{VM}[1]", f"{VM}[2]"):
        drift = next(d for d in report.drifts if d.address == address)
        edits = rules.codify(load_workspace(ws), drift, {})
        assert not isinstance(edits, rules.Decline), edits
        for edit in edits:
            (ws / edit.path).write_text(edit.after)
    text = (ws / "main.tf").read_text()
    assert "count.index == 1 ?" in text and "count.index == 0 ?" in text  # per instance, not shared
    assert 'dynamic "boot_diagnostics"' in text
    found = _verdicts(_check(ws, "main.tf"))
    assert [found[f"{VM}[{i}]"].verdict for i in range(3)] == ["codified"] * 3
    # Drift those edits do not codify, fed by main.tf: still blocked.
    assert found["azurerm_managed_disk.data"].verdict == "blocked"


def test_allow_revert_and_ignore_rules_let_the_commit_through(estate: Estate, tmp_path: Path) -> None:
    ws = estate.copy(tmp_path / "ws")
    (ws / "reconcile.toml").write_text(
        '[[ignore]]\naddress = "azurerm_managed_disk.data"\n'
        'attributes = ["disk_size_gb"]\nreason = "autogrow"\n'
    )
    main_tf = ws / "main.tf"
    main_tf.write_text(
        main_tf.read_text().replace("  lun                = 10\n", "  lun                = 10 # data\n")
    )
    allowed = (f"{VM}[*]", "azurerm_network_security_group.web", STORAGE)
    result = _check(ws, "main.tf", allow_revert=allowed)
    found = _verdicts(result)
    assert result.exit_code == 0, [(a, f.verdict) for a, f in found.items()]
    assert found["azurerm_managed_disk.data"].verdict == "ignored"
    assert {found[f"{VM}[{i}]"].verdict for i in range(3)} == {"allowed"}


def test_a_commit_that_touches_no_drifted_resource_passes_with_warnings(
    estate: Estate, tmp_path: Path
) -> None:
    ws = estate.copy(tmp_path / "ws")
    (ws / "outputs.tf").write_text((ws / "outputs.tf").read_text() + '\noutput "note" {\n  value = "x"\n}\n')
    result = _check(ws, "outputs.tf")
    assert result.exit_code == 0
    assert {f.verdict for f in _verdicts(result).values()} == {"untouched"}


def test_a_stale_scan_warns_instead_of_blocking(estate: Estate, tmp_path: Path) -> None:
    ws = estate.copy(tmp_path / "ws", age=timedelta(days=3))
    result = _check(ws, "main.tf")
    assert result.exit_code == 0
    [w] = result.workspaces
    assert w.stale and "3 days old" in w.warnings[0]
    assert _verdicts(result)[f"{VM}[1]"].verdict == "stale"
    # A longer --max-age makes the same scan count again.
    assert _check(ws, "main.tf", max_age=timedelta(days=7)).exit_code == 1


def test_a_workspace_without_a_scan_warns(estate: Estate, tmp_path: Path) -> None:
    ws = tmp_path / "never"
    shutil.copytree(estate.ws, ws, ignore=shutil.ignore_patterns(".reconcile"))
    result = _check(ws, "main.tf")
    assert result.exit_code == 0
    assert "never been scanned" in result.warnings[0]
    assert not (ws / ".reconcile").exists()  # looking never creates a store

    (ws / "reconcile.toml").write_text('[[workspace]]\npath = "."\nname = "vm"\n')
    [listed] = _check(ws, "main.tf").workspaces
    assert listed.name == "vm" and listed.scan is None and "no scan yet" in listed.warnings[0]


def test_removing_a_deleted_resource_from_the_configuration_codifies_the_deletion(
    estate: Estate, tmp_path: Path
) -> None:
    ws = estate.copy(tmp_path / "ws")
    main_tf = ws / "main.tf"
    text = main_tf.read_text()
    start = text.index('resource "azurerm_storage_account" "diagnostics"')
    end = text.index("}\n", start) + 2
    main_tf.write_text(text[:start] + text[end:])
    assert _verdicts(_check(ws, "main.tf"))[STORAGE].verdict == "codified"


def test_fresh_scans_before_checking(estate: Estate, tmp_path: Path) -> None:
    ws = estate.copy(tmp_path / "ws", age=timedelta(days=30))
    result = run_check(CheckOptions(files=(Path("main.tf"),), cwd=ws, fresh=True, environ=estate.env))
    [w] = result.workspaces
    assert w.fresh and not w.stale and w.scan is not None
    assert result.exit_code == 1
    with SqliteStore(ws / ".reconcile" / "state.db") as store:
        assert len(store.scans(str(ws))) == 2
