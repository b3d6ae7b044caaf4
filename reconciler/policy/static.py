"""Static guardrails: what a proposal's edits may change, judged from their text before Terraform runs.

``terraform validate`` and ``plan`` evaluate the configuration with the privileges of this process: a
data source fetches URLs (``http``, ``terraform_remote_state`` with an http backend), ``file()`` reads
``/proc/self/environ``, a provider, backend or module block sends Terraform elsewhere. So an edit from
an untrusted source (an LLM answer, a rule fed with cloud values) is refused on its text first. Blocks
are compared between the texts the proposal found and the texts it leaves; what is unchanged is the
configuration in git, trusted, and never judged.

==================  ==================================================================================
rule                refuses, in a block the edit adds or changes
==================  ==================================================================================
static.files        a file that is not Terraform configuration or variables, or that cannot be read
static.data_source  a data source that is not one of :data:`ALLOWED_DATA_SOURCES` (azurerm reads)
static.function     a call of a function that reads files or the environment or unmasks secrets
static.provider     a ``provider`` block
static.terraform    a ``terraform`` block: backend, cloud, required providers
static.module       a ``module`` block added, or its source, version or providers changed
static.check        a ``check`` block (its scoped data sources run during plan)
static.ephemeral    an ``ephemeral`` block
static.provisioner  a ``provisioner`` or ``connection`` block in a resource
static.locality     anything the strategy does not need: codify changes only the drifted resource's
                    block and the variables, locals, tfvars entries and module arguments it reads;
                    import adds only ``import`` blocks and the imported resource; accept only replaces
                    the resource's block by ``removed {}``; revert changes nothing
==================  ==================================================================================

Each violation's message starts with the file and line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any
from typing import NamedTuple

from reconciler.errors import WorkspaceError
from reconciler.policy import edits as edit_files
from reconciler.policy import expressions
from reconciler.policy.scope import Scope
from reconciler.workspace.addresses import parse_address
from reconciler.workspace.hclfile import parse_hcl
from reconciler.workspace.jsonfile import parse_json_tfvars
from reconciler.workspace.syntax import RawBlock
from state.proposal import FileEdit
from state.proposal import Violation

#: Data sources a proposal may add: reads of the cloud it manages, nothing that fetches or reads files.
ALLOWED_DATA_SOURCES = frozenset(
    {
        "azurerm_client_config",
        "azurerm_subscription",
        "azurerm_resource_group",
        "azurerm_virtual_network",
        "azurerm_subnet",
        "azurerm_network_security_group",
        "azurerm_public_ip",
        "azurerm_network_interface",
        "azurerm_lb",
        "azurerm_lb_backend_address_pool",
        "azurerm_managed_disk",
        "azurerm_virtual_machine",
    }
)
_CONFIG = (".tf", ".tf.json")
_VARIABLES = (".tfvars", ".tfvars.json")
_BY_KIND = {
    "provider": "static.provider",
    "terraform": "static.terraform",
    "check": "static.check",
    "ephemeral": "static.ephemeral",
}
LOCALITY = "static.locality"
_FUNCTIONS = (
    "a proposal may not call functions that read files or the environment, run provider code or unmask "
    "sensitive values"
)


def check(edits: Sequence[FileEdit], scope: Scope) -> list[Violation]:
    """Every violation of the edits, in file order."""
    found: list[Violation] = []
    if scope.strategy == "revert" and edits:
        files = ", ".join(e.path for e in edits)
        return [Violation(LOCALITY, files, f"{files}: a revert changes no code")]
    for edit in edits:
        if edit.before == edit.after:
            continue
        if edit.path.endswith(_VARIABLES):
            found += _variables(edit, scope)
        elif edit.path.endswith(_CONFIG):
            found += _configuration(edit, scope)
        else:
            message = f"{edit.path}: not Terraform configuration or variables; a proposal edits only those"
            found.append(Violation("static.files", edit.path, message))
    return found


# -- configuration files ----------------------------------------------------------------------------


class _Change(NamedTuple):
    before: RawBlock | None  # None: added
    after: RawBlock | None  # None: removed


def _configuration(edit: FileEdit, scope: Scope) -> list[Violation]:
    try:
        before, after = _blocks(edit.path, edit.before), _blocks(edit.path, edit.after)
    except WorkspaceError as e:
        return [Violation("static.files", edit.path, f"{e.message}; an unreadable edit is refused")]
    found = _json_extras(edit) if edit.path.endswith(".json") else []
    for change in _changes(before, after):
        found += _judge(edit.path, edit.after, change, scope)
    found += _locals(edit.path, before, after, scope)
    return found


def _blocks(path: str, text: str) -> tuple[RawBlock, ...]:
    if path.endswith(".json"):
        return edit_files.blocks(path, text)
    return parse_hcl(text, path).blocks if text.strip() else ()


def _changes(before: Iterable[RawBlock], after: Iterable[RawBlock]) -> Iterator[_Change]:
    """Blocks added, removed or changed; a changed block is paired with its old self by kind and labels."""
    old = [b for b in before if b.kind != "locals"]
    new = [b for b in after if b.kind != "locals"]
    for b in list(new):
        twin = next((o for o in old if _same(o, b)), None)
        if twin is not None:
            old.remove(twin)
            new.remove(b)
    for b in new:
        previous = next((o for o in old if (o.kind, o.labels) == (b.kind, b.labels)), None)
        if previous is not None:
            old.remove(previous)
        yield _Change(previous, b)
    for o in old:
        yield _Change(o, None)


def _same(a: RawBlock, b: RawBlock) -> bool:
    return (a.kind, a.labels) == (b.kind, b.labels) and _canonical(a.body) == _canonical(b.body)


def _judge(path: str, text: str, change: _Change, scope: Scope) -> list[Violation]:
    block = change.after or change.before
    assert block is not None
    where = f"{path}:{_line(change)}"
    what = _describe(block)
    verb = "removes" if change.after is None else "adds" if change.before is None else "changes"
    if change.after is None:
        if scope.strategy == "accept" and _is_target(block, scope, path):
            return []
        gone = _BY_KIND.get(block.kind, "static.module" if block.kind == "module" else LOCALITY)
        why = scope.outside() if gone == LOCALITY else _why(block.kind)
        return [Violation(gone, _address(block), f"{where}: {verb} {what}; {why}")]
    found = list(_functions(path, change))
    rule = _BY_KIND.get(block.kind)
    if rule is not None:
        found.append(Violation(rule, _address(block), f"{where}: {verb} {what}; {_why(block.kind)}"))
        return found
    if block.kind == "data" and block.labels[0] not in ALLOWED_DATA_SOURCES:
        why = "a proposal may add only reads of the azurerm resources it manages"
        found.append(Violation("static.data_source", _address(block), f"{where}: {verb} {what}; {why}"))
        return found
    if block.kind == "module" and _module_moves(change):
        found.append(Violation("static.module", _address(block), f"{where}: {verb} {what}; {_why('module')}"))
        return found
    if block.kind in ("resource", "data"):
        found += _provisioners(path, text, change)
    if not _in_scope(path, change, scope):
        found.append(Violation(LOCALITY, _address(block), f"{where}: {verb} {what}; {scope.outside()}"))
    return found


def _line(change: _Change) -> int:
    """Where to look: a changed block's first changed argument, else the block's first line."""
    block = change.after or change.before
    assert block is not None
    if change.before is None or change.after is None:
        return block.span.line
    old, new = change.before.body, change.after.body
    changed = [a for a in new if _canonical(old.get(a)) != _canonical(new[a]) and a in change.after.arguments]
    lines = [change.after.arguments[a].line for a in changed]
    return min(lines, default=block.span.line)


def _in_scope(path: str, change: _Change, scope: Scope) -> bool:
    block = change.after
    assert block is not None
    if block.kind == "data" and change.before is None:
        return scope.strategy != "revert"  # an allowlisted read the new code may reference
    if scope.strategy == "codify":
        kind = {"resource": "managed"}.get(block.kind, block.kind)
        name = ".".join(block.labels)
        return scope.allows(path, kind, name)
    if scope.strategy == "import":
        if block.kind == "import":
            return _reference(block.body.get("to")) == scope.address
        return block.kind == "resource" and change.before is None and _is_target(block, scope, path)
    if scope.strategy == "accept" and scope.address:
        # Written where the block was: in a module's file, ``from`` is relative to that module.
        target = parse_address(scope.address).config_address
        names = {target, ".".join(target.rsplit(".", 2)[-2:])}
        return block.kind == "removed" and _reference(block.body.get("from")) in names
    return False


def _is_target(block: RawBlock, scope: Scope, path: str) -> bool:
    """The strategy's own resource block: the imported one, or the deleted one being accepted."""
    if block.kind != "resource" or not scope.address:
        return False
    local = ".".join(block.labels)
    if scope.strategy == "import":
        return local == parse_address(scope.address).config_address
    return scope.allows(path, "managed", local)


