"""The emulated cloud's state and rules, independent of HTTP.

One generic engine for every type: it shapes bodies, applies the type's hooks, checks immutable
properties and referential integrity, refuses to delete what is in use, runs side effects, records the
Activity Log and persists everything in one transaction per request.
"""

from __future__ import annotations

import builtins
import copy
import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sandbox.arm import activity, ids, regions
from sandbox.arm.errors import ArmError, not_found, resource_group_not_found
from sandbox.arm.identity import Caller
from sandbox.arm.store import Store
from sandbox.arm.types.base import Body, ResourceType

GROUP_TYPE = "Microsoft.Resources/resourceGroups"
GROUP_API_VERSIONS = ("2019-10-01", "2020-06-01", "2021-04-01", "2022-09-01", "2023-07-01", "2024-03-01",
                      "2024-07-01", "2024-11-01", "2025-01-01", "2025-03-01", "2025-04-01")  # fmt: skip
_TOP_LEVEL_KEYS = ("sku", "kind", "zones", "identity", "plan", "extendedLocation")


class Reply(NamedTuple):
    status: int
    body: Body | None
    operation_id: str | None = None  # set when the request continues as an async operation
    location: str | None = None  # region, for the operation URL


class Target(NamedTuple):
    """A resolved request target: the id, the type spec and, for child resources, the parent spec chain."""

    rid: ids.ResourceId
    spec: ResourceType
    top: ResourceType


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
        self.types = {k.lower(): v for k, v in types.items()}
        self.tenant = tenant
        self.subscriptions = {s.lower(): s for s in subscriptions}
        self.clock = clock
        self.async_operations = False
        self.operation_delay = 1.0

    # -- resolution -----------------------------------------------------------------------------------

    def check_subscription(self, subscription: str) -> str:
        canonical = self.subscriptions.get(subscription.lower())
        if canonical is None:
            raise ArmError(
                404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found."
            )
        return canonical

    def resolve(self, rid: ids.ResourceId, api_version: str) -> Target:
        """Canonicalize an id against the registry and check the api-version."""
        top = self.types.get(f"{rid.namespace}/{rid.types[0]}".lower())
        if top is None:
            if not any(t.namespace.lower() == rid.namespace.lower() for t in self.types.values()):
                raise ArmError(
                    400,
                    "InvalidResourceNamespace",
                    f"The resource namespace '{rid.namespace}' is invalid.",
                )
            raise ArmError(
                400,
                "InvalidResourceType",
                f"The resource type '{rid.types[0]}' could not be found in the namespace "
                f"'{rid.namespace}' for api version '{api_version}'.",
            )
        check_api_version(top, api_version)
        spec = top
        types = [top.segment]
        for segment in rid.types[1:]:
            child = spec.child(segment)
            if child is None:
                raise ArmError(
                    400,
                    "InvalidResourceType",
                    f"The resource type '{'/'.join((*types, segment))}' could not be found in the namespace "
                    f"'{top.namespace}' for api version '{api_version}'.",
                )
            spec = child
            types.append(child.collection)
        sub = self.check_subscription(rid.subscription)
        group = self.store.get(ids.group_id(sub, rid.resource_group))
        if group is None:
            raise resource_group_not_found(rid.resource_group)
        canonical = rid._replace(
            subscription=sub, resource_group=group.body["name"], namespace=top.namespace, types=tuple(types)
        )
        return Target(canonical, spec, top)

    # -- reads ----------------------------------------------------------------------------------------

    def get(self, target: Target) -> Body:
        tx = _Tx(self, None, None)
        body = tx.get(str(target.rid))
        if body is None:
            raise not_found(str(target.rid), target.spec.type_name)
        return self._decorated(tx, target.spec, body)

    def list(self, subscription: str, resource_group: str | None, spec: ResourceType) -> list[Body]:
        tx = _Tx(self, None, None)
        rows = self.store.list(subscription, resource_group, spec.type_name)
        return [self._decorated(tx, spec, row.body) for row in rows]

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
            b = row.body
            out.append(
                {k: b[k] for k in ("id", "name", "type", "location", "tags", *_TOP_LEVEL_KEYS) if k in b}
            )
        return out

    def _decorated(self, tx: _Tx, spec: ResourceType, body: Body) -> Body:
        # Bodies come fresh from the store (or were just written to it): safe to shape in place.
        body.pop("_sandbox", None)  # the emulator's own bookkeeping (e.g. power state), never on the wire
        spec.decorate(tx, body)
        for child in spec.children:
            for item in body.get("properties", {}).get(child.collection, []):
                child.decorate(tx, item)
        return body

    # -- writes ---------------------------------------------------------------------------------------

    def put(self, target: Target, incoming: Body, caller: Caller, method: str = "PUT") -> Reply:
        rid, spec = target.rid, target.spec
        spec.check_name(rid.name)
        with self._recorded(str(rid), spec.type_name, method, caller) as rec:
            with self.store.transaction() as conn:
                tx = _Tx(self, conn, caller)
                rid = tx.canonical(rid)
                target = target._replace(rid=rid)
                old = tx.get(str(rid))
                if method == "PATCH":
                    if old is None:
                        raise not_found(str(rid), spec.type_name)
                    incoming = merge_patch(old, incoming)
                pending = self.async_operations
                state = ("Updating" if old else "Creating") if pending else "Succeeded"
                if rid.parent is None:
                    body = self._write(tx, rid, spec, incoming, old, state)
                else:
                    body = self._write_child(tx, target, incoming, state)
                op_id = self._start_operation(conn, rid, "put") if pending else None
                body = self._decorated(tx, spec, body)
            status = 200 if old is not None else _created_status(spec, pending)
            rec.set(status)
            return Reply(status, body, op_id, self._location_of(tx, rid))

    def delete(self, target: Target, caller: Caller) -> Reply:
        rid, spec = target.rid, target.spec
        with self._recorded(str(rid), spec.type_name, "DELETE", caller) as rec:
            with self.store.transaction() as conn:
                tx = _Tx(self, conn, caller)
                body = tx.get(str(rid))
                if body is None:
                    rec.set(204)
                    return Reply(204, None)
                if self.async_operations and rid.parent is None:
                    self._check_not_in_use(tx, rid, spec)
                    body["properties"]["provisioningState"] = "Deleting"
                    self.store.put(conn, str(rid), spec.type_name, body)
                    op_id = self._start_operation(conn, rid, "delete")
                    rec.set(202, "Accepted")
                    return Reply(202, None, op_id, body.get("location"))
                if rid.parent is None:
                    tx.delete(str(rid))
                else:
                    self._delete_child(tx, target)
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
            tx = _Tx(self, None, caller)
            body = tx.get(str(target.rid))
            if body is None:
                raise not_found(str(target.rid), spec.type_name)
            status, result = handler(tx, body, payload)
            return Reply(status, result)
        operation = activity.operation_name(spec.type_name, method, name)
        with self._recorded(str(target.rid), spec.type_name, method, caller, operation) as rec:
            with self.store.transaction() as conn:
                tx = _Tx(self, conn, caller)
                body = tx.get(str(target.rid))
                if body is None:
                    raise not_found(str(target.rid), spec.type_name)
                status, result = handler(tx, body, payload)
                self.store.put(conn, str(target.rid), spec.type_name, body)
            rec.set(status)
            return Reply(status, result)

    # -- resource groups ------------------------------------------------------------------------------

    def get_group(self, subscription: str, name: str) -> Body:
        sub = self.check_subscription(subscription)
        row = self.store.get(ids.group_id(sub, name))
        if row is None:
            raise resource_group_not_found(name)
        return row.body

    def list_groups(self, subscription: str) -> builtins.list[Body]:
        sub = self.check_subscription(subscription)
        return [r.body for r in self.store.list(sub, None, GROUP_TYPE)]

    def put_group(self, subscription: str, name: str, incoming: Body, caller: Caller, method: str) -> Reply:
        sub = self.check_subscription(subscription)
        _check_group_name(name)
        gid = ids.group_id(sub, name)
        with self._recorded(gid, GROUP_TYPE, method, caller) as rec:
            with self.store.transaction() as conn:
                old_row = self.store.get_in(conn, gid)
                old = old_row.body if old_row else None
                if method == "PATCH":
                    if old is None:
                        raise resource_group_not_found(name)
                    incoming = merge_patch(old, incoming)
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
                    "tags": _tags(incoming.get("tags")),
                    "properties": {"provisioningState": "Succeeded"},
                }
                if incoming.get("managedBy"):
                    body["managedBy"] = incoming["managedBy"]
                self.store.put(conn, body["id"], GROUP_TYPE, body)
            rec.set(201 if old is None else 200, resource_id=body["id"])
            return Reply(201 if old is None else 200, body)

    def delete_group(self, subscription: str, name: str, caller: Caller) -> Reply:
        sub = self.check_subscription(subscription)
        gid = ids.group_id(sub, name)
        with self._recorded(gid, GROUP_TYPE, "DELETE", caller) as rec:
            with self.store.transaction() as conn:
                row = self.store.get_in(conn, gid)
                if row is None:
                    raise resource_group_not_found(name)
                tx = _Tx(self, conn, caller)
                members = self.store.list_in(conn, gid)
                tx.deleting.update(ids.key(m.id) for m in members)
                for member in members:
                    if self.store.get_in(conn, member.id) is not None:
                        tx.delete(member.id)
                self.store.delete(conn, gid)
            rec.set(200, resource_id=row.body["id"])
            return Reply(200, None)

    # -- long-running operations ----------------------------------------------------------------------

    def _start_operation(self, conn: sqlite3.Connection, rid: ids.ResourceId, kind: str) -> str:
        op_id = str(uuid.uuid4())
        now = self.clock()
        self.store.add_operation(
            conn, op_id, rid.subscription, kind, str(rid), now + self.operation_delay, _iso(now)
        )
        return op_id

    def operation_status(self, op_id: str) -> Body:
        self.tick()
        op = self.store.operation(op_id)
        if op is None:
            raise ArmError(404, "OperationNotFound", f"The operation '{op_id}' could not be found.")
        status, started, error = op
        body: Body = {"name": op_id, "status": status, "startTime": started}
        if status != "InProgress":
            body["endTime"] = _iso(self.clock())
        if error:
            failure = operation_error(error)
            body["error"] = {"code": failure.code, "message": failure.message}
        return body

    def tick(self) -> None:
        """Complete the asynchronous operations whose time has come.

        An operation that cannot complete (say, its resource came into use meanwhile) fails on its own,
        as in ARM; the request that happened to run it is not affected.
        """
        for op_id, kind, target_key in self.store.due_operations(self.clock()):
            try:
                self._complete(op_id, kind, target_key)
            except ArmError as e:
                error = json.dumps({"status": e.status, "code": e.code, "message": e.message})
                with self.store.transaction() as conn:
                    if self.store.finish_operation(conn, op_id, "Failed", error):
                        row = self.store.get_in(conn, target_key)
                        if row is not None:
                            row.body["properties"]["provisioningState"] = "Failed"
                            self.store.put(conn, row.id, row.type, row.body)

    def _complete(self, op_id: str, kind: str, target_key: str) -> None:
        with self.store.transaction() as conn:
            if not self.store.finish_operation(conn, op_id, "Succeeded", None):
                return  # a concurrent request completed it first
            tx = _Tx(self, conn, None)
            row = self.store.get_in(conn, target_key)
            if row is not None and kind == "put":
                row.body["properties"]["provisioningState"] = "Succeeded"
                self.store.put(conn, row.id, row.type, row.body)
            elif row is not None and kind == "delete":
                tx.delete(row.id)

    # -- the generic write path -----------------------------------------------------------------------

    def _write(
        self, tx: _Tx, rid: ids.ResourceId, spec: ResourceType, incoming: Body, old: Body | None, state: str
    ) -> Body:
        if not isinstance(incoming, dict):
            raise ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.")
        props = incoming.get("properties") or {}
        if not isinstance(props, dict):
            raise ArmError(400, "InvalidRequestContent", "The 'properties' member must be a JSON object.")
        body: Body = {"id": str(rid), "name": rid.name, "type": spec.type_name}
        if spec.tracked:
            body["location"] = regions.normalize(incoming.get("location"))
            body["tags"] = _tags(incoming.get("tags"))
        for k in _TOP_LEVEL_KEYS:
            if incoming.get(k) is not None:
                body[k] = copy.deepcopy(incoming[k])
        body["properties"] = {k: copy.deepcopy(v) for k, v in props.items() if k != "provisioningState"}
        for child in spec.children:
            self._write_collection(tx, rid, child, body, old)
        spec.prepare(tx, body, old)
        check_immutable(spec, body, old)
        self._check_refs(tx, rid, spec, body)
        body["properties"]["provisioningState"] = state
        if spec.etag:
            body["etag"] = f'W/"{uuid.uuid4()}"'
        self.store.put(tx.conn_required, str(rid), spec.type_name, body)
        self.store.set_refs(tx.conn_required, str(rid), _all_refs(spec, body))
        return body

    def _write_collection(
        self, tx: _Tx, rid: ids.ResourceId, child: ResourceType, body: Body, old: Body | None
    ) -> None:
        items = body["properties"].get(child.collection) or []
        if not isinstance(items, list):
            raise ArmError(400, "InvalidRequestContent", f"'properties.{child.collection}' must be an array.")
        old_items = {
            i["name"].lower(): i for i in (old or {}).get("properties", {}).get(child.collection, [])
        }
        seen: set[str] = set()
        shaped = []
        for item in items:
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str) or not name:
                raise ArmError(
                    400, "InvalidRequestFormat", f"Each item of '{child.collection}' must have a 'name'."
                )
            if name.lower() in seen:
                raise ArmError(
                    400, "InvalidRequestFormat", f"Duplicate name '{name}' in '{child.collection}'."
                )
            seen.add(name.lower())
            child.check_name(name)
            previous = old_items.get(name.lower())
            canonical = previous["name"] if previous else name
            props = item.get("properties") or {}
            shaped_item: Body = {
                "id": str(rid.child(child.collection, canonical)),
                "name": canonical,
                "type": child.type_name,
                "properties": {k: copy.deepcopy(v) for k, v in props.items() if k != "provisioningState"},
            }
            if item.get("zones"):
                shaped_item["zones"] = list(item["zones"])  # e.g. a zonal load balancer frontend
            child.prepare(tx, shaped_item, previous)
            check_immutable(child, shaped_item, previous)
            shaped_item["properties"]["provisioningState"] = "Succeeded"
            if child.etag:
                shaped_item["etag"] = f'W/"{uuid.uuid4()}"'
            shaped.append(shaped_item)
        for key_, previous in old_items.items():
            if key_ not in seen:
                self._check_not_in_use(
                    tx, rid.child(child.collection, previous["name"]), child, ignore=str(rid)
                )
        body["properties"][child.collection] = shaped

    def _write_child(self, tx: _Tx, target: Target, incoming: Body, state: str) -> Body:
        rid, spec = target.rid, target.spec
        if spec.read_only_child:
            raise ArmError(
                405,
                "MethodNotAllowed",
                f"The resource type '{spec.type_name}' does not support this operation; update its parent.",
            )
        parent_id = rid.parent
        assert parent_id is not None
        parent_spec = self._spec_of(parent_id)
        parent = tx.get(str(parent_id))
        if parent is None:
            raise ArmError(
                404,
                "ParentResourceNotFound",
                f"Can not perform requested operation on nested resource. Parent resource "
                f"'{parent_id.name}' not found.",
            )
        if not isinstance(incoming, dict):
            raise ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.")
        items = [
            i for i in parent["properties"].get(spec.collection, []) if i["name"].lower() != rid.name.lower()
        ]
        previous = next(
            (
                i
                for i in parent["properties"].get(spec.collection, [])
                if i["name"].lower() == rid.name.lower()
            ),
            None,
        )
        item = {
            "name": previous["name"] if previous else rid.name,
            "properties": incoming.get("properties") or {},
        }
        if previous is None:
            items.append(item)
        else:
            index = parent["properties"][spec.collection].index(previous)
            items.insert(index, item)
        updated = {**parent, "properties": {**parent["properties"], spec.collection: items}}
        written = self._write(
            tx, parent_id, parent_spec, updated, parent, parent["properties"]["provisioningState"]
        )
        return next(
            i for i in written["properties"][spec.collection] if i["name"].lower() == rid.name.lower()
        )

    def _delete_child(self, tx: _Tx, target: Target) -> None:
        rid, spec = target.rid, target.spec
        if spec.read_only_child:
            raise ArmError(
                405, "MethodNotAllowed", f"The resource type '{spec.type_name}' cannot be deleted alone."
            )
        parent_id = rid.parent
        assert parent_id is not None
        parent = tx.get(str(parent_id))
        assert parent is not None
        items = [
            i for i in parent["properties"].get(spec.collection, []) if i["name"].lower() != rid.name.lower()
        ]
        updated = {**parent, "properties": {**parent["properties"], spec.collection: items}}
        self._write(tx, parent_id, self._spec_of(parent_id), updated, parent, "Succeeded")

    def _spec_of(self, rid: ids.ResourceId) -> ResourceType:
        spec = self.types[f"{rid.namespace}/{rid.types[0]}".lower()]
        for segment in rid.types[1:]:
            child = spec.child(segment)
            assert child is not None
            spec = child
        return spec

    def _check_refs(self, tx: _Tx, rid: ids.ResourceId, spec: ResourceType, body: Body) -> None:
        own = ids.key(str(rid)) + "/"
        own_children = {
            ids.key(item["id"])
            for child in spec.children
            for item in body["properties"].get(child.collection, [])
        }
        for ref in _all_refs(spec, body):
            k = ids.key(ref)
            found = k in own_children if k.startswith(own) else tx.get(ref) is not None
            if not found:
                raise ArmError(
                    400,
                    "InvalidResourceReference",
                    f"Resource {ref} referenced by resource {rid} was not found. Please make sure that the "
                    "referenced resource exists, and that both resources are in the same region.",
                )

    def _check_not_in_use(
        self, tx: _Tx, rid: ids.ResourceId, spec: ResourceType, ignore: str | None = None
    ) -> None:
        skip = set(tx.deleting) | {ids.key(str(rid))}
        if ignore:
            skip.add(ids.key(ignore))
        for referrer in self.store.referrers(tx.conn, str(rid)):
            if ids.key(referrer) not in skip:
                raise ArmError(
                    spec.in_use_status,
                    spec.in_use_code,
                    f"{spec.segment} {rid.name} is in use by {referrer} and cannot be deleted.",
                )

    def _location_of(self, tx: _Tx, rid: ids.ResourceId) -> str | None:
        top = rid
        while top.parent is not None:
            top = top.parent
        body = tx.get(str(top))
        return body.get("location") if body else None

    # -- activity log ---------------------------------------------------------------------------------

    def _recorded(
        self, resource_id: str, type_name: str, method: str, caller: Caller, operation: str | None = None
    ) -> _Recording:
        return _Recording(self, resource_id, type_name, method, caller, operation)

    def record(
        self,
        resource_id: str,
        type_name: str,
        method: str,
        caller: Caller,
        operation: str,
        outcome: activity.Outcome,
    ) -> None:
        parsed = ids.parse(resource_id) or None
        group = ids.parse_group(resource_id)
        sub, rg = (parsed.subscription, parsed.resource_group) if parsed else (group or ("", ""))
        events = activity.events_for(
            resource_id=resource_id,
            type_name=type_name,
            subscription=sub,
            resource_group=rg,
            tenant=self.tenant,
            method=method,
            operation=operation,
            caller=caller,
            outcome=outcome,
            at=datetime.fromtimestamp(self.clock(), UTC),
        )
        with self.store.transaction() as conn:
            for event in events:
                self.store.add_event(conn, event)

    def events(self, subscription: str, flt: activity.EventFilter) -> builtins.list[Body]:
        sub = self.check_subscription(subscription)
        return [e for e in self.store.events(sub, flt.since, flt.until) if activity.matches(e, flt)]


