"""What not to call drift: ``lifecycle { ignore_changes }`` and the ``[[ignore]]`` rules of reconcile.toml.

[[ignore]]
type = "azurerm_linux_virtual_machine"
attributes = ["tags.last_patched"]      # globs over dotted paths; none: the whole resource
reason = "set nightly by the patching job"

[[ignore]]
address = "module.legacy.*"             # glob over addresses
reason = "owned by the legacy team"
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from typing import Any
from typing import NamedTuple

from reconciler.errors import ConfigError

_KEYS = {"address", "type", "attributes", "reason"}


class IgnoreRule(NamedTuple):
    address: str  # glob; "" matches every address
    type: str  # glob; "" matches every type
    attributes: tuple[str, ...]  # empty: the whole resource
    reason: str

    def applies(self, address: str | None, type_name: str) -> bool:
        if self.address and not fnmatch.fnmatchcase(address or "", self.address):
            return False
        return not (self.type and not fnmatch.fnmatchcase(type_name, self.type))


def parse_rules(raw: Sequence[Any], where: str) -> tuple[IgnoreRule, ...]:
    """Rules from the ``ignore`` setting; ``where`` names it for errors (``reconcile.toml: ignore``)."""
    rules = []
    for index, item in enumerate(raw):
        here = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{here}: expected a table ([[ignore]]), got {item!r}")
        unknown = set(item) - _KEYS
        if unknown:
            raise ConfigError(
                f"{here}: unknown key {sorted(unknown)[0]!r} (expected {', '.join(sorted(_KEYS))})"
            )
        address, type_name = item.get("address", ""), item.get("type", "")
        attributes = item.get("attributes", [])
        reason = item.get("reason", "")
        if not isinstance(address, str) or not isinstance(type_name, str) or not isinstance(reason, str):
            raise ConfigError(f"{here}: address, type and reason must be strings")
        if not address and not type_name:
            raise ConfigError(
                f"{here}: give an address or a type (a rule for everything would hide all drift)"
            )
        if not isinstance(attributes, list) or not all(isinstance(a, str) and a for a in attributes):
            raise ConfigError(f"{here}.attributes: expected an array of attribute paths, got {attributes!r}")
        rules.append(IgnoreRule(address, type_name, tuple(attributes), reason))
    return tuple(rules)


def patterns(
    rules: Sequence[IgnoreRule], address: str | None, type_name: str, ignore_changes: Sequence[str] | str = ()
) -> tuple[str, ...]:
    """Attribute globs to ignore for one resource; ``("*",)`` ignores it entirely."""
    if ignore_changes == "all":
        return ("*",)
    found: list[str] = list(ignore_changes)
    for rule in rules:
        if rule.applies(address, type_name):
            if not rule.attributes:
                return ("*",)
            found.extend(rule.attributes)
    return tuple(found)
