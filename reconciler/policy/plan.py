"""The resource changes of a saved plan, as ``terraform show -json`` renders it, for the built-in rules.

Only what the rules need is read: each managed resource instance's actions, its values before and after,
which values are unknown until apply, and why Terraform replaces it. ``after`` omits unknown values
(``after_unknown`` marks them), so a rule that finds a value missing must ask :meth:`Change.unknown`
before calling it absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import NamedTuple

from reconciler.terraform.terraform import check_format_version
from reconciler.workspace.addresses import config_address
from reconciler.workspace.addresses import parse_module

# The action lists Terraform writes for a destroy and for the two orders of a replacement.
DESTROYS = (("delete",), ("delete", "create"), ("create", "delete"))


class Change(NamedTuple):
    """One managed resource instance's planned change."""

    address: str  # module.m[0].azurerm_x.y["k"]: Terraform's spelling
    config_address: str  # module.m.azurerm_x.y: the block that declares it
    type: str
    actions: tuple[str, ...]
    before: Mapping[str, Any]  # {} for a create
    after: Mapping[str, Any]  # {} for a delete
    after_unknown: Mapping[str, Any]
    replace_paths: tuple[tuple[str | int, ...], ...]
    #: its values at the last apply, when it changed outside Terraform since (``resource_drift``)
    drifted_from: Mapping[str, Any] | None

    @property
    def destroys(self) -> bool:
        """A delete, or a replacement in either order."""
        return self.actions in DESTROYS

    @property
    def writes(self) -> bool:
        """The resource will exist after apply with values this plan sets: a create, update or replace."""
        return "create" in self.actions or "update" in self.actions

    def settles(self, name: str) -> bool:
        """Whether this plan establishes top-level attribute ``name``: written, or drifted and kept.

        A codify proposal plans no change for the resource it codifies but accepts its live values into
        the code, so a value that drifted must obey the rules as much as a written one. Only the drifted
        values: Azure fills in computed ones after every apply (a NIC's ``virtual_machine_id``).
        """
        if self.writes:
            return True
        if self.actions != ("no-op",) or self.drifted_from is None:
            return False
        return self.drifted_from.get(name) != self.after.get(name)

    def unknown(self, name: str) -> bool:
        """Whether top-level attribute ``name`` is known only after apply."""
        return self.after_unknown.get(name) is True

    def verb(self) -> str:
        """The destructive action in words."""
        if self.actions == ("delete",):
            return "destroyed"
        order = "destroy then create" if self.actions == ("delete", "create") else "create then destroy"
        return f"replaced ({order})"


def changes(plan: Mapping[str, Any]) -> list[Change]:
    """The managed resource changes of ``plan`` in Terraform's order; data sources only read."""
    check_format_version(plan, "plan")
    drifted = {
        rd.get("address"): (rd.get("change") or {}).get("before") for rd in plan.get("resource_drift") or ()
    }
    found = []
    for rc in plan.get("resource_changes") or ():
        if rc.get("mode") != "managed":
            continue
        change = rc.get("change") or {}
        module = [step.name for step in parse_module(rc.get("module_address", ""))]
        found.append(
            Change(
                address=rc["address"],
                config_address=config_address(tuple(module), "managed", rc["type"], rc["name"]),
                type=rc["type"],
                actions=tuple(change.get("actions") or ()),
                before=_mapping(change.get("before")),
                after=_mapping(change.get("after")),
                after_unknown=_mapping(change.get("after_unknown")),
                replace_paths=tuple(tuple(p) for p in change.get("replace_paths") or ()),
                drifted_from=_mapping(drifted[rc["address"]]) if rc["address"] in drifted else None,
            )
        )
    return found


def format_path(path: tuple[str | int, ...]) -> str:
    """``("os_disk", 0, "caching")`` → ``os_disk[0].caching``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
