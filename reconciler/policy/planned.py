"""Rules over the values a plan establishes: required tags, allowed locations, allowed VM sizes.

Each looks at every resource the plan creates, updates or replaces, and at the drifted values of a
resource it keeps as it is live (what a codify proposal accepts into the code). A value known only after
apply is not judged: it comes from another resource, which these rules see on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reconciler.policy.plan import Change
from state.proposal import Violation

REQUIRED_TAGS = "builtin.required_tags"
ALLOWED_LOCATIONS = "builtin.allowed_locations"
ALLOWED_VM_SIZES = "builtin.allowed_vm_sizes"

#: The attribute that holds the virtual machine size, per resource type.
VM_SIZE_ATTRIBUTE = {
    "azurerm_linux_virtual_machine": "size",
    "azurerm_windows_virtual_machine": "size",
    "azurerm_virtual_machine": "vm_size",
    "azurerm_linux_virtual_machine_scale_set": "sku",
    "azurerm_windows_virtual_machine_scale_set": "sku",
    "azurerm_orchestrated_virtual_machine_scale_set": "sku_name",
}


def required_tags(changes: Sequence[Change], required: Sequence[str]) -> list[Violation]:
    """Every taggable resource carries each key in ``required`` (compared as Azure does, in any case)."""
    found = []
    for change in changes:
        # A schema with tags always shows them in a planned object, null when unset.
        if not required or not change.settles("tags") or change.unknown("tags"):
            continue
        if "tags" not in change.after and "tags" not in change.after_unknown:
            continue
        tags = change.after.get("tags") or {}
        partly_unknown = change.after_unknown.get("tags")
        present = {k.lower() for k in tags} | {k.lower() for k in (partly_unknown or {})}
        missing = [t for t in required if t.lower() not in present]
        if missing:
            has = f" (it has {', '.join(sorted(tags))})" if tags else " (it has none)"
            tag_s = "tags" if len(missing) > 1 else "tag"
            message = f"{change.address} lacks required {tag_s} {', '.join(missing)}{has}"
            found.append(Violation(REQUIRED_TAGS, change.address, message))
    return found


def allowed_locations(changes: Sequence[Change], allowed: Sequence[str]) -> list[Violation]:
    """Every located resource is in one of ``allowed`` (``West Europe`` is ``westeurope``)."""
    names = {normalize_location(a) for a in allowed}
    found = []
    for change in changes:
        location = change.after.get("location")
        if not names or not change.settles("location") or not isinstance(location, str):
            continue
        if normalize_location(location) not in names:
            message = (
                f"{change.address} is planned in {location}, outside the allowed locations "
                f"({', '.join(allowed)})"
            )
            found.append(Violation(ALLOWED_LOCATIONS, change.address, message))
    return found


def allowed_vm_sizes(changes: Sequence[Change], allowed: Sequence[str]) -> list[Violation]:
    """Every virtual machine (and scale set) has one of the ``allowed`` sizes, in any case."""
    names = {a.lower() for a in allowed}
    found = []
    for change in changes:
        attribute = VM_SIZE_ATTRIBUTE.get(change.type)
        size = change.after.get(attribute) if attribute else None
        if not names or not attribute or not change.settles(attribute) or not isinstance(size, str):
            continue
        if size.lower() not in names:
            message = f"{change.address} has size {size}, not an allowed size ({', '.join(allowed)})"
            found.append(Violation(ALLOWED_VM_SIZES, change.address, message))
    return found


def normalize_location(name: str) -> str:
    """Azure's spelling of a region: ``West Europe`` → ``westeurope``."""
    return re.sub(r"\s+", "", name).lower()