class _Recording:
    """Records the Activity Log events of one write, whether it succeeds or fails."""

    def __init__(
        self,
        cloud: Cloud,
        resource_id: str,
        type_name: str,
        method: str,
        caller: Caller,
        operation: str | None,
    ) -> None:
        self.cloud = cloud
        self.resource_id = resource_id
        self.type_name = type_name
        self.method = method
        self.caller = caller
        self.operation = operation or activity.operation_name(type_name, method)
        self.outcome = activity.Outcome("Succeeded", 200)

    def set(self, http_status: int, status: str = "Succeeded", resource_id: str | None = None) -> None:
        self.outcome = activity.Outcome(status, http_status)
        if resource_id:
            self.resource_id = resource_id

    def __enter__(self) -> _Recording:
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, ArmError):
            if exc.status in (401, 403):
                return
            self.outcome = activity.Outcome("Failed", exc.status, f"{exc.code}: {exc.message}")
        elif exc is not None:
            return
        self.cloud.record(
            self.resource_id, self.type_name, self.method, self.caller, self.operation, self.outcome
        )


class _Tx:
    """The hook-facing view of one request (a write transaction, or a read when ``conn`` is None)."""

    def __init__(self, cloud: Cloud, conn: sqlite3.Connection | None, caller: Caller | None) -> None:
        self.cloud = cloud
        self.conn = conn
        self.caller = caller
        self.now = datetime.fromtimestamp(cloud.clock(), UTC)
        self.deleting: set[str] = set()
        self.subscription = ""
        self.resource_group = ""

    @property
    def conn_required(self) -> sqlite3.Connection:
        if self.conn is None:
            raise RuntimeError("write outside a transaction")
        return self.conn

    def get(self, resource_id: str) -> Body | None:
        rid = ids.parse(resource_id)
        store = self.cloud.store
        if rid is None or rid.parent is None:
            row = store.get_in(self.conn, resource_id) if self.conn else store.get(resource_id)
            return row.body if row else None
        top = rid._replace(types=rid.types[:1], names=rid.names[:1])
        node = self.get(str(top))
        for segment, name in zip(rid.types[1:], rid.names[1:], strict=True):
            if node is None:
                return None
            items = node.get("properties", {}).get(_property_for(segment, node), [])
            node = next((i for i in items if i.get("name", "").lower() == name.lower()), None)
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

    def put(self, resource_id: str, body: Body) -> Body:
        rid = ids.parse(resource_id)
        assert rid is not None
        target = self.cloud.resolve(rid, _any_version(self.cloud, rid))
        old = self.get(str(target.rid))
        return self.cloud._write(self, target.rid, target.spec, body, old, "Succeeded")

    def delete(self, resource_id: str) -> None:
        rid = ids.parse(resource_id)
        assert rid is not None
        spec = self.cloud._spec_of(rid)
        body = self.get(resource_id)
        if body is None:
            return
        self.cloud._check_not_in_use(self, rid, spec)
        self.deleting.add(ids.key(resource_id))
        spec.before_delete(self, body, None)
        self.cloud.store.delete(self.conn_required, resource_id)

    def referrers(self, resource_id: str) -> list[Body]:
        out = []
        for rid in self.cloud.store.referrers(self.conn, resource_id):
            body = self.get(rid)
            if body is not None and ids.key(rid) not in self.deleting:
                out.append(body)
        return out

    def find(self, type_name: str, name: str) -> list[Body]:
        return [
            r.body
            for r in self.cloud.store.list(type_name=type_name)
            if r.body["name"].lower() == name.lower()
        ]

    def guid(self) -> str:
        return str(uuid.uuid4())


