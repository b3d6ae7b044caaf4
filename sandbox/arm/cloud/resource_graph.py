"""Azure Resource Graph over the cloud: every resource as a row, queried in KQL, answered in pages.

The whole result is computed once; a page that leaves rows behind opens a cursor, and its skip token
(``{cursor}:{offset}``) reads the following page from the same result.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any
from typing import NamedTuple

from sandbox.arm import ids
from sandbox.arm.cloud.cursors import Cursors
from sandbox.arm.cloud.cursors import Row
from sandbox.arm.errors import ArmError
from sandbox.arm.kql import GraphQueryError
from sandbox.arm.kql import run_query
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType

#: reads the decorated resources of one type in a subscription
Listing = Callable[[str, None, ResourceType], list[Body]]


class Page(NamedTuple):
    rows: list[Row]
    total: int  # rows in the whole result
    skip_token: str | None  # where the next page starts; None on the last page


class ResourceGraph:
    def __init__(
        self,
        types: Mapping[str, ResourceType],
        subscriptions: Mapping[str, str],
        tenant: str,
        listing: Listing,
        cursors: Cursors,
    ) -> None:
        self.types = types
        self.subscriptions = subscriptions
        self.tenant = tenant
        self.listing = listing
        self.cursors = cursors

    def query(self, text: str, subscriptions: set[str], top: int, skip: int = 0) -> Page:
        """The first page (from row ``skip``) of ``text`` over the resources of ``subscriptions``."""
        try:
            rows = run_query(text, self._rows({s.lower() for s in subscriptions}))
        except GraphQueryError as e:
            raise ArmError(
                400, "BadRequest", f"Please provide below info when asking for support: {e}"
            ) from None
        return self._page(rows, None, skip, top)

    def page(self, skip_token: str, top: int) -> Page:
        """The page a skip token points at, from the result its first page was cut from."""
        cursor, _, offset = skip_token.partition(":")
        rows = self.cursors.rows(cursor)
        if rows is None or not offset.isdigit():
            raise ArmError(400, "BadRequest", "The $skipToken is invalid or has expired.")
        return self._page(rows, cursor, int(offset), top)

    def _page(self, rows: list[Row], cursor: str | None, offset: int, top: int) -> Page:
        end = offset + top
        token = None
        if end < len(rows):
            token = f"{cursor or self.cursors.open(rows)}:{end}"
        return Page(rows[offset:end], len(rows), token)

    def _rows(self, subscriptions: set[str]) -> list[Row]:
        rows: list[Row] = []
        for spec in self.types.values():
            for sub in self.subscriptions.values():
                if sub.lower() in subscriptions:
                    rows.extend(self._row(body) for body in self.listing(sub, None, spec))
        return rows

    def _row(self, body: Body) -> Row:
        rid = ids.parse(body["id"])
        assert rid is not None
        row: dict[str, Any] = {
            "id": body["id"],
            "name": body["name"],
            "type": body["type"].lower(),  # Resource Graph lowercases types and groups
            "tenantId": self.tenant,
            "kind": body.get("kind", ""),
            "location": body.get("location", ""),
            "resourceGroup": rid.resource_group.lower(),
            "subscriptionId": rid.subscription,
            "managedBy": body.get("managedBy", ""),
        }
        for key in ("sku", "plan", "properties", "tags", "identity", "zones", "extendedLocation"):
            row[key] = body.get(key)
        return row
