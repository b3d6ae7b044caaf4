"""The emulated cloud: one generic engine for every resource type, independent of HTTP.

:class:`Cloud` reads and writes resources through their type specs. The concepts it relies on each have
a module: :mod:`~sandbox.arm.cloud.registry` (what can be addressed), :mod:`~sandbox.arm.cloud.transaction`
(one request's reads and the generic write path), :mod:`~sandbox.arm.cloud.children` (embedded child
collections), :mod:`~sandbox.arm.cloud.integrity` (references, in-use, immutability),
:mod:`~sandbox.arm.cloud.groups`, :mod:`~sandbox.arm.cloud.operations` (long-running operations),
:mod:`~sandbox.arm.cloud.recording` (the Activity Log) and :mod:`~sandbox.arm.cloud.resource_graph`.
"""

from __future__ import annotations

import builtins
import sqlite3
import time
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime

from sandbox.arm import activity
from sandbox.arm import ids
from sandbox.arm.cloud import children
from sandbox.arm.cloud import integrity
from sandbox.arm.cloud import shapes
from sandbox.arm.cloud.cursors import Cursors
from sandbox.arm.cloud.groups import GROUP_TYPE
from sandbox.arm.cloud.groups import ResourceGroups
from sandbox.arm.cloud.operations import Operations
from sandbox.arm.cloud.recording import Recorder
from sandbox.arm.cloud.records import Reply
from sandbox.arm.cloud.records import Target
from sandbox.arm.cloud.registry import Registry
from sandbox.arm.cloud.resource_graph import ResourceGraph
from sandbox.arm.cloud.transaction import Transaction
from sandbox.arm.errors import ArmError
from sandbox.arm.errors import not_found
from sandbox.arm.identity import Caller
from sandbox.arm.store import Store
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType


