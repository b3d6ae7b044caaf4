"""What ``reconcile check`` prints: for a person at ``git commit`` (text) or a machine (``--format json``).

JSON (version 1)::

    {"version": 1, "result": "blocked" | "passed", "exit_code": 1 | 0, "warnings": ["..."],
     "workspaces": [{"workspace": "/abs/root", "name": "envs/prod", "files": ["main.tf"],
                     "scan_id": "..." | null, "scanned_at": "<RFC 3339>" | null, "fresh": false,
                     "age_s": 3600 | null, "max_age_s": 86400, "stale": false, "warnings": ["..."],
                     "findings": [{"verdict": "blocked|stale|untouched|allowed|codified|ignored",
                                   "kind": "changed|deleted", "address", "type", "resource_id",
                                   "source": {"file", "line"} | null, "attribution": {...} | null,
                                   "touched_by": [{"file", "why": ["var.tags, line 6"]}], "note": "...",
                                   "attributes": [{"path", "state", "live", "configured",
                                                   "outcome": "same|differs|unknown|ignored", "note"}]}]}]}

Live values are untrusted: the text form shows control characters as escapes (they could rewrite the
terminal) and shortens long values; JSON carries them exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from reconciler.guard.run import CheckResult
from reconciler.guard.run import WorkspaceCheck
from reconciler.guard.verdict import Finding
from reconciler.report.text import attribution_text
from reconciler.report.text import shorten_pair
from reconciler.report.text import source_text
from reconciler.report.text import value_text
from reconciler.report.text import visible
from state.report import drift_to_json
from state.report import rfc3339

VALUE_LIMIT = 48
WARN_LIMIT = 10  # drift lines per workspace that a passing commit shows


def render_text(result: CheckResult) -> str:
    return "".join(line + "\n" for line in _text(result))


def _text(result: CheckResult) -> Iterator[str]:
    blocked = result.blocked
    if blocked:
        n = len(blocked)
        yield (
            f"reconcile check: commit blocked: its next apply would revert {n} out-of-band "
            f"change{'s' if n != 1 else ''} that the staged configuration does not codify"
        )
        for w, finding in blocked:
            yield ""
            yield from _finding(w, finding, "✗")
        yield ""
        yield from _remedies(blocked)
    if blocked and (result.warnings or any(w.warnings or _open(w) for w in result.workspaces)):
        yield ""
    for w in result.workspaces:
        warned = [f for f in w.findings if f.verdict in ("untouched", "stale")]
        for finding in warned[:WARN_LIMIT]:
            why = "not touched by this commit" if finding.verdict == "untouched" else "from a stale scan"
            yield f"! {_name(w)}: drift {why}: {_one_line(finding)}"
        if len(warned) > WARN_LIMIT:
            more = len(warned) - WARN_LIMIT
            yield f"! {_name(w)}: and {more} more drifted resources ('reconcile history' shows them all)"
        for finding in w.findings:
            if finding.verdict == "allowed":
                address = visible(finding.drift.address or "")
                yield f"  {_name(w)}: {address}: allowed to be reverted (--allow-revert)"
        for warning in w.warnings:
            yield f"! {visible(warning)}"
    for warning in result.warnings:
        yield f"! {visible(warning)}"


def _open(w: WorkspaceCheck) -> bool:
    return any(f.verdict in ("untouched", "stale", "allowed") for f in w.findings)


def _finding(w: WorkspaceCheck, finding: Finding, mark: str) -> Iterator[str]:
    d = finding.drift
    where = f"  {source_text(d.source)}" if d.source else ""
    yield f"{mark} {visible(d.address or d.resource_id)}{where}  (workspace {_name(w)})"
    if d.kind == "deleted":
        yield "    deleted out of band; the configuration still declares it, so the next apply re-creates it"
    for a in finding.attributes:
        if a.outcome in ("same", "ignored"):
            continue
        configured = "(not set)" if a.configured is None else quoted(a.configured)
        live, said = shorten_pair(quoted(a.change.live), configured, VALUE_LIMIT)
        yield f"    {visible(a.change.path)}: live {live}, the configuration says {said}"
        if a.note:
            yield f"      ({visible(a.note)})"
    verb = "deleted" if d.kind == "deleted" else "changed"
    if d.attribution:
        yield f"    {verb} by {attribution_text(d.attribution)} ({visible(d.attribution.operation)})"
    else:
        yield f"    {verb} by: unknown (no Activity Log entry names who)"
    for file, why in finding.touched_by:
        more = f"; and {len(why) - 3} more" if len(why) > 3 else ""
        yield f"    this commit touches {visible(file)}: {visible('; '.join(why[:3]))}{more}"
    if any(a.outcome == "unknown" for a in finding.attributes):
        yield "    an expression cannot be evaluated statically; because the commit changes the resource's"
        yield "    inputs it is treated as not codified"


def _name(w: WorkspaceCheck) -> str:
    return w.root.name if w.name == "." else w.name


def _remedies(blocked: tuple[tuple[WorkspaceCheck, Finding], ...]) -> Iterator[str]:
    w, first = blocked[0]
    address = first.drift.address or ""
    paths = [a.change.path for a in first.attributes if a.outcome in ("differs", "unknown")]
    yield "To let the commit through, for each resource above:"
    yield f"  - codify it: 'reconcile propose {w.name}' writes and validates the edit; stage it and commit"
    yield "  - or ignore it: an [[ignore]] rule in reconcile.toml, e.g."
    yield "        [[ignore]]"
    yield f"        address = {json.dumps(visible(address))}"
    if paths:
        yield f"        attributes = {json.dumps([visible(p) for p in paths])}"
    yield '        reason = "why this difference is fine"'
    yield "  - or let the next apply revert it on purpose: 'reconcile check --allow-revert ADDRESS',"
    yield f"    under pre-commit: RECONCILE_ALLOW_REVERT='{visible(address)}' git commit ..."


def quoted(value: Any) -> str:
    """A value as it would be written: strings in quotes (``"Standard_B2s"``), others as JSON."""
    return visible(json.dumps(value, ensure_ascii=False)) if isinstance(value, str) else value_text(value)


def _one_line(finding: Finding) -> str:
    d = finding.drift
    what = visible(d.address or d.resource_id)
    where = f" ({source_text(d.source)})" if d.source else ""
    if d.kind == "deleted":
        detail = "deleted"
    else:
        detail = ", ".join(
            "{} {} → {}".format(
                visible(a.change.path),
                *shorten_pair(value_text(a.change.state), value_text(a.change.live), 24),
            )
            for a in finding.attributes
            if a.outcome in ("differs", "unknown")
        )
    by = f" by {attribution_text(d.attribution)}" if d.attribution else ""
    return f"{what}{where}: {detail}{by}"


# -- JSON ---------------------------------------------------------------------------------------------


def render_json(result: CheckResult) -> str:
    doc = {
        "version": 1,
        "result": "blocked" if result.blocked else "passed",
        "exit_code": result.exit_code,
        "warnings": list(result.warnings),
        "workspaces": [_workspace(w) for w in result.workspaces],
    }
    return json.dumps(doc, indent=2) + "\n"


def _workspace(w: WorkspaceCheck) -> dict[str, Any]:
    return {
        "workspace": str(w.root),
        "name": w.name,
        "files": list(w.files),
        "scan_id": w.scan.scan_id if w.scan else None,
        "scanned_at": rfc3339(w.scan.scanned_at) if w.scan else None,
        "fresh": w.fresh,
        "age_s": None if w.age is None else int(w.age.total_seconds()),
        "max_age_s": int(w.max_age.total_seconds()),
        "stale": w.stale,
        "warnings": list(w.warnings),
        "findings": [_finding_json(f) for f in w.findings],
    }


def _finding_json(f: Finding) -> dict[str, Any]:
    drift = drift_to_json(f.drift)
    return {
        "verdict": f.verdict,
        **{k: drift[k] for k in ("kind", "address", "type", "resource_id", "source", "attribution")},
        "touched_by": [{"file": file, "why": list(why)} for file, why in f.touched_by],
        "note": f.note,
        "attributes": [
            {
                "path": a.change.path,
                "state": a.change.state,
                "live": a.change.live,
                "configured": a.configured,
                "outcome": a.outcome,
                "note": a.note,
            }
            for a in f.attributes
        ],
    }
