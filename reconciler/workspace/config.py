"""Configuration records with source spans, as :func:`~reconciler.workspace.load_config` loads it.

Every record names the file (relative to the workspace root, POSIX) and the lines it was written on, so a
report can point at it (SARIF, Markdown) and a proposal can edit the source text in place. Bodies are
plain Python as :mod:`~reconciler.workspace.syntax` describes: ``"${var.location}"`` is an expression,
``"westeurope"`` a literal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import Literal
from typing import NamedTuple

from reconciler.workspace.addresses import parse_address
from reconciler.workspace.syntax import Span
from reconciler.workspace.syntax import unwrap

IgnoreChanges = tuple[str, ...] | Literal["all"]
# Arguments Terraform itself interprets in resource and data blocks; no provider attribute has these names.
META_ARGUMENTS = frozenset(
    {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}
)


class ConfigBlock(NamedTuple):
    """A ``resource`` or ``data`` block."""

    address: str  # module.net.azurerm_subnet.this: Terraform's spelling, without instance keys
    mode: str  # "managed" or "data"
    type: str
    name: str
    module_path: tuple[str, ...]  # ("net",) for module.net; () at the root
    file: str
    line: int
    end_line: int
    body: dict[str, Any]
    ignore_changes: IgnoreChanges  # attribute paths (tags.env) or "all"
    has_count: bool
    has_for_each: bool
    arguments: dict[str, Span]  # the lines of each top-level argument, for edits in place
    construct_path: str | None = None  # CDK: the construct that synthesized the block

    @property
    def configured(self) -> frozenset[str]:
        """The arguments and nested blocks the block sets, ``dynamic`` blocks by their label."""
        names = set(self.body) - META_ARGUMENTS - {"dynamic"}
        for item in _as_list(self.body.get("dynamic")):
            if isinstance(item, dict):
                names.update(item)
        return frozenset(names)


class Variable(NamedTuple):
    name: str
    module_path: tuple[str, ...]
    default: Any  # None when there is no default (see has_default)
    has_default: bool
    type: str | None  # the type constraint's source text: "string", "list(string)"
    sensitive: bool
    file: str
    line: int
    end_line: int
    default_span: Span | None  # where ``default = ...`` is written


class Local(NamedTuple):
    name: str
    module_path: tuple[str, ...]
    value: Any
    file: str
    line: int
    end_line: int


class TfvarsEntry(NamedTuple):
    """One value from ``terraform.tfvars``, ``*.auto.tfvars`` or their ``.json`` forms."""

    name: str
    value: Any
    file: str
    line: int
    end_line: int


class ModuleCall(NamedTuple):
    name: str
    module_path: tuple[str, ...]  # of the module that holds the call
    source: str
    directory: str | None  # where its files were loaded from (relative to the root); None if not loaded
    file: str
    line: int
    end_line: int
    has_count: bool
    has_for_each: bool
    body: dict[str, Any]

    @property
    def address(self) -> str:
        return ".".join(f"module.{m}" for m in (*self.module_path, self.name))


@dataclass(frozen=True)
class Configuration:
    """Everything loaded from a workspace, its local modules included.

    ``workdir`` is where Terraform runs: the root itself, or the stack directory of a CDK project.
    ``tfvars`` are in Terraform's order of precedence: a later entry for a name wins. ``warnings`` say
    what was not loaded (a registry or git module that ``terraform init`` has not installed).
    """

    root: Path
    workdir: Path
    blocks: tuple[ConfigBlock, ...]
    variables: tuple[Variable, ...] = ()
    locals: tuple[Local, ...] = ()
    tfvars: tuple[TfvarsEntry, ...] = ()
    modules: tuple[ModuleCall, ...] = ()
    files: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    stack: str | None = None  # the CDK stack, for a CDK project
    _index: dict[str, ConfigBlock] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {b.address: b for b in self.blocks})

    def block_for(self, address: str) -> ConfigBlock | None:
        """The block behind a state address: ``module.m[1].azurerm_x.y["k"]`` → ``module.m.azurerm_x.y``."""
        found = self._index.get(address)
        if found is not None:
            return found
        try:
            parsed = parse_address(address)
        except ValueError:
            return None
        return self._index.get(parsed.config_address)

    def variable(self, name: str, module_path: tuple[str, ...] = ()) -> Variable | None:
        return next((v for v in self.variables if v.name == name and v.module_path == module_path), None)

    def tfvar(self, name: str) -> TfvarsEntry | None:
        """The entry that sets root variable ``name`` (the last one Terraform reads), if any."""
        return next((e for e in reversed(self.tfvars) if e.name == name), None)


_STEP = re.compile(r'\.([A-Za-z_][\w-]*)|\[\s*([0-9]+)\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]')
_ROOT = re.compile(r"[A-Za-z_][\w-]*")


def attribute_path(expression: str) -> str:
    """``tags["env"]`` → ``tags.env``; ``os_disk[0].caching`` → ``os_disk.0.caching``; others unchanged."""
    text = expression.strip()
    head = _ROOT.match(text)
    if head is None:
        return text
    parts = [head.group()]
    pos = head.end()
    while pos < len(text):
        step = _STEP.match(text, pos)
        if step is None:
            return text
        name, index, key = step.groups()
        parts.append(name if name is not None else index if index is not None else _unquote(key))
        pos = step.end()
    return ".".join(parts)


def _unquote(key: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), key)


def _as_list(value: Any) -> list[Any]:
    """A nested block's value: a list of blocks in HCL, an object or a list in JSON."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def lifecycle(body: dict[str, Any]) -> dict[str, Any]:
    """The ``lifecycle`` block's arguments: a list of blocks in HCL, an object or a list in JSON."""
    value = body.get("lifecycle")
    merged: dict[str, Any] = {}
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            merged.update(item)
    return merged


def ignore_changes(body: dict[str, Any]) -> IgnoreChanges:
    value = lifecycle(body).get("ignore_changes")
    if value is None:
        return ()
    paths: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        expr = unwrap(item)
        if not isinstance(expr, str):
            continue
        # "*" is Terraform 0.11's spelling of all.
        if expr.strip() in ("all", "*"):
            return "all"
        paths.append(attribute_path(expr))
    return tuple(paths)
