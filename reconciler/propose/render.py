"""Proposals for people and machines: a terminal listing, JSON (version 1) and Markdown for a PR."""

from __future__ import annotations

import json
from typing import Any

from reconciler.propose.run import ProposalSet
from state.proposal import Proposal
from state.proposal import to_json

FORMATS = ("table", "json", "markdown")
VERSION = 1


def render(result: ProposalSet, fmt: str) -> str:
    """The proposals in ``fmt``, every known secret redacted (diffs quote the files around an edit)."""
    if fmt == "json":
        return json.dumps(result.redactor.scrub(document(result)), indent=2) + "\n"
    if fmt == "markdown":
        return result.redactor.redact(_markdown(result))
    return result.redactor.redact(_text(result))


def document(result: ProposalSet) -> dict[str, Any]:
    return {
        "version": VERSION,
        "workspace": result.scan.workspace,
        "scan_id": result.scan.scan_id,
        "proposals": [to_json(p) for p in result.proposals],
    }


def _status(p: Proposal) -> str:
    if p.valid:
        return "valid"
    if p.violations:
        return "refused by policy"
    failed = next((s for a in p.attempts[-1:] for s in a.steps if not s.ok), None)
    return f"not valid ({failed.name})" if failed else "not valid"


def _text(result: ProposalSet) -> str:
    if not result.proposals:
        return f"No drift to propose anything for in scan {result.scan.scan_id}.\n"
    lines = []
    valid = sum(p.valid for p in result.proposals)
    lines.append(f"{len(result.proposals)} proposals from scan {result.scan.scan_id}: {valid} valid")
    for p in result.proposals:
        lines.append("")
        target = p.address or p.resource_id
        lines.append(f"[{p.proposal_id}] {p.strategy} {target}: {_status(p)} ({len(p.attempts)} attempt(s))")
        lines.append(f"  {p.explanation}")
        for a in p.advisories:
            lines.append(f"  ! {a.kind}: {a.message}")
        for v in p.violations:
            lines.append(f"  ✗ {v.rule}: {v.address}: {v.message}")
        if not p.valid:
            for step in (s for s in p.attempts[-1].steps if not s.ok) if p.attempts else ():
                for detail in step.detail.splitlines()[:6]:
                    lines.append(f"  ✗ {step.name}: {detail}")
        diff = p.diff()
        if diff:
            lines.extend("    " + line for line in diff.rstrip("\n").splitlines())
    return "\n".join(lines) + "\n"


def _markdown(result: ProposalSet) -> str:
    out = [f"## Proposals for `{result.scan.workspace}`", ""]
    if not result.proposals:
        return "\n".join([*out, "No drift to propose anything for.", ""])
    out += ["| | strategy | resource | status |", "|---|---|---|---|"]
    for p in result.proposals:
        mark = "✅" if p.valid else "❌"
        out.append(f"| {mark} | {p.strategy} | `{p.address or p.resource_id}` | {_status(p)} |")
    for p in result.proposals:
        out += ["", f"### {p.strategy}: `{p.address or p.resource_id}`", "", p.explanation, ""]
        out += [f"> **{a.kind}**: {a.message}" for a in p.advisories]
        out += [f"- ❌ `{v.rule}` on `{v.address}`: {v.message}" for v in p.violations]
        if p.diff():
            out += ["", "```diff", p.diff().rstrip("\n"), "```"]
    out += ["", f"<sub>scan {result.scan.scan_id}</sub>", ""]
    return "\n".join(out)
