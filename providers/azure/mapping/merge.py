"""Updating a live ARM body the way azurerm's ``d.HasChange`` updates do: only what the plan changes.

azurerm updates a VM, a disk or a storage account by sending the fields whose attributes changed and
nothing else, so whatever it does not manage (an identity added in the portal, a property this mapping
does not model) survives an apply. Given the bodies ``to_arm`` makes from the prior state and from the
plan, :func:`changed_only` writes into the live body exactly the parts where those two differ.
"""

from __future__ import annotations

import copy
from typing import Any

# Not base.Body: base uses this module for Mapping.update_body
Body = dict[str, Any]

_ABSENT = object()


def changed_only(before: Body, after: Body, live: Body) -> Body:
    """``live`` with every value where ``after`` differs from ``before`` set (or removed) as in ``after``.

    Objects are compared member by member; anything else (lists included) is replaced whole.
    """
    out = copy.deepcopy(live)
    _apply(before, after, out)
    return out


def _apply(before: Body, after: Body, live: Body) -> None:
    for key in after.keys() | before.keys():
        old, new = before.get(key, _ABSENT), after.get(key, _ABSENT)
        if old == new:
            continue
        if new is _ABSENT:
            live.pop(key, None)
        elif isinstance(old, dict) and isinstance(new, dict) and isinstance(live.get(key), dict):
            _apply(old, new, live[key])
        else:
            live[key] = copy.deepcopy(new)
