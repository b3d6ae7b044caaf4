"""One drift of the latest scan against the staged configuration: would this commit's next apply revert it?

In order, a changed or deleted resource is

- ``codified`` when the configuration now says what the cloud holds (every drifted attribute, see
  :mod:`reconciler.guard.codified`; a deleted resource whose block or instance is gone);
- ``ignored`` when an ``[[ignore]]`` rule or ``lifecycle { ignore_changes }`` covers every drifted attribute;
- ``allowed`` when ``--allow-revert`` names it: the author means the next apply to put the cloud back;
- ``blocked`` when a staged file holds its block or feeds it (:mod:`reconciler.guard.inputs`);
  ``stale`` instead when the scan is older than the allowed age (a warning: the drift may be gone);
- ``untouched`` otherwise: the drift is real, but this commit does not work on that resource (a warning).

Unmanaged and unknown items are not judged: the next apply neither touches nor reverts them.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import Literal
from typing import NamedTuple

from providers.azure.mapping import MAPPINGS
from providers.azure.mapping.schema import Attr
from reconciler.drift.compare import ignored
from reconciler.drift.ignore import IgnoreRule
from reconciler.drift.ignore import patterns
from reconciler.guard.codified import Outcome
from reconciler.guard.codified import compare
from reconciler.guard.codified import configured_at
from reconciler.guard.codified import path_steps
from reconciler.guard.expression import Evaluator
from reconciler.guard.expression import Scope
from reconciler.guard.inputs import inputs
from reconciler.guard.values import Absent
from reconciler.guard.values import Unknown
from reconciler.guard.values import first_unknown
from reconciler.workspace import ConfigBlock
from reconciler.workspace import Configuration
from reconciler.workspace import parse_address
from state.report import MASK
from state.report import Change
from state.report import Drift
from state.report import masked

Verdict = Literal["blocked", "stale", "untouched", "allowed", "codified", "ignored"]
#: the verdicts that are problems (blocking or warned about)
OPEN: tuple[Verdict, ...] = ("blocked", "stale", "untouched")


class Attribute(NamedTuple):
    """One drifted attribute and what the configuration says about it."""

    change: Change
    outcome: Outcome | Literal["ignored"]
    configured: Any  # the evaluated value (JSON-able); None when absent or unknown
    note: str  # where the value comes from, or why it cannot be known statically


class Finding(NamedTuple):
    drift: Drift
    verdict: Verdict
    attributes: tuple[Attribute, ...]
    touched_by: tuple[tuple[str, tuple[str, ...]], ...]  # (staged file, what in it feeds the resource)
    note: str = ""


class Context(NamedTuple):
    """What every drift of one workspace is judged against."""

    config: Configuration
    rules: tuple[IgnoreRule, ...]
    environ: Mapping[str, str]
    staged: Collection[str]  # staged files, relative to the workspace root like the configuration's
    allow_revert: Sequence[str]
    stale: bool


def judge(drift: Drift, ctx: Context) -> Finding | None:
    if drift.kind not in ("changed", "deleted") or drift.address is None:
        return None
    block = ctx.config.block_for(drift.address)
    if block is None:
        gone = "its block is no longer in the configuration (the next apply removes it from Terraform's care)"
        return Finding(drift, "codified", (), (), gone)
    globs = patterns(ctx.rules, drift.address, drift.type, block.ignore_changes)
    if drift.kind == "deleted":
        attributes: tuple[Attribute, ...] = ()
        if "*" in globs:
            return Finding(drift, "ignored", (), (), "an ignore rule covers the whole resource")
        if _instance_gone(block, drift.address, ctx):
            return Finding(drift, "codified", (), (), "the configuration no longer declares this instance")
    else:
        attributes = _attributes(drift, block, globs, ctx)
        if all(a.outcome == "ignored" for a in attributes):
            return Finding(drift, "ignored", attributes, ())
        if all(a.outcome in ("ignored", "same") for a in attributes):
            return Finding(drift, "codified", attributes, ())
    if _allowed(drift.address, ctx.allow_revert):
        return Finding(drift, "allowed", attributes, (), "--allow-revert: the next apply may put it back")
    feeding = inputs(ctx.config, block)
    touched = tuple((f, tuple(dict.fromkeys(why))) for f, why in feeding.items() if f in ctx.staged)
    if not touched:
        return Finding(drift, "untouched", attributes, ())
    return Finding(drift, "stale" if ctx.stale else "blocked", attributes, touched)


def _attributes(
    drift: Drift, block: ConfigBlock, globs: tuple[str, ...], ctx: Context
) -> tuple[Attribute, ...]:
    schema = MAPPINGS[drift.type].schema if drift.type in MAPPINGS else None
    scope = Scope.of(parse_address(drift.address or ""), block.body.get("for_each"))
    out = []
    for change in drift.changes:
        if ignored(change.path, globs):
            out.append(Attribute(change, "ignored", None, "an ignore rule or ignore_changes covers it"))
            continue
        steps = path_steps(change.path)
        top = str(steps[0]) if steps else ""
        evaluator = Evaluator(ctx.config, ctx.environ)
        body: dict[str, Any] = {"dynamic": block.body.get("dynamic")}
        if top in block.body:
            body[top] = evaluator.value(block.body[top], scope)
        else:
            made = evaluator.dynamic(block.body.get("dynamic"), top, scope)
            if not isinstance(made, Absent):
                body[top] = made
        configured, item = configured_at(body, change.path, schema)
        outcome = compare(configured, change.live, item)
        secret = masked(change.live) or masked(change.state) or (isinstance(item, Attr) and item.sensitive)
        shown = MASK if secret and not isinstance(configured, Absent) else _shown(configured)
        out.append(Attribute(change, outcome, shown, _note(outcome, configured, evaluator.via)))
    return tuple(out)


def _note(outcome: Outcome, configured: Any, via: list[str]) -> str:
    unknown = first_unknown(configured)
    if outcome == "unknown" and unknown is not None:
        return f"`{_short(unknown.expression)}` cannot be evaluated without Terraform"
    if outcome == "unknown":
        return "the live value is a masked secret"
    if isinstance(configured, Absent):
        return "the configuration does not set it"
    return "; ".join(dict.fromkeys(via))


def _shown(value: Any) -> Any:
    """The configured value as JSON can carry it: unknown parts as their expression text."""
    if isinstance(value, Unknown):
        return "${" + value.expression + "}"
    if isinstance(value, Absent):
        return None
    if isinstance(value, list):
        return [_shown(v) for v in value]
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items()}
    return value


def _instance_gone(block: ConfigBlock, address: str, ctx: Context) -> bool:
    """Whether ``count`` / ``for_each`` no longer produce the deleted instance (when statically known)."""
    key = parse_address(address).key
    if key is None or not (block.has_count or block.has_for_each):
        return False
    scope = Scope.of(parse_address(address))._replace(key=None)
    evaluator = Evaluator(ctx.config, ctx.environ)
    if block.has_count:
        count = evaluator.value(block.body["count"], scope)
        return isinstance(count, int) and isinstance(key, int) and key >= count
    each = evaluator.value(block.body["for_each"], scope)
    if isinstance(each, dict):
        return str(key) not in each
    return isinstance(each, list) and not any(isinstance(e, Unknown) for e in each) and key not in each


def _allowed(address: str, allowed: Sequence[str]) -> bool:
    block_address = parse_address(address).config_address
    for pattern in allowed:
        if pattern in (address, block_address):
            return True
        # `*` and `?` are wildcards; brackets stay literal, as Terraform writes instance keys.
        if fnmatch.fnmatchcase(address, re.sub(r"\[", "[[]", pattern)):
            return True
    return False


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
