"""What `reconcile drift` saves, `reconcile history` reads back: exactly, by short id, newest first.

Written against the ``store`` fixture so that a PostgreSQL store can run the same suite later.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path

import pytest

from state.errors import StoreError
from state.redaction import Redactor
from state.report import MASK
from state.report import Attribution
from state.report import Change
from state.report import Drift
from state.report import ScanReport
from state.report import Source
from state.report import Summary
from state.report import to_json
from state.sqlite import SqliteStore
from state.store import Snapshot
from state.store import Store
from state.store import new_scan_id

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001"
RG = f"{SUB}/resourceGroups/rg-demo"
VM = f"{RG}/providers/Microsoft.Compute/virtualMachines/web-0"
NSG = f"{RG}/providers/Microsoft.Network/networkSecurityGroups/web-nsg"
DISK = f"{RG}/providers/Microsoft.Compute/disks/data-0"
PIP = f"{RG}/providers/Microsoft.Network/publicIPAddresses/pip-rogue"
SA = f"{RG}/providers/Microsoft.Storage/storageAccounts/stdemo"
T0 = datetime(2025, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)
WS = "/srv/infra/azure-vm"


@pytest.fixture(params=["sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = SqliteStore(tmp_path / ".reconcile" / "state.db")
    yield s
    s.close()


def _report(scan_id: str, at: datetime = T0, workspace: str = WS) -> ScanReport:
    """A scan of the VM scenario after a busy afternoon in the portal and the CLI."""
    portal = Attribution(
        "alice@contoso.com",
        "portal",
        "Microsoft.Compute/virtualMachines/write",
        at - timedelta(hours=2),
        "c-1",
    )
    cli = Attribution(
        "bob@contoso.com",
        "cli",
        "Microsoft.Network/networkSecurityGroups/securityRules/write",
        at - timedelta(minutes=7, microseconds=13),
        "c-2",
    )
    return ScanReport(
        workspace=workspace,
        scan_id=scan_id,
        scanned_at=at,
        summary=Summary(managed=9, in_sync=5, changed=2, deleted=1, unmanaged=1, unknown=1),
        drifts=(
            Drift(
                "changed",
                "azurerm_linux_virtual_machine.web[0]",
                "azurerm_linux_virtual_machine",
                VM,
                (
                    Change("size", "Standard_B1s", "Standard_B2s"),
                    Change("boot_diagnostics.0.storage_account_uri", "https://stdemo.blob/", None),
                    Change("tags.owner", None, "Zoë / ops 🚀"),
                    Change("admin_password", MASK, MASK),
                ),
                portal,
                Source("main.tf", 42),
            ),
            Drift(
                "changed",
                'azurerm_network_security_group.web["frontend"]',
                "azurerm_network_security_group",
                NSG,
                (
                    Change(
                        "security_rule.1",
                        None,
                        {"name": "ssh-any", "priority": 100, "ports": [22, 2222], "allow": True},
                    ),
                ),
                cli,
                Source("modules/net/nsg.tf", 7),
            ),
            Drift("deleted", "module.data.azurerm_managed_disk.data", "azurerm_managed_disk", DISK,
                  source=Source("modules/data/main.tf", 1)),
            Drift("unmanaged", None, "azurerm_public_ip", PIP,
                  attribution=portal._replace(correlation_id="c-3")),
            Drift("unknown", "azurerm_storage_account.logs", "azurerm_storage_account", SA,
                  source=Source("main.tf", 90), reason="429 Too Many Requests after 5 retries"),
        ),
        complete=False,
        errors=("Microsoft.Storage: throttled (429) after 5 retries", "ünïcode error line"),
    )  # fmt: skip


def _snapshots() -> list[Snapshot]:
    return [
        Snapshot(
            "azurerm_linux_virtual_machine.web[0]",
            VM,
            "azurerm_linux_virtual_machine",
            {"size": "Standard_B1s", "tags": {}},
            {"size": "Standard_B1s", "admin_password": MASK, "os_disk": [{"caching": "ReadWrite"}]},
            {"size": "Standard_B2s", "admin_password": MASK, "os_disk": [{"caching": "ReadWrite"}]},
        ),
        Snapshot(
            "module.data.azurerm_managed_disk.data", DISK, "azurerm_managed_disk", {}, {"size_gb": 4}, None
        ),
        Snapshot(None, PIP, "azurerm_public_ip", None, None, {"sku": "Standard", "zones": ["1"], "n": 0.5}),
    ]


def test_a_saved_scan_reads_back_exactly(store: Store) -> None:
    sid = new_scan_id(T0)
    report = _report(sid)
    store.save_scan(report, _snapshots(), state_serial=17, state_lineage="5f0c-lineage")

    back = store.report(sid)
    assert back == report
    assert back is not None and to_json(back) == to_json(report)
    assert store.snapshots(sid) == _snapshots()
    assert store.scan_state(sid) == (17, "5f0c-lineage")


def test_the_scan_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    sid = new_scan_id(T0)
    with SqliteStore(path) as s:
        s.save_scan(_report(sid), _snapshots(), state_serial=None, state_lineage=None)
    with SqliteStore(path) as s:
        assert s.report(sid) == _report(sid)
        assert s.scan_state(sid) == (None, None)


def test_times_in_any_zone_come_back_as_the_same_instant(store: Store) -> None:
    at = datetime(2025, 3, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    sid = new_scan_id(at)
    store.save_scan(_report(sid, at), [], state_serial=1, state_lineage="l")
    back = store.report(sid)
    assert back is not None
    assert back.scanned_at == at and back.scanned_at.tzinfo == UTC
    assert back == _report(sid, at)


def test_an_empty_scan_reads_back(store: Store) -> None:
    sid = new_scan_id(T0)
    empty = ScanReport(WS, sid, T0, Summary(0, 0, 0, 0, 0, 0), ())
    store.save_scan(empty, [], state_serial=None, state_lineage=None)
    assert store.report(sid) == empty
    assert store.snapshots(sid) == []


def test_a_failed_save_leaves_nothing_behind(store: Store) -> None:
    sid = new_scan_id(T0)
    good = _report(sid)
    # The last drift is rejected by the database after the scan, drift and snapshot rows were written.
    bad = good._replace(drifts=(*good.drifts, Drift("bogus", None, "azurerm_x", "/x")))  # type: ignore[arg-type]
    with pytest.raises(StoreError, match=f"^{re.escape(store.location)}: "):
        store.save_scan(bad, _snapshots(), state_serial=1, state_lineage="l")
    assert store.report(sid) is None
    assert store.scans() == []
    assert store.latest(WS) is None and store.last_scan_at(WS) is None
    if isinstance(store, SqliteStore):
        with closing(sqlite3.connect(store.path)) as raw:
            for table in ("workspaces", "scans", "drifts", "attributions", "snapshots"):
                assert raw.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table

    def interrupted() -> Iterator[Snapshot]:
        yield from _snapshots()[:2]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.save_scan(good, interrupted(), state_serial=1, state_lineage="l")
    assert store.scans() == []

    store.save_scan(good, _snapshots(), state_serial=1, state_lineage="l")  # and the store still works
    assert store.report(sid) == good


def test_saving_a_scan_id_twice_is_refused_and_keeps_the_first(store: Store) -> None:
    sid = new_scan_id(T0)
    store.save_scan(_report(sid), _snapshots(), state_serial=1, state_lineage="l")
    other = _report(sid)._replace(drifts=())
    with pytest.raises(StoreError, match=f"scan {sid} is already saved"):
        store.save_scan(other, [], state_serial=2, state_lineage="l")
    assert store.report(sid) == _report(sid)
    assert store.scan_state(sid) == (1, "l")


def test_a_unique_prefix_finds_the_scan(store: Store) -> None:
    a = "20250301T120000Z-aaaa1111"
    b = "20250301T120000Z-aaaa2222"
    c = "20250302T080000Z-bbbb3333"
    for sid in (a, b, c):
        store.save_scan(_report(sid), _snapshots(), state_serial=3, state_lineage="l")
    assert store.report("20250302") == _report(c)
    assert store.report("20250301T120000Z-aaaa2") == _report(b)
    assert store.snapshots("20250302T08") == _snapshots()
    assert store.scan_state("20250301T120000Z-aaaa1") == (3, "l")
    assert store.report(a) == _report(a)  # a full id is never ambiguous
    assert store.report("20250303") is None
    assert store.report("20250301t") is None  # case matters, as in the ids shown


def test_an_ambiguous_prefix_names_the_candidates(store: Store) -> None:
    ids = [f"20250301T1200{n:02d}Z-cafe{n:04x}" for n in (0, 1, 2, 3, 10, 11)]
    for sid in ids:
        store.save_scan(_report(sid), [], state_serial=1, state_lineage="l")
    with pytest.raises(StoreError) as e:
        store.report("20250301T1200")
    message = str(e.value)
    assert "ambiguous" in message and "20250301T1200" in message and "and more" in message
    assert ids[0] in message and ids[3] not in message and "\n" not in message
    with pytest.raises(StoreError, match=f"matches {ids[4]}, {ids[5]}$"):
        store.snapshots("20250301T12001")
    with pytest.raises(StoreError, match="ambiguous"):
        store.scan_state("2025")


def test_an_unknown_scan_is_none_or_a_clear_error(store: Store) -> None:
    assert store.report("20991231T000000Z-00000000") is None
    with pytest.raises(StoreError, match=f"^{re.escape(store.location)}: no scan '2099'$"):
        store.snapshots("2099")
    with pytest.raises(StoreError, match="no scan"):
        store.scan_state("nope")
    with pytest.raises(StoreError, match="no scan id given"):
        store.report("")


def test_history_lists_newest_first_per_workspace(store: Store) -> None:
    other = "/srv/infra/other"
    saved: list[tuple[datetime, str, str]] = []
    # Saved out of order, as a slow manual scan can finish after a later cron scan.
    for minutes in (30, 0, 50, 10, 40, 20):
        at = T0 + timedelta(minutes=minutes)
        ws = other if minutes in (10, 40) else WS
        sid = new_scan_id(at)
        store.save_scan(_report(sid, at, ws), [], state_serial=minutes, state_lineage="l")
        saved.append((at, sid, ws))
    newest_first = sorted(saved, reverse=True)

    listed = store.scans()
    assert [i.scan_id for i in listed] == [sid for _, sid, _ in newest_first]
    assert listed[0].workspace == WS and listed[0].scanned_at == T0 + timedelta(minutes=50)
    assert listed[0].complete is False and listed[0].summary == _report("x").summary
    assert [i.scan_id for i in store.scans(limit=2)] == [sid for _, sid, _ in newest_first[:2]]
    assert [i.scan_id for i in store.scans(other)] == [sid for _, sid, ws in newest_first if ws == other]
    assert store.scans("/nowhere") == []

    latest = store.latest(other)
    assert latest is not None and latest.scanned_at == T0 + timedelta(minutes=40)
    assert store.last_scan_at(WS) == T0 + timedelta(minutes=50)
    assert store.last_scan_at(other) == T0 + timedelta(minutes=40)
    assert store.latest("/nowhere") is None and store.last_scan_at("/nowhere") is None


def test_scans_in_the_same_second_get_distinct_ids_in_time_order(store: Store) -> None:
    first = T0.replace(microsecond=1)
    second = T0.replace(microsecond=2)
    a, b = new_scan_id(first), new_scan_id(second)
    assert a != b and a[:16] == b[:16]
    store.save_scan(_report(b, second), [], state_serial=1, state_lineage="l")
    store.save_scan(_report(a, first), [], state_serial=1, state_lineage="l")
    assert [i.scan_id for i in store.scans()] == [b, a]
    latest = store.latest(WS)
    assert latest is not None and latest.scan_id == b


def _raw_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_no_secret_is_written_by_path_or_by_value(tmp_path: Path) -> None:
    password, tag, client = "Vm-Pa55word-42", "tag-secret-value", "arm-client-secret-xyz"
    path = tmp_path / ".reconcile" / "state.db"
    sid = new_scan_id(T0)
    report = _report(sid)._replace(errors=(f"read failed: token={client}",))
    vm = Snapshot(
        "azurerm_linux_virtual_machine.web[0]",
        VM,
        "azurerm_linux_virtual_machine",
        None,
        {"admin_password": password, "tags": {"secret": tag, "env": "dev"}},
        {"admin_password": password, "tags": {"secret": "changed-out-of-band", "env": "dev"}},
        sensitive=("admin_password", "tags.secret"),
    )
    with SqliteStore(path, redactor=Redactor([client, password])) as store:
        store.save_scan(report, [vm], state_serial=1, state_lineage="l")
        store.save_proposals(sid, [{"proposal_id": "p-1", "strategy": "codify", "valid": False,
                                    "diff": f'-  admin_password = "{password}"'}])  # fmt: skip
        [back] = store.snapshots(sid)
        [proposal] = store.proposals(sid)
        saved = store.report(sid)
    data = _raw_bytes(path)
    for secret in (password, tag, client, "changed-out-of-band"):
        assert secret.encode() not in data, secret
    assert back.state == {"admin_password": MASK, "tags": {"secret": MASK, "env": "dev"}}
    assert back.sensitive == ("admin_password", "tags.secret")
    assert back.digests is not None
    # The keyed hash says what changed without keeping it: the password did not, the tag did.
    assert back.digests["state"]["admin_password"] == back.digests["live"]["admin_password"]
    assert back.digests["state"]["tags.secret"] != back.digests["live"]["tags.secret"]
    assert (path.parent / "state.db.key").is_file()
    assert proposal["diff"] == f'-  admin_password = "{MASK}"'
    assert saved is not None and saved.errors == (f"read failed: token={MASK}",)


def test_the_key_file_can_live_elsewhere(tmp_path: Path) -> None:
    key = tmp_path / "secrets" / "reconcile.key"
    path = tmp_path / "ws" / ".reconcile" / "state.db"
    snap = Snapshot(
        "a.b",
        VM,
        "azurerm_linux_virtual_machine",
        None,
        {"admin_password": "p" * 8},
        None,
        ("admin_password",),
    )
    with SqliteStore(path, key_file=key) as store:
        store.save_scan(_report(new_scan_id(T0)), [snap], state_serial=1, state_lineage="l")
    assert key.is_file()
    assert not (path.parent / "state.db.key").exists()
