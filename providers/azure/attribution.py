"""Who changed a resource, when and through which tool: the Activity Log, read like a detective.

For a drifted resource the answer is the latest successful write by anyone other than Terraform since
Terraform last wrote it. The tool (modality) comes from the token's app id: the Azure Portal, the Azure
CLI and Azure PowerShell have well-known first-party ids; the configured Terraform identities are
``terraform``; any other principal is a script or program (``sdk``).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from typing import NamedTuple

from providers.azure import apps

Event = dict[str, Any]

_TOOLS = {apps.AZURE_PORTAL: "portal", apps.AZURE_CLI: "cli", apps.AZURE_POWERSHELL: "powershell"}


class Write(NamedTuple):
    """One successful write in the Activity Log."""

    resource_id: str
    caller: str
    modality: str
    operation: str
    at: datetime
    correlation_id: str


def modality(claims: dict[str, Any], terraform_ids: Iterable[str]) -> str:
    app = str(claims.get("appid") or claims.get("azp") or "").lower()
    if not claims:
        return "unknown"
    if app in {t.lower() for t in terraform_ids}:
        return "terraform"
    return _TOOLS.get(app, "sdk" if app else "unknown")


def writes(events: Iterable[Event], terraform_ids: Sequence[str]) -> list[Write]:
    """The completed, successful writes among Activity Log events (ARM's wire shape), oldest first."""
    out = []
    for e in events:
        status = _value(e.get("status"))
        if status != "Succeeded" or _value(e.get("eventName")) not in ("EndRequest", ""):
            continue
        operation = _value(e.get("operationName"))
        if not operation.lower().endswith(("/write", "/delete", "/action")):
            continue
        claims = e.get("claims") or {}
        out.append(
            Write(
                resource_id=str(e.get("resourceId") or ""),
                caller=str(e.get("caller") or claims.get("upn") or claims.get("appid") or "unknown"),
                modality=modality(claims, terraform_ids),
                operation=operation,
                at=_time(e.get("eventTimestamp")),
                correlation_id=str(e.get("correlationId") or ""),
            )
        )
    out.sort(key=lambda w: w.at)
    return out


def culprit(resource_id: str, history: Sequence[Write]) -> Write | None:
    """The latest non-Terraform write to a resource (or to its children) after Terraform's last write."""
    key = resource_id.lower()
    relevant = [
        w for w in history if w.resource_id.lower() == key or w.resource_id.lower().startswith(key + "/")
    ]
    last_terraform = max((w.at for w in relevant if w.modality == "terraform"), default=None)
    candidates = [
        w
        for w in relevant
        if w.modality != "terraform" and (last_terraform is None or w.at >= last_terraform)
    ]
    return candidates[-1] if candidates else None


def _value(field: Any) -> str:
    if isinstance(field, dict):
        return str(field.get("value") or "")
    return str(field or "")


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
