"""Rule ``builtin.no_code_execution``: a proposal never adds a way to run code.

Remediation needs only configuration, so a proposal that runs anything is refused, whoever wrote it
(a hostile LLM answer, an instruction hidden in a live tag). Compared per block, between the texts the
proposal found and the texts it leaves:

- a ``provisioner`` (``local-exec``, ``remote-exec``, ``file``, any) added or changed, on any resource
  (``null_resource`` and ``terraform_data`` included);
- a ``data "external"`` block added or changed: it runs its ``program`` during plan;
- a change to a file that is not Terraform configuration or variables: scripts and templates that
  existing provisioners, external programs or cloud-init would run.

A file python-hcl2 cannot read is searched as text instead, so an unreadable edit never hides one.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any

from reconciler.policy import edits as edit_files
from reconciler.policy.edits import Modules
from reconciler.workspace.syntax import RawBlock
from state.proposal import FileEdit
from state.proposal import Violation

RULE = "builtin.no_code_execution"
_ALLOWED_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
_WHY = "a proposal must never add code execution"
# Token forms of the same constructs, for text the parser refuses; HCL nested blocks start a line.
_TOKENS = (
    ("provisioner", re.compile(r'^[ \t]*provisioner\s+"?([\w-]+)"?\s*\{|"provisioner"\s*:', re.M)),
    ('data "external"', re.compile(r'^[ \t]*data\s+"?external"?\s|"external"\s*:', re.M)),
)


def check(edits: Sequence[FileEdit], modules: Modules) -> list[Violation]:
    found = []
    for edit in edits:
        if edit.before == edit.after:
            continue
        if not edit.path.endswith(_ALLOWED_SUFFIXES):
            message = (
                f"{edit.path} is not Terraform configuration (a proposal changes only .tf, .tf.json and "
                f".tfvars files) and a provisioner, an external program or cloud-init may run it; {_WHY}"
            )
            found.append(Violation(RULE, edit.path, message))
        elif edit_files.is_configuration(edit.path):
            found.extend(_compare(edit, modules))
    return found


def _compare(edit: FileEdit, modules: Modules) -> list[Violation]:
    before = edit_files.readable_blocks(edit.path, edit.before)
    after = edit_files.readable_blocks(edit.path, edit.after)
    if before is None or after is None:
        return _compare_tokens(edit)
    old = Counter(_runners(before))
    found = []
    for (mode, local, what, body), (line, count) in _located(after).items():
        missing = count - old[(mode, local, what, body)]
        if missing <= 0:
            continue
        addresses = modules.addresses(edit.path, mode, local)
        for address in addresses:
            if what == "external":
                message = f'adds or changes data "external" {address}, which runs a program'
            else:
                message = f'adds or changes provisioner "{what}" on {address}'
            found.append(Violation(RULE, address, f"{edit.path}:{line}: {message}; {_WHY}"))
    return found


def _runners(parsed: tuple[RawBlock, ...]) -> Iterator[tuple[str, str, str, str]]:
    """``(mode, type.name, provisioner type or "external", body as JSON)`` for each way to run code."""
    for mode, local, block in edit_files.resources(parsed):
        if mode == "data" and block.labels[0] == "external":
            yield mode, local, "external", _canonical(block.body)
        for kind, body in _provisioners(block.body):
            yield mode, local, kind, _canonical(body)


def _located(parsed: tuple[RawBlock, ...]) -> dict[tuple[str, str, str, str], tuple[int, int]]:
    """Each runner → (the line of its block, how many times it occurs)."""
    lines = {}
    for mode, local, block in edit_files.resources(parsed):
        lines[(mode, local)] = block.span.line
    counts = Counter(_runners(parsed))
    return {key: (lines[key[:2]], n) for key, n in counts.items()}


def _provisioners(body: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """HCL gives ``[{"local-exec": {...}}, ...]``; JSON syntax also allows an object, of objects or lists."""
    value = body.get("provisioner")
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, dict):
            continue
        for kind, inner in item.items():
            for one in inner if isinstance(inner, list) else [inner]:
                yield str(kind), one


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _compare_tokens(edit: FileEdit) -> list[Violation]:
    """Without a parse, which block a runner belongs to and whether it changed is unknown: any is refused."""
    found = []
    for what, pattern in _TOKENS:
        if pattern.search(edit.after):
            message = f"{edit.path} could not be parsed and its new text holds {what}; {_WHY}"
            found.append(Violation(RULE, edit.path, message))
    return found
