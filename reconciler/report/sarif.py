"""The code-scanning form of a scan: SARIF 2.1.0, one result per drift at its HCL block.

Shape (the parts code-scanning tools read)::

    {"$schema": ..., "version": "2.1.0",
     "runs": [{"tool": {"driver": {"name": "reconcile", "version", "informationUri"?, "rules": [4]}},
               "originalUriBaseIds": {"%SRCROOT%": {"uri": "file:///<workspace>/"}}  (absolute only),
               "invocations": [{"executionSuccessful": <complete>, "toolExecutionNotifications": [errors]}],
               "results": [{"ruleId": "drift/<kind>", "ruleIndex", "level", "message": {"text"},
                            "locations": [{"physicalLocation": {"artifactLocation": {"uri", "uriBaseId"},
                                                                "region": {"startLine"}},
                                           "logicalLocations": [{"name", "fullyQualifiedName", "kind"}]}],
                            "partialFingerprints": {"reconcileDrift/v1": "<sha256>"},
                            "properties": {...}}]}]}
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from reconciler.report.delta import identity
from reconciler.report.text import attribution_text
from reconciler.report.text import shorten_pair
from reconciler.report.text import subject
from reconciler.report.text import tool_version
from reconciler.report.text import value_text
from state.report import KINDS
from state.report import Drift
from state.report import Kind
from state.report import ScanReport
from state.report import rfc3339

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "reconcileDrift/v1"
VALUE_LIMIT = 80

# Levels follow what the next `terraform apply` would do and how urgently someone must decide:
# - deleted → error: apply recreates the resource; whatever broke when it vanished needs someone now.
# - changed → warning: apply silently reverts the change, which may be a hotfix worth codifying; it needs a
#   decision (codify or revert), not necessarily an outage.
# - unknown → warning: nothing is known to be wrong, but the scan cannot vouch for the resource, so it must
#   not pass as clean either.
# - unmanaged → note: apply never touches it and it is often legitimate (another team, another tool); it
#   is inventory to import or remove, not a defect in this code.
LEVELS: dict[Kind, str] = {
    "changed": "warning",
    "deleted": "error",
    "unmanaged": "note",
    "unknown": "warning",
}

_RULES: dict[Kind, tuple[str, str, str, str]] = {
    "changed": (
        "ChangedOutsideTerraform",
        "A managed resource was changed outside Terraform.",
        "The live resource differs from its Terraform state in one or more attributes, so the next "
        "terraform apply would silently revert the change.",
        "Decide whether the change should stay: codify it in the HCL block (so the next apply keeps it) "
        "or revert it with terraform apply. `reconcile propose` prepares and validates either edit.",
    ),
    "deleted": (
        "DeletedOutsideTerraform",
        "A managed resource was deleted outside Terraform.",
        "The resource is in the Terraform state but the cloud API answers that it no longer exists, so "
        "the next terraform apply would create it again.",
        "Recreate it with terraform apply, or, if the deletion was intended, remove the block from the "
        "configuration (and the state entry with terraform state rm or a removed block).",
    ),
    "unmanaged": (
        "UnmanagedResource",
        "A resource exists in a managed scope but in no Terraform state.",
        "The resource was created outside Terraform in a resource group this workspace manages; "
        "Terraform neither tracks nor protects it.",
        "Bring it under Terraform with an import block (terraform plan -generate-config-out writes its "
        "configuration), or delete it if it should not exist.",
    ),
    "unknown": (
        "UnreadableResource",
        "A managed resource could not be read, so its drift is unknown.",
        "The cloud API failed for this resource with something other than not-found (throttling, a "
        "server error, a timeout, missing permission), so the scan cannot say whether it drifted.",
        "Check the reason in the message, fix access or wait for the API to recover, then scan again.",
    ),
}


def render(report: ScanReport, *, anchor: str | None = None) -> str:
    """The report as a SARIF 2.1.0 log.

    Drifts without an HCL block (unmanaged ones) are anchored at line 1 of ``anchor`` (a file relative
    to the workspace; by default the file most drifts of this report point at), because GitHub code
    scanning rejects a whole upload when any result lacks a file location. Their resource id is in the
    logical location either way.
    """
    return log([run_of(report, anchor=anchor)])


def log(runs: list[dict[str, Any]]) -> str:
    """A SARIF 2.1.0 log of ``runs``."""
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": runs}, indent=2) + "\n"


def run_of(
    report: ScanReport,
    *,
    anchor: str | None = None,
    root: Path | None = None,
    category: str | None = None,
) -> dict[str, Any]:
    """One SARIF run. With ``root`` (a directory above the workspace), file URIs are relative to it
    rather than to the workspace; ``category`` keeps the runs of several workspaces in one log apart
    (code scanning refuses two runs of one tool and category in an upload)."""
    anchor = anchor if anchor is not None else _default_anchor(report)
    run: dict[str, Any] = {"tool": {"driver": _driver()}}
    if category is not None:
        run["automationDetails"] = {"id": f"{category}/"}
    workspace = Path(report.workspace)
    prefix = ""
    if root is not None and workspace.is_absolute():
        prefix = workspace.relative_to(root).as_posix() + "/" if workspace != root else ""
        workspace = root
    if workspace.is_absolute():  # otherwise the consumer resolves %SRCROOT% (GitHub: the checkout)
        run["originalUriBaseIds"] = {SRCROOT: {"uri": workspace.as_uri().rstrip("/") + "/"}}
    run["invocations"] = [
        {
            "executionSuccessful": report.complete,
            "endTimeUtc": rfc3339(report.scanned_at),
            "toolExecutionNotifications": [{"level": "error", "message": {"text": e}} for e in report.errors],
        }
    ]
    run["results"] = [_result(d, anchor, prefix) for d in report.drifts]
    run["properties"] = {"scanId": report.scan_id, "summary": report.summary._asdict()}
    return run


def fingerprint(drift: Drift) -> str:
    """Stable across scans for the same drift: kind, what it is about, and which attributes."""
    # ARM ids are case-insensitive and APIs vary their casing; addresses are Terraform's and exact.
    payload = json.dumps([drift.kind, identity(drift), sorted(c.path for c in drift.changes)])
    return hashlib.sha256(payload.encode()).hexdigest()


def rule_id(kind: Kind) -> str:
    return f"drift/{kind}"


def _driver() -> dict[str, Any]:
    driver: dict[str, Any] = {"name": "reconcile", "version": tool_version()}
    homepage = _homepage()
    if homepage:  # a wrong link is worse than none: only what the package itself declares
        driver["informationUri"] = homepage
    driver["rules"] = [
        {
            "id": rule_id(kind),
            "name": name,
            "shortDescription": {"text": short},
            "fullDescription": {"text": full},
            "help": {"text": help_text, "markdown": help_text},
            "defaultConfiguration": {"level": LEVELS[kind]},
            "properties": {"tags": ["drift", "terraform"]},
        }
        for kind, (name, short, full, help_text) in _RULES.items()
    ]
    return driver


def _homepage() -> str | None:
    try:
        meta = metadata.metadata("reconcile")
    except metadata.PackageNotFoundError:
        return None
    urls = [u.partition(",")[2].strip() for u in meta.get_all("Project-URL") or ()]
    candidates = [*urls, *(meta.get_all("Home-page") or ())]
    return next((u for u in candidates if u.startswith(("https://", "http://"))), None)


def _result(drift: Drift, anchor: str | None, prefix: str = "") -> dict[str, Any]:
    location: dict[str, Any] = {}
    file, line = (drift.source.file, drift.source.line) if drift.source else (anchor, 1)
    if file is not None:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": _uri(posixpath.normpath(prefix + file)), "uriBaseId": SRCROOT},
            "region": {"startLine": max(line, 1)},
        }
    location["logicalLocations"] = [
        {
            "name": drift.address or drift.resource_id.rsplit("/", 1)[-1],
            "fullyQualifiedName": drift.address or drift.resource_id,
            "kind": "resource",
        }
    ]
    properties: dict[str, Any] = {
        "kind": drift.kind,
        "resourceType": drift.type,
        "resourceId": drift.resource_id,
    }
    if drift.address:
        properties["address"] = drift.address
    if drift.attribution:
        properties["attribution"] = {**drift.attribution._asdict(), "at": rfc3339(drift.attribution.at)}
    return {
        "ruleId": rule_id(drift.kind),
        "ruleIndex": KINDS.index(drift.kind),
        "level": LEVELS[drift.kind],
        "message": {"text": message(drift)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: fingerprint(drift)},
        "properties": properties,
    }


def message(drift: Drift) -> str:
    """One paragraph: what drifted, the attribute changes, and who did it through what."""
    what = subject(drift)
    if drift.kind == "changed":
        changes = "; ".join(
            "{}: {} → {}".format(c.path, *shorten_pair(value_text(c.state), value_text(c.live), VALUE_LIMIT))
            for c in drift.changes
        )
        text = f"{what} was changed outside Terraform" + (f": {changes}." if changes else ".")
    elif drift.kind == "deleted":
        text = f"{what} was deleted outside Terraform ({drift.resource_id})."
    elif drift.kind == "unmanaged":
        text = f"{drift.type} {what} exists in the cloud but in no Terraform state."
    else:
        text = f"{what} could not be read: {drift.reason or 'no reason given'}."
    if drift.attribution:
        verb = {"unmanaged": "Created", "deleted": "Deleted"}.get(drift.kind, "Changed")
        text += f" {verb} by {attribution_text(drift.attribution)} ({drift.attribution.operation})."
    return text


def _uri(file: str) -> str:
    return quote(file.replace("\\", "/"))


def _default_anchor(report: ScanReport) -> str | None:
    files = Counter(d.source.file for d in report.drifts if d.source)
    if not files:
        return None
    return min(files, key=lambda f: (-files[f], f))