def _property_for(segment: str, node: Body) -> str:
    """The property holding a child collection, matched case-insensitively."""
    for k in node.get("properties", {}):
        if k.lower() == segment.lower():
            return str(k)
    return segment


def _any_version(cloud: Cloud, rid: ids.ResourceId) -> str:
    spec = cloud.types.get(f"{rid.namespace}/{rid.types[0]}".lower())
    return spec.api_versions[-1] if spec else ""


def _all_refs(spec: ResourceType, body: Body) -> list[str]:
    from sandbox.arm.types.base import walk_refs

    found = [r for path in spec.refs for r in walk_refs(body, path)]
    for child in spec.children:
        for item in body["properties"].get(child.collection, []):
            found.extend(r for path in child.refs for r in walk_refs(item, path))
    return found


def operation_error(stored: str) -> ArmError:
    """The error an operation failed with, as :meth:`Cloud.tick` stored it."""
    try:
        data = json.loads(stored)
        return ArmError(int(data["status"]), str(data["code"]), str(data["message"]))
    except (ValueError, TypeError, KeyError):
        return ArmError(500, "OperationFailed", stored)


def _created_status(spec: ResourceType, pending: bool) -> int:
    """201 where the provider answers a create so; otherwise 202 while it runs on, 200 once done."""
    if 201 in spec.put_statuses:
        return 201
    return 202 if pending else 200


