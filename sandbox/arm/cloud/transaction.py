"""One request's view of the cloud, and the generic write path every type goes through.

A :class:`Transaction` is what type hooks see as :class:`~sandbox.arm.types.base.Tx`: reads that include
the request's uncommitted writes, and side-effect writes (a VM creating its OS disk) under the same rules as
any client write. Everything runs inside the store's write transaction, so a request lands whole or not
at all. With ``conn`` None it serves reads only.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime

from sandbox.arm import ids
from sandbox.arm.cloud import children
from sandbox.arm.cloud import integrity
from sandbox.arm.cloud import shapes
from sandbox.arm.cloud.registry import Registry
from sandbox.arm.identity import Caller
from sandbox.arm.store import Store
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType


class Transaction:
    def __init__(
        self,
        store: Store,
        registry: Registry,
        conn: sqlite3.Connection | None,
        caller: Caller | None,
        now: datetime,
    ) -> None:
        self.store = store
        self.registry = registry
        self.conn = conn
        self.caller = caller
        self.now = now
        self.deleting: set[str] = set()  # lowercase keys being deleted by this request
        self.subscription = ""
        self.resource_group = ""

    @property
    def conn_required(self) -> sqlite3.Connection:
        if self.conn is None:
            raise RuntimeError("write outside a transaction")
        return self.conn

    # -- reads ----------------------------------------------------------------------------------------

    def get(self, resource_id: str) -> Body | None:
        rid = ids.parse(resource_id)
        if rid is None or rid.parent is None:
            row = self.store.get_in(self.conn, resource_id) if self.conn else self.store.get(resource_id)
            return row.body if row else None
        node = self.get(str(rid._replace(types=rid.types[:1], names=rid.names[:1])))
        for segment, name in zip(rid.types[1:], rid.names[1:], strict=True):
            if node is None:
                return None
            node = children.item_named(node.get("properties", {}).get(_property_for(segment, node), []), name)
        return node

    def canonical(self, rid: ids.ResourceId) -> ids.ResourceId:
        """``rid`` with the names of what exists spelled as created: ARM keeps a name's first casing."""
        names = list(rid.names)
        for depth in range(1, len(names) + 1):
            body = self.get(str(rid._replace(types=rid.types[:depth], names=tuple(names[:depth]))))
            if body is None:
                break
            names[depth - 1] = body["name"]
        return rid._replace(names=tuple(names))

    def referrers(self, resource_id: str) -> list[Body]:
        out = []
        for rid in self.store.referrers(self.conn, resource_id):
            body = self.get(rid)
            if body is not None and ids.key(rid) not in self.deleting:
                out.append(body)
        return out

    def find(self, type_name: str, name: str) -> list[Body]:
        return [
            r.body for r in self.store.list(type_name=type_name) if r.body["name"].lower() == name.lower()
        ]

    def guid(self) -> str:
        return str(uuid.uuid4())

    # -- writes ---------------------------------------------------------------------------------------

    def put(self, resource_id: str, body: Body) -> Body:
        rid = ids.parse(resource_id)
        assert rid is not None
        target = self.registry.resolve_any_version(rid)
        return self.write(target.rid, target.spec, body, self.get(str(target.rid)), "Succeeded")

    def delete(self, resource_id: str) -> None:
        rid = ids.parse(resource_id)
        assert rid is not None
        spec = self.registry.spec_of(rid)
        body = self.get(resource_id)
        if body is None:
            return
        self.check_not_in_use(rid, spec)
        self.deleting.add(ids.key(resource_id))
        spec.before_delete(self, body, None)
        self.store.delete(self.conn_required, resource_id)

    def write(
        self, rid: ids.ResourceId, spec: ResourceType, incoming: Body, old: Body | None, state: str
    ) -> Body:
        """Shape, check and store a top-level resource; ``state`` is its provisioning state."""
        body = shapes.envelope(rid, spec, incoming)
        for child in spec.children:
            children.write_collection(
                self,
                rid,
                child,
                body,
                old,
                lambda item, item_spec: self.check_not_in_use(item, item_spec, ignore=str(rid)),
            )
        spec.prepare(self, body, old)
        integrity.check_immutable(spec, body, old)
        integrity.check_refs(rid, spec, body, lambda ref: self.get(ref) is not None)
        body["properties"]["provisioningState"] = state
        if spec.etag:
            body["etag"] = f'W/"{self.guid()}"'
        self.store.put(self.conn_required, str(rid), spec.type_name, body)
        self.store.set_refs(self.conn_required, str(rid), integrity.all_refs(spec, body))
        return body

    def check_not_in_use(self, rid: ids.ResourceId, spec: ResourceType, ignore: str | None = None) -> None:
        skip = set(self.deleting) | {ids.key(str(rid))}
        if ignore:
            skip.add(ids.key(ignore))
        integrity.check_not_in_use(rid, spec, self.store.referrers(self.conn, str(rid)), skip)


def _property_for(segment: str, node: Body) -> str:
    """The property holding a child collection, matched case-insensitively."""
    for k in node.get("properties", {}):
        if k.lower() == segment.lower():
            return str(k)
    return segment