class Cloud:
    """The sandbox cloud. Pass the store, the types and a clock; hold one instance per emulator."""

    def __init__(
        self,
        store: Store,
        types: Mapping[str, ResourceType],
        *,
        tenant: str,
        subscriptions: Sequence[str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.tenant = tenant
        self.clock = clock
        self.async_operations = False
        self.operation_delay = 1.0
        self.registry = Registry(store, types, subscriptions)
        self.recorder = Recorder(store, tenant, clock)
        self.operations = Operations(store, self.registry, clock)
        self.groups = ResourceGroups(store, self.registry, self.recorder, clock)
        self.graph = ResourceGraph(
            self.registry.types, self.registry.subscriptions, tenant, self.list, Cursors()
        )

    @property
    def types(self) -> Mapping[str, ResourceType]:
        """The registered types by lowercase full type name."""
        return self.registry.types

    @property
    def subscriptions(self) -> Mapping[str, str]:
        """The subscriptions, lowercase to as created."""
        return self.registry.subscriptions

    def check_subscription(self, subscription: str) -> str:
        return self.registry.check_subscription(subscription)

    def resolve(self, rid: ids.ResourceId, api_version: str) -> Target:
        return self.registry.resolve(rid, api_version)

    def tick(self) -> None:
        """Complete the asynchronous operations that are due (every request starts with this)."""
        self.operations.tick()

    def transaction(self, conn: sqlite3.Connection | None, caller: Caller | None) -> Transaction:
        """One request's view; ``conn`` is the store's write connection, or None to read."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        return Transaction(self.store, self.registry, conn, caller, now)

    # -- reads ----------------------------------------------------------------------------------------

    def get(self, target: Target) -> Body:
        tx = self.transaction(None, None)
        body = tx.get(str(target.rid))
        if body is None:
            raise not_found(str(target.rid), target.spec.type_name)
        return _decorated(tx, target.spec, body)

    def list(self, subscription: str, resource_group: str | None, spec: ResourceType) -> builtins.list[Body]:
        tx = self.transaction(None, None)
        rows = self.store.list(subscription, resource_group, spec.type_name)
        return [_decorated(tx, spec, row.body) for row in rows]

    def list_children(self, target: Target, collection: str) -> builtins.list[Body]:
        parent = self.get(target)
        child = target.spec.child(collection)
        if child is None:
            raise ArmError(
                400, "InvalidResourceType", f"The resource type '{collection}' could not be found."
            )
        return list(parent.get("properties", {}).get(child.collection, []))

    def list_generic(self, subscription: str, resource_group: str | None) -> builtins.list[Body]:
        """Every resource of a scope in the generic shape (no properties), as ``/resources`` lists them."""
        out = []
        for row in self.store.list(subscription, resource_group):
            if row.type == GROUP_TYPE.lower():
                continue
            keys = ("id", "name", "type", "location", "tags", *shapes.TOP_LEVEL_KEYS)
            out.append({k: row.body[k] for k in keys if k in row.body})
        return out

    def events(self, subscription: str, flt: activity.EventFilter) -> builtins.list[Body]:
        sub = self.check_subscription(subscription)
        return [e for e in self.store.events(sub, flt.since, flt.until) if activity.matches(e, flt)]

    # -- writes ---------------------------------------------------------------------------------------

    def put(
        self, target: Target, incoming: Body, caller: Caller, method: str = "PUT", keep: tuple[str, ...] = ()
    ) -> Reply:
        """Create, replace (PUT) or merge into (PATCH) a resource.

        ``keep`` lists dotted property paths an update leaves as they were, while the answer echoes the
        request: a cloud that says yes and does not do it (the fault rules' ``ignore_properties``).
        """
        rid, spec = target.rid, target.spec
        spec.check_name(rid.name)
        with self.recorder.recording(str(rid), spec.type_name, method, caller) as rec:
            with self.store.transaction() as conn:
                tx = self.transaction(conn, caller)
                rid = tx.canonical(rid)
                old = tx.get(str(rid))
                if method == "PATCH":
                    if old is None:
                        raise not_found(str(rid), spec.type_name)
                    incoming = shapes.merge_patch(old, incoming)
                pending = self.async_operations
                state = ("Updating" if old else "Creating") if pending else "Succeeded"
                if rid.parent is None:
                    body = tx.write(rid, spec, incoming, old, state)
                else:
                    body = self._write_child(tx, rid, spec, incoming)
                if keep and old is not None:
                    self._keep(tx, rid, old, keep)
                op_id = self.operations.start(conn, rid, "put", self.operation_delay) if pending else None
                body = _decorated(tx, spec, body)
            status = 200 if old is not None else _created_status(spec, pending)
            rec.set(status)
            return Reply(status, body, op_id, _location_of(tx, rid))

    def delete(self, target: Target, caller: Caller) -> Reply:
        rid, spec = target.rid, target.spec
        with self.recorder.recording(str(rid), spec.type_name, "DELETE", caller) as rec:
            with self.store.transaction() as conn:
                tx = self.transaction(conn, caller)
                body = tx.get(str(rid))
                if body is None:
                    rec.set(204)
                    return Reply(204, None)
                if self.async_operations and rid.parent is None:
                    tx.check_not_in_use(rid, spec)
                    body["properties"]["provisioningState"] = "Deleting"
                    self.store.put(conn, str(rid), spec.type_name, body)
                    op_id = self.operations.start(conn, rid, "delete", self.operation_delay)
                    rec.set(202, "Accepted")
                    return Reply(202, None, op_id, body.get("location"))
                if rid.parent is None:
                    tx.delete(str(rid))
                else:
                    parent_id = rid.parent
                    parent = tx.get(str(parent_id))
                    assert parent is not None  # the child was found in it
                    updated = children.without_item(parent, rid, spec)
                    tx.write(parent_id, self.registry.spec_of(parent_id), updated, parent, "Succeeded")
            rec.set(200)
            return Reply(200, None)

    def action(self, target: Target, name: str, payload: Body, caller: Caller, method: str) -> Reply:
        spec = target.spec
        handler = next((h for a, h in spec.actions.items() if a.lower() == name.lower()), None)
        if handler is None:
            raise ArmError(
                404,
                "NotFound" if method == "GET" else "InvalidResourceType",
                f"The resource type '{spec.segment}/{name}' could not be found in the namespace "
                f"'{spec.namespace}'.",
            )
        if method == "GET":
            tx = self.transaction(None, caller)
            body = tx.get(str(target.rid))
            if body is None:
                raise not_found(str(target.rid), spec.type_name)
            status, result = handler(tx, body, payload)
            return Reply(status, result)
        operation = activity.operation_name(spec.type_name, method, name)
        with self.recorder.recording(str(target.rid), spec.type_name, method, caller, operation) as rec:
            with self.store.transaction() as conn:
                tx = self.transaction(conn, caller)
                body = tx.get(str(target.rid))
                if body is None:
                    raise not_found(str(target.rid), spec.type_name)
                status, result = handler(tx, body, payload)
                self.store.put(conn, str(target.rid), spec.type_name, body)
            rec.set(status)
            return Reply(status, result)

    def _keep(self, tx: Transaction, rid: ids.ResourceId, old: Body, paths: tuple[str, ...]) -> None:
        # Rewrites what was just stored (the top-level resource, which holds any child) behind the
        # engine's back: no hooks run, as nothing in the cloud saw the change.
        top = rid._replace(types=rid.types[:1], names=rid.names[:1])
        stored = tx.get(str(top))
        assert stored is not None
        node = stored
        for collection, name in zip(rid.types[1:], rid.names[1:], strict=True):
            item = children.item_named(node["properties"].get(collection, []), name)
            assert item is not None
            node = item
        restored = shapes.restore(node, old, paths)
        node.clear()
        node.update(restored)
        spec = self.registry.spec_of(top)
        self.store.put(tx.conn_required, str(top), spec.type_name, stored)
        self.store.set_refs(tx.conn_required, str(top), integrity.all_refs(spec, stored))

    def _write_child(self, tx: Transaction, rid: ids.ResourceId, spec: ResourceType, incoming: Body) -> Body:
        # A child is written through its parent, which keeps its own provisioning state.
        parent_id = rid.parent
        assert parent_id is not None
        parent = tx.get(str(parent_id))
        updated = children.with_item(parent, rid, spec, incoming)
        assert parent is not None  # with_item refused a missing parent
        state = parent["properties"]["provisioningState"]
        written = tx.write(parent_id, self.registry.spec_of(parent_id), updated, parent, state)
        item = children.item_named(written["properties"][spec.collection], rid.name)
        assert item is not None
        return item


def _decorated(tx: Transaction, spec: ResourceType, body: Body) -> Body:
    # Bodies come fresh from the store (or were just written to it): safe to shape in place.
    body.pop("_sandbox", None)  # the emulator's own bookkeeping (e.g. power state), never on the wire
    spec.decorate(tx, body)
    for child in spec.children:
        for item in body.get("properties", {}).get(child.collection, []):
            child.decorate(tx, item)
    return body


def _location_of(tx: Transaction, rid: ids.ResourceId) -> str | None:
    top = rid
    while top.parent is not None:
        top = top.parent
    body = tx.get(str(top))
    return body.get("location") if body else None


def _created_status(spec: ResourceType, pending: bool) -> int:
    """201 where the provider answers a create so; otherwise 202 while it runs on, 200 once done."""
    if 201 in spec.put_statuses:
        return 201
    return 202 if pending else 200