def check_api_version(spec: ResourceType, api_version: str) -> None:
    if api_version not in spec.api_versions:
        raise ArmError(
            400,
            "NoRegisteredProviderFound",
            f"No registered resource provider found for location 'global' and API version '{api_version}' "
            f"for type '{spec.segment}'. The supported api-versions are '{', '.join(spec.api_versions)}'.",
        )


def check_immutable(spec: ResourceType, body: Body, old: Body | None) -> None:
    from sandbox.arm.types.base import dig

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
            raise ArmError(
                409,
                "PropertyChangeNotAllowed",
                f"Changing property '{path}' is not allowed.",
            )


def merge_patch(old: Body, patch: Any) -> Body:
    """ARM's PATCH: objects merge recursively, everything else (lists included) replaces."""
    if not isinstance(patch, dict):
        raise ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.")
    merged = copy.deepcopy(old)
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(merged.get(k), dict):
            merged[k] = merge_patch(merged[k], v)
        elif v is None:
            merged.pop(k, None)
        else:
            merged[k] = copy.deepcopy(v)
    return merged


def _tags(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ArmError(400, "InvalidTagNameCharacters", "Tags must be an object of string values.")
    if len(value) > 50:
        raise ArmError(400, "InvalidTagCount", "A resource can have at most 50 tags.")
    return dict(value)


def _check_group_name(name: str) -> None:
    import re

    if not re.match(r"^[-\w._()]{1,90}$", name) or name.endswith("."):
        raise ArmError(
            400,
            "InvalidResourceGroup",
            f"The provided resource group name '{name}' has these invalid characters or is too long.",
        )


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")