def _module_moves(change: _Change) -> bool:
    if change.before is None:
        return True
    assert change.after is not None
    keys = ("source", "version", "providers")
    return any(change.before.body.get(k) != change.after.body.get(k) for k in keys)


def _functions(path: str, change: _Change) -> Iterator[Violation]:
    assert change.after is not None
    for argument, call in _new_calls(change.before.body if change.before else {}, change.after.body):
        span = change.after.arguments.get(argument)
        line = span.line if span else change.after.span.line
        message = f"{path}:{line}: calls {call}() in {_describe(change.after)}; {_FUNCTIONS}"
        yield Violation("static.function", _address(change.after), message)


def _new_calls(before: dict[str, Any], after: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(argument, function name)`` of each denied call in ``after`` that ``before`` does not make."""
    known = [call for _, call in _located_calls(before)]
    for argument, call in _located_calls(after):
        if call in known:
            known.remove(call)  # the user's own call, still there
        else:
            yield argument, call.split("(", 1)[0]


def _located_calls(body: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for argument, value in body.items():
        for text in expressions.strings({argument: value}):
            for call in expressions.denied_calls(text):
                yield argument, call


def _provisioners(path: str, text: str, change: _Change) -> Iterator[Violation]:
    assert change.after is not None
    old = _nested(change.before.body) if change.before is not None else []
    seen: dict[str, int] = {}
    for kind, item in _nested(change.after.body):
        seen[kind] = seen.get(kind, 0) + 1
        if (kind, item) in old:
            old.remove((kind, item))
            continue
        line = _nested_line(text, change.after, kind, seen[kind])
        message = (
            f"{path}:{line}: adds or changes a {kind} in {_describe(change.after)}; a proposal never "
            "adds a way to run commands"
        )
        yield Violation("static.provisioner", _address(change.after), message)


def _nested_line(text: str, block: RawBlock, kind: str, nth: int) -> int:
    """The line of the ``nth`` nested ``kind`` block inside ``block`` (HCL or JSON), else its first line."""
    lines = text.splitlines()[block.span.line - 1 : block.span.end_line]
    hits = [
        block.span.line + i
        for i, line in enumerate(lines)
        if line.strip().startswith(kind) or line.strip().startswith(f'"{kind}"')
    ]
    return hits[nth - 1] if len(hits) >= nth else block.span.line


def _nested(body: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for kind in ("provisioner", "connection"):
        value = body.get(kind)
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            out.append((kind, _canonical(item)))
    return out


def _locals(
    path: str, before: Sequence[RawBlock], after: Sequence[RawBlock], scope: Scope
) -> list[Violation]:
    old, new = _local_values(before), _local_values(after)
    found = []
    for name in sorted(set(old) | set(new)):
        was, now = old.get(name), new.get(name)
        if was is not None and now is not None and _canonical(was[0]) == _canonical(now[0]):
            continue
        line = (now or was or (None, 1))[1]
        if now is not None:
            known = [
                call
                for text in expressions.strings(was[0] if was else None)
                for call in expressions.denied_calls(text)
            ]
            for text in expressions.strings(now[0]):
                for call in expressions.denied_calls(text):
                    if call in known:
                        known.remove(call)
                        continue
                    message = f"{path}:{line}: calls {call.split('(', 1)[0]}() in local {name}; {_FUNCTIONS}"
                    found.append(Violation("static.function", f"local.{name}", message))
        if scope.strategy == "codify" and scope.allows(path, "local", name):
            continue
        verb = "removes" if now is None else "adds" if was is None else "changes"
        message = f"{path}:{line}: {verb} local {name}; {scope.outside()}"
        found.append(Violation(LOCALITY, f"local.{name}", message))
    return found


def _local_values(blocks: Sequence[RawBlock]) -> dict[str, tuple[Any, int]]:
    """Each local's value and line, across the file's ``locals`` blocks."""
    out = {}
    for b in blocks:
        if b.kind == "locals":
            for name, value in b.body.items():
                span = b.arguments.get(name)
                out[name] = (value, span.line if span else b.span.line)
    return out


def _json_extras(edit: FileEdit) -> list[Violation]:
    """Top-level kinds the JSON reader does not turn into blocks (terraform, check, import, ...)."""
    covered = {"resource", "data", "module", "variable", "output", "provider", "locals", "//"}
    try:
        old = json.loads(edit.before) if edit.before.strip() else {}
        new = json.loads(edit.after) if edit.after.strip() else {}
    except ValueError:
        return [Violation("static.files", edit.path, f"{edit.path}: not JSON; an unreadable edit is refused")]
    found = []
    for kind in sorted((set(old) | set(new)) - covered):
        if _canonical(old.get(kind)) != _canonical(new.get(kind)):
            rule = _BY_KIND.get(kind, LOCALITY)
            message = f"{edit.path}:1: adds or changes {kind} blocks; {_why(kind)}"
            found.append(Violation(rule, edit.path, message))
    return found


# -- variables files --------------------------------------------------------------------------------


def _variables(edit: FileEdit, scope: Scope) -> list[Violation]:
    try:
        old, new = _entries(edit.path, edit.before), _entries(edit.path, edit.after)
    except WorkspaceError as e:
        return [Violation("static.files", edit.path, f"{e.message}; an unreadable edit is refused")]
    found = []
    for name in sorted(set(old) | set(new)):
        if old.get(name, (None,))[0] == new.get(name, (None,))[0]:
            continue
        if scope.strategy == "codify" and scope.allows(edit.path, "tfvars", name):
            continue
        line = (new.get(name) or old[name])[1]
        verb = "removes" if name not in new else "adds" if name not in old else "changes"
        message = f"{edit.path}:{line}: {verb} the value of {name}; {scope.outside()}"
        found.append(Violation(LOCALITY, f"var.{name}", message))
    return found


def _entries(path: str, text: str) -> dict[str, tuple[str, int]]:
    if not text.strip():
        return {}
    parsed = parse_json_tfvars(text, path) if path.endswith(".json") else parse_hcl(text, path)
    return {a.name: (_canonical(a.value), a.span.line) for a in parsed.attributes}


# -- words --------------------------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _reference(value: Any) -> str:
    text = str(value or "").strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    return text


def _address(block: RawBlock) -> str:
    if block.kind == "resource":
        return ".".join(block.labels)
    if block.kind in ("data", "module", "ephemeral"):
        return ".".join((block.kind, *block.labels))
    return ".".join((block.kind, *block.labels)) if block.labels else block.kind


def _describe(block: RawBlock) -> str:
    return " ".join((block.kind, *(f'"{label}"' for label in block.labels)))


def _why(kind: str) -> str:
    return {
        "provider": "a provider block decides where Terraform connects and with which credentials",
        "terraform": "the terraform block decides the backend, the state and the providers installed",
        "check": "a check block's data sources run during plan",
        "ephemeral": "an ephemeral block runs during plan",
        "module": "a module's source, version and providers decide what code Terraform downloads and runs",
    }.get(kind, "a proposal changes only what its strategy needs")
