"""The rules that keep the cloud consistent: references resolve, what is in use stays, and what ARM
refuses to change in place does not change.

Pure functions over bodies: the caller looks things up (inside its transaction) and passes them in.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable

from sandbox.arm import ids
from sandbox.arm.errors import ArmError
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType
from sandbox.arm.types.base import dig
from sandbox.arm.types.base import walk_refs


def all_refs(spec: ResourceType, body: Body) -> list[str]:
    """Every id ``body`` references, its child collections' references included."""
    found = [r for path in spec.refs for r in walk_refs(body, path)]
    for child in spec.children:
        for item in body["properties"].get(child.collection, []):
            found.extend(r for path in child.refs for r in walk_refs(item, path))
    return found


def check_refs(rid: ids.ResourceId, spec: ResourceType, body: Body, exists: Callable[[str], bool]) -> None:
    """Refuse a body that references what does not exist; its own children count as existing."""
    own = ids.key(str(rid)) + "/"
    own_children = {
        ids.key(item["id"])
        for child in spec.children
        for item in body["properties"].get(child.collection, [])
    }
    for ref in all_refs(spec, body):
        k = ids.key(ref)
        found = k in own_children if k.startswith(own) else exists(ref)
        if not found:
            raise ArmError(
                400,
                "InvalidResourceReference",
                f"Resource {ref} referenced by resource {rid} was not found. Please make sure that the "
                "referenced resource exists, and that both resources are in the same region.",
            )


def check_not_in_use(
    rid: ids.ResourceId, spec: ResourceType, referrers: Iterable[str], skip: set[str]
) -> None:
    """Refuse to delete ``rid`` while a resource outside ``skip`` (lowercase keys) references it."""
    for referrer in referrers:
        if ids.key(referrer) not in skip:
            raise ArmError(
                spec.in_use_status,
                spec.in_use_code,
                f"{spec.segment} {rid.name} is in use by {referrer} and cannot be deleted.",
            )


def check_immutable(spec: ResourceType, body: Body, old: Body | None) -> None:
    """Refuse changes to the properties ARM fixes at creation (strings compare case-insensitively)."""
    if old is None:
        return
    for path in spec.immutable:
        before, after = dig(old, path), dig(body, path)
        if before is None:
            continue
        if isinstance(before, str) and isinstance(after, str):
            same = before.lower() == after.lower()
        else:
            same = before == after
        if not same:
            raise ArmError(409, "PropertyChangeNotAllowed", f"Changing property '{path}' is not allowed.")
