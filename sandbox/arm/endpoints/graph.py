"""Resource Graph: ``POST /providers/Microsoft.ResourceGraph/resources`` with a KQL query."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sandbox.arm.endpoints.wire import Call
from sandbox.arm.endpoints.wire import json_response
from sandbox.arm.endpoints.wire import read_body
from sandbox.arm.errors import ArmError

API_VERSIONS = ("2019-04-01", "2020-04-01-preview", "2021-03-01", "2022-10-01", "2024-04-01")


def query(call: Call, args: list[str]) -> Response:
    """A page of the query's result, or the page a ``$skipToken`` from an earlier answer points at."""
    call.check_version(API_VERSIONS, "resources")
    body = read_body(call.request)
    options = body.get("options") or {}
    top = min(_option(options, "$top", 100) or 100, 1000)  # 0 pages by the default, never by nothing
    token = options.get("$skipToken")
    if token:
        page = call.cloud.graph.page(str(token), top)
    else:
        text = body.get("query")
        if not isinstance(text, str) or not text.strip():
            raise ArmError(400, "BadRequest", "The request must contain a 'query'.")
        subscriptions = set(body.get("subscriptions") or call.cloud.subscriptions)
        page = call.cloud.graph.query(text, subscriptions, top, _option(options, "$skip", 0))
    result: dict[str, Any] = {
        "totalRecords": page.total,
        "count": len(page.rows),
        "resultTruncated": "false",
        "facets": [],
    }
    if page.skip_token:
        result["$skipToken"] = page.skip_token
    if (options.get("resultFormat") or "objectArray").lower() == "table":
        columns = list(page.rows[0]) if page.rows else []
        result["data"] = {
            "columns": [{"name": c, "type": "object"} for c in columns],
            "rows": [[row.get(c) for c in columns] for row in page.rows],
        }
    else:
        result["data"] = page.rows
    return json_response(200, result)


def _option(options: dict[str, Any], name: str, default: int) -> int:
    value = options.get(name)
    if value is None:
        return default
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        raise ArmError(400, "BadRequest", f"The option '{name}' must be an integer, not '{value}'.") from None
