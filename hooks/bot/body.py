"""The body of a drift pull request, and the fingerprint that keeps one PR per drift.

The body is the scan's Markdown report (who changed what, through which tool, when), then what the PR
does per drift (the validated proposals and the actions their plans take), what only a revert can fix,
the advisories, and what needs a person. A hidden marker holds the drift's fingerprint — the drifted
resources and their live values, not the scan's time or id — so the next ``bot sync`` that sees the same
drift finds nothing to change, even when it runs on another machine with an empty store.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

from hooks.bot.commands import PREFIX
from hooks.bot.comments import code
from hooks.bot.comments import escape
from reconciler.report import markdown
from state.proposal import FileEdit
from state.proposal import Proposal
from state.report import ScanReport

_MARKER = re.compile(r"<!-- reconcile-bot fingerprint=([0-9a-f]{16}) -->")
_TRUNCATED = (
    "\n\n*(cut here: the rest does not fit in a pull request body; `reconcile drift` shows it all)*\n"
)


def fingerprint(report: ScanReport) -> str:
    """What drifted and to what: equal for two scans that saw the same drift."""
    items = sorted(
        json.dumps(
            [
                d.kind,
                d.address or d.resource_id,
                sorted([c.path, json.dumps(c.live, sort_keys=True)] for c in d.changes),
            ]
        )
        for d in report.drifts
    )
    return hashlib.sha256("\n".join(items).encode()).hexdigest()[:16]


def marker(body: str) -> str | None:
    """The fingerprint a PR body was written for."""
    found = _MARKER.search(body)
    return found[1] if found else None


def title(name: str, report: ScanReport) -> str:
    n = len({d.address or d.resource_id for d in report.drifts})
    return f"reconcile: drift in {name} ({n} resource{'s' if n != 1 else ''})"


def render(
    name: str,
    report: ScanReport,
    proposals: Sequence[Proposal],
    left_out: Sequence[FileEdit],
    limit: int,
    note: str = "",
) -> str:
    """The PR body, at most ``limit`` characters (the forge's own limit)."""
    fp = fingerprint(report)
    out = [f"<!-- reconcile-bot fingerprint={fp} -->"]
    if note:
        out += [f"> [!NOTE]\n> {note}", ""]
    out.append(markdown.render(report._replace(workspace=name)))
    valid = [p for p in proposals if p.valid]
    codified = [p for p in valid if p.edits]
    reverts = [p for p in valid if p.strategy == "revert"]
    if codified:
        out += ["### What this pull request changes", ""]
        out += [f"- {_proposal(p)}" for p in codified]
        out.append("")
    if reverts:
        addresses = " ".join(p.address or "" for p in reverts)
        out += ["### Only a revert can fix", ""]
        out += [f"- {_proposal(p)}" for p in reverts]
        out += [
            "",
            f"Comment `{PREFIX} revert` to put {'it' if len(reverts) == 1 else 'them'} back as the default "
            f"branch says (or `{PREFIX} revert {escape(addresses)}` for some of them); `{PREFIX} apply` "
            "applies this branch, which does the same for them.",
            "",
        ]
    advisories = [a for p in valid for a in p.advisories]
    if advisories:
        out += ["### Advisories", ""]
        out += [f"- **{a.kind}**: {escape(a.message)}" for a in advisories]
        out.append("")
    person = _needs_a_person(report, proposals, left_out)
    if person:
        out += ["### Needs a person", ""]
        out += [f"- {line}" for line in person]
        out.append("")
    out += [
        "### Next",
        "",
        f"`{PREFIX} plan` plans this branch and locks the workspace until this PR merges or closes; after an "
        f"approval, `{PREFIX} apply` applies that plan, verifies it and merges. `{PREFIX} help` lists every "
        "command.",
        "",
    ]
    body = "\n".join(out)
    return body if len(body) <= limit else body[: limit - len(_TRUNCATED)] + _TRUNCATED


def commit_message(name: str, report: ScanReport, proposals: Sequence[Proposal]) -> str:
    codified = [p for p in proposals if p.valid and p.edits]
    what = ", ".join(sorted({p.address or p.resource_id for p in codified})) or "nothing to codify"
    subject = f"reconcile: codify drift in {name}: {what}"
    if len(subject) > 72:
        subject = f"reconcile: codify drift of {len(codified)} resources in {name}"
    if not codified:
        subject = f"reconcile: drift in {name} that only a revert can fix"
    trailers = [f"Reconcile-Proposal: {p.proposal_id}" for p in codified]
    trailers += [f"Reconcile-Scan: {report.scan_id}", f"Reconcile-Fingerprint: {fingerprint(report)}"]
    return subject + "\n\n" + "\n".join(trailers) + "\n"


def _proposal(p: Proposal) -> str:
    actions = ", ".join(f"{code(a)} {'/'.join(acts)}" for a, acts in sorted((p.plan or {}).items()))
    planned = f" (validated plan: {actions})" if actions else ""
    return f"{code(p.address or p.resource_id)}: **{p.strategy}**. {escape(p.explanation)}{planned}"


def _needs_a_person(
    report: ScanReport, proposals: Sequence[Proposal], left_out: Sequence[FileEdit]
) -> list[str]:
    lines = []
    for p in proposals:
        if p.valid:
            continue
        failed = next((s for a in reversed(p.attempts) for s in a.steps if not s.ok), None)
        why = failed.detail if failed else "; ".join(v.message for v in p.violations) or "no valid proposal"
        lines.append(
            f"{code(p.address or p.resource_id)}: no valid {p.strategy} proposal: {escape(why[:300])}"
        )
    proposed = {p.address or p.resource_id for p in proposals}
    for d in report.drifts:
        if (d.address or d.resource_id) not in proposed:
            lines.append(f"{code(d.address or d.resource_id)} ({d.kind}): nothing can be proposed for it")
    lines += [
        f"{code(e.path)}: an edit overlapping another was left out; it comes after this PR" for e in left_out
    ]
    return lines
