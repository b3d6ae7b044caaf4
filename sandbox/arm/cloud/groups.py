"""Resource groups: created in a location that never changes, deleted with everything in them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC
from datetime import datetime

from sandbox.arm import ids
from sandbox.arm import regions
from sandbox.arm.cloud import shapes
from sandbox.arm.cloud.recording import Recorder
from sandbox.arm.cloud.records import Reply
from sandbox.arm.cloud.registry import Registry
from sandbox.arm.cloud.transaction import Transaction
from sandbox.arm.errors import ArmError
from sandbox.arm.errors import resource_group_not_found
from sandbox.arm.identity import Caller
from sandbox.arm.store import Store
from sandbox.arm.types.base import Body

GROUP_TYPE = "Microsoft.Resources/resourceGroups"
GROUP_API_VERSIONS = ("2019-10-01", "2020-06-01", "2021-04-01", "2022-09-01", "2023-07-01", "2024-03-01",
                      "2024-07-01", "2024-11-01", "2025-01-01", "2025-03-01", "2025-04-01")  # fmt: skip
_NAME = re.compile(r"^[-\w._()]{1,90}$")


class ResourceGroups:
    def __init__(
        self, store: Store, registry: Registry, recorder: Recorder, clock: Callable[[], float]
    ) -> None:
        self.store = store
        self.registry = registry
        self.recorder = recorder
        self.clock = clock

    def get(self, subscription: str, name: str) -> Body:
        sub = self.registry.check_subscription(subscription)
        row = self.store.get(ids.group_id(sub, name))
        if row is None:
            raise resource_group_not_found(name)
        return row.body

    def list_all(self, subscription: str) -> list[Body]:
        sub = self.registry.check_subscription(subscription)
        return [r.body for r in self.store.list(sub, None, GROUP_TYPE)]

    def put(
        self,
        subscription: str,
        name: str,
        incoming: Body,
        caller: Caller,
        method: str,
        keep: tuple[str, ...] = (),
    ) -> Reply:
        """Create or update a group; ``keep`` lists paths an update leaves as they were (see Cloud.put)."""
        sub = self.registry.check_subscription(subscription)
        _check_name(name)
        gid = ids.group_id(sub, name)
        with self.recorder.recording(gid, GROUP_TYPE, method, caller) as rec:
            with self.store.transaction() as conn:
                old_row = self.store.get_in(conn, gid)
                old = old_row.body if old_row else None
                if method == "PATCH":
                    if old is None:
                        raise resource_group_not_found(name)
                    incoming = shapes.merge_patch(old, incoming)
                location = regions.normalize(incoming.get("location"))
                if old and old["location"] != location:
                    raise ArmError(
                        409,
                        "InvalidResourceGroupLocation",
                        f"Invalid resource group location '{location}'. The Resource group already exists "
                        f"in location '{old['location']}'.",
                    )
                canonical_name = old["name"] if old else name
                body: Body = {
                    "id": ids.group_id(sub, canonical_name),
                    "name": canonical_name,
                    "type": GROUP_TYPE,
                    "location": location,
                    "tags": shapes.tags(incoming.get("tags")),
                    "properties": {"provisioningState": "Succeeded"},
                }
                if incoming.get("managedBy"):
                    body["managedBy"] = incoming["managedBy"]
                stored = shapes.restore(body, old, keep) if old and keep else body
                self.store.put(conn, body["id"], GROUP_TYPE, stored)
            status = 201 if old is None else 200
            rec.set(status, resource_id=body["id"])
            return Reply(status, body)

    def delete(self, subscription: str, name: str, caller: Caller) -> Reply:
        sub = self.registry.check_subscription(subscription)
        gid = ids.group_id(sub, name)
        with self.recorder.recording(gid, GROUP_TYPE, "DELETE", caller) as rec:
            with self.store.transaction() as conn:
                row = self.store.get_in(conn, gid)
                if row is None:
                    raise resource_group_not_found(name)
                now = datetime.fromtimestamp(self.clock(), UTC)
                tx = Transaction(self.store, self.registry, conn, caller, now)
                members = self.store.list_in(conn, gid)
                tx.deleting.update(ids.key(m.id) for m in members)
                for member in members:
                    if self.store.get_in(conn, member.id) is not None:
                        tx.delete(member.id)
                self.store.delete(conn, gid)
            rec.set(200, resource_id=row.body["id"])
            return Reply(200, None)


def _check_name(name: str) -> None:
    if not _NAME.match(name) or name.endswith("."):
        raise ArmError(
            400,
            "InvalidResourceGroup",
            f"The provided resource group name '{name}' has these invalid characters or is too long.",
        )
