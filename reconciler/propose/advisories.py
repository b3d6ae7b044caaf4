"""What a person should know before accepting a proposal, in plain words."""

from __future__ import annotations

import re
from collections.abc import Iterable

from reconciler.workspace import Configuration
from state.proposal import Advisory
from state.report import Drift

#: vCPUs and GiB of memory of common sizes, to say what a size change means.
_VM_SIZES = {
    "standard_b1s": (1, 1),
    "standard_b1ms": (1, 2),
    "standard_b2s": (2, 4),
    "standard_b2ms": (2, 8),
    "standard_b4ms": (4, 16),
    "standard_b8ms": (8, 32),
    "standard_d2s_v3": (2, 8),
    "standard_d4s_v3": (4, 16),
    "standard_d8s_v3": (8, 32),
    "standard_d2s_v5": (2, 8),
    "standard_d4s_v5": (4, 16),
    "standard_d8s_v5": (8, 32),
    "standard_e2s_v5": (2, 16),
    "standard_e4s_v5": (4, 32),
    "standard_f2s_v2": (2, 4),
    "standard_f4s_v2": (4, 8),
}

_VM_REPLACED = (
    "the VM is deleted and re-created: downtime, a new OS disk (its data is lost), new ids; anything "
    "attached must re-attach"
)
_REPLACEMENT_EFFECTS = {
    "azurerm_linux_virtual_machine": _VM_REPLACED,
    "azurerm_windows_virtual_machine": _VM_REPLACED,
    "azurerm_managed_disk": "the disk is deleted and re-created empty: its data is lost",
    "azurerm_public_ip": "the address is released and a new one allocated: DNS records and allow-lists break",
    "azurerm_storage_account": "the account and all its data are deleted",
}


def advisories(
    drift: Drift,
    replacements: dict[str, list[list[str | int]]],
    configuration: Configuration | None,
    will_change_cloud: bool,
) -> tuple[Advisory, ...]:
    out: list[Advisory] = []
    for address, paths in sorted(replacements.items()):
        kind = address.split("[")[0].split(".")[-2] if "." in address else address
        effect = _REPLACEMENT_EFFECTS.get(kind, "it is deleted and re-created")
        shown = ", ".join(".".join(str(s) for s in p) for p in paths)
        text = f"Applying this replaces {address} (because of {shown}): {effect}."
        if any(p and p[0] in ("priority", "eviction_policy") for p in paths):
            text += " A Spot VM can also be evicted at any time."
        out.append(Advisory("replacement", text))
    if will_change_cloud and configuration is not None and drift.address:
        dependents = sorted(_dependents(configuration, drift.address))
        if dependents:
            out.append(
                Advisory(
                    "blast_radius", f"{len(dependents)} resources depend on it: {', '.join(dependents)}."
                )
            )
    for change in drift.changes:
        if change.path == "size" and isinstance(change.state, str) and isinstance(change.live, str):
            out.append(Advisory("cost", _size_note(change.state, change.live, will_change_cloud)))
        elif change.path == "disk_size_gb" and isinstance(change.state, int) and isinstance(change.live, int):
            verb = "shrinks back" if will_change_cloud else "stays"
            note = f"Disk size: {change.state} GB → {change.live} GB live; the code {verb}"
            if will_change_cloud and change.live > change.state:
                note = (
                    f"Reverting asks Azure to shrink the disk from {change.live} to {change.state} GB, "
                    "which Azure refuses: codify the new size instead."
                )
            out.append(Advisory("cost", note + ("" if note.endswith(".") else ".")))
    return tuple(out)


def _size_note(state: str, live: str, reverting: bool) -> str:
    before, after = _VM_SIZES.get(state.lower()), _VM_SIZES.get(live.lower())
    frm, to = (live, state) if reverting else (state, live)
    detail = ""
    if before and after:
        b, a = (after, before) if reverting else (before, after)
        detail = f" ({b[0]} → {a[0]} vCPUs, {b[1]} → {a[1]} GiB)"
    direction = "the size in the code" if not reverting else "the VM back"
    return (
        f"Size {frm} → {to}{detail}: this sets {direction}; cost changes with it (a resize restarts the VM)."
    )


def _dependents(configuration: Configuration, address: str) -> Iterable[str]:
    """Blocks whose arguments refer to the resource (``azurerm_x.y.`` in an expression)."""
    base = re.sub(r"\[[^\]]*\]", "", address)
    parts = base.split(".")
    reference = ".".join(parts[-2:])
    pattern = re.compile(r"(?<![\w.])" + re.escape(reference) + r"\b")
    for block in configuration.blocks:
        if block.address == base or block.module_path != tuple(parts[1:-2:2]):
            continue
        if pattern.search(repr(block.body)):
            yield block.address
