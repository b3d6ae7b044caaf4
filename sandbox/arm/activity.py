"""The Activity Log: events recorded for every write, and the ``$filter`` dialect used to read them."""

from __future__ import annotations

import re
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import NamedTuple

from sandbox.arm.errors import ArmError
from sandbox.arm.identity import Caller

# ARM keeps 90 days; a query without an upper bound ends now.
RETENTION = timedelta(days=90)

_VERBS = {"PUT": "write", "PATCH": "write", "DELETE": "delete", "POST": "action"}
_CLAUSE = re.compile(r"^\s*(\w+)\s+(eq|ge|le|gt|lt)\s+'([^']*)'\s*$", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def timestamp(at: datetime) -> str:
    """ARM's event timestamp format, sortable as text."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def operation_name(type_name: str, method: str, action: str | None = None) -> str:
    """``Microsoft.Compute/virtualMachines/write``, ``…/powerOff/action``, as ARM names operations."""
    if action:
        return f"{type_name}/{action}/action"
    return f"{type_name}/{_VERBS.get(method, 'action')}"


class Outcome(NamedTuple):
    status: str  # Succeeded | Failed | Accepted
    http_status: int
    message: str = ""


def events_for(
    *,
    resource_id: str,
    type_name: str,
    subscription: str,
    resource_group: str,
    tenant: str,
    method: str,
    operation: str,
    caller: Caller,
    outcome: Outcome,
    at: datetime,
) -> list[dict[str, Any]]:
    """The BeginRequest/EndRequest pair ARM records for one write, sharing one operation id."""
    operation_id = str(uuid.uuid4())
    namespace = type_name.split("/", 1)[0]
    common: dict[str, Any] = {
        "authorization": {"action": operation, "scope": resource_id},
        "caller": caller.name,
        "channels": "Operation",
        "claims": {k: str(v) for k, v in caller.claims.items()},
        "correlationId": caller.correlation_id,
        "category": {"value": "Administrative", "localizedValue": "Administrative"},
        "operationId": operation_id,
        "operationName": {"value": operation, "localizedValue": operation},
        "resourceGroupName": resource_group,
        "resourceProviderName": {"value": namespace, "localizedValue": namespace},
        "resourceType": {"value": type_name, "localizedValue": type_name},
        "resourceId": resource_id,
        "subscriptionId": subscription,
        "tenantId": tenant,
        "httpRequest": {
            "clientRequestId": caller.client_request_id,
            "clientIpAddress": caller.client_ip,
            "method": method,
        },
    }
    events = []
    for phase, status, level in (
        ("BeginRequest", "Started", "Informational"),
        ("EndRequest", outcome.status, "Informational" if outcome.status != "Failed" else "Error"),
    ):
        event_id = str(uuid.uuid4())
        ts = timestamp(at)
        properties = {
            "eventCategory": "Administrative",
            "entity": resource_id,
            "message": operation,
            "hierarchy": f"{tenant}/{subscription}",
        }
        if phase == "EndRequest":
            properties["statusCode"] = str(outcome.http_status)
            if outcome.message:
                properties["statusMessage"] = outcome.message
        events.append(
            {
                **common,
                "eventDataId": event_id,
                "eventName": {"value": phase, "localizedValue": phase},
                "eventTimestamp": ts,
                "submissionTimestamp": ts,
                "id": f"{resource_id}/events/{event_id}/ticks/{int(at.timestamp() * 10_000_000)}",
                "level": level,
                "status": {"value": status, "localizedValue": status},
                "subStatus": {"value": "", "localizedValue": ""},
                "properties": properties,
            }
        )
    return events


class EventFilter(NamedTuple):
    since: str
    until: str
    equals: dict[str, str]  # lowercase field -> lowercase value


_FIELDS = {
    "resourcegroupname": "resourceGroupName",
    "resourceuri": "resourceId",
    "resourceid": "resourceId",
    "correlationid": "correlationId",
    "resourceprovider": "resourceProviderName",
    "status": "status",
    "caller": "caller",
}


def parse_filter(text: str | None, now: datetime) -> EventFilter:
    """Parse ``eventTimestamp ge '...' and eventTimestamp le '...' and resourceUri eq '...'``."""
    if not text:
        raise _bad_filter("The $filter query parameter is required and must contain 'eventTimestamp ge'.")
    since: datetime | None = None
    until = now
    equals: dict[str, str] = {}
    for clause in _AND.split(text.strip()):
        m = _CLAUSE.match(clause)
        if not m:
            raise _bad_filter(f"The $filter clause '{clause.strip()}' is not supported.")
        field, op, value = m.group(1).lower(), m.group(2).lower(), m.group(3)
        if field == "eventtimestamp":
            at = _parse_time(value)
            if op in ("ge", "gt"):
                since = at
            elif op in ("le", "lt"):
                until = at
            else:
                raise _bad_filter("eventTimestamp supports only 'ge' and 'le'.")
        elif field in _FIELDS and op == "eq":
            equals[field] = value.lower()
        else:
            raise _bad_filter(f"The $filter field '{m.group(1)}' with '{op}' is not supported.")
    if since is None:
        raise _bad_filter("The $filter query parameter must contain 'eventTimestamp ge'.")
    if since < now - RETENTION:
        raise _bad_filter("The start time of the query cannot be older than 90 days.")
    return EventFilter(timestamp(since), timestamp(until), equals)


def matches(event: dict[str, Any], flt: EventFilter) -> bool:
    for field, wanted in flt.equals.items():
        value = event.get(_FIELDS[field])
        if isinstance(value, dict):
            value = value.get("value")
        if str(value or "").lower() != wanted:
            return False
    return True


def _parse_time(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _bad_filter(f"'{value}' is not a valid date-time in $filter.") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _bad_filter(message: str) -> ArmError:
    return ArmError(400, "BadRequest", message)
