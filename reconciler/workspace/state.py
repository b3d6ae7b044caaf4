"""Terraform state as records: from ``terraform show -json`` (any backend) or a local v4 state file.

Both sources give the same records for the same state: addresses exactly as Terraform prints them,
attribute values as ``show -json`` renders them, and sensitive attributes as dotted paths
(``input.secret``, ``admin_ssh_key.0.public_key``; list indexes as numbers) like a drift's ``path``.

A state file stores an attribute of dynamic type (``terraform_data``'s ``input``) wrapped as
``{"value": ..., "type": ...}``, which ``show -json`` unwraps using the provider's schema. Without the
schema, the wrapper is removed for the builtin provider's dynamic attributes, and elsewhere only where its
``type`` is a complex cty type that a plain map or object attribute could not hold.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from typing import NamedTuple

from reconciler.errors import WorkspaceError
from reconciler.terraform.terraform import check_format_version
from reconciler.workspace.addresses import Key
from reconciler.workspace.addresses import format_address
from reconciler.workspace.addresses import parse_address

STATE_VERSION = 4
_BUILTIN_DYNAMIC = {
    "terraform_data": frozenset({"input", "output", "triggers_replace"}),
    "terraform_remote_state": frozenset({"config", "defaults", "outputs"}),
}
_COMPLEX_TYPES = frozenset({"list", "set", "map", "object", "tuple"})
_PROVIDER = re.compile(r'provider\["([^"]+)"\]')


class StateResource(NamedTuple):
    """One resource instance in state."""

    address: str  # azurerm_x.y[0], module.net["a"].azurerm_subnet.this: exactly as Terraform prints it
    mode: str  # "managed" or "data"
    type: str
    name: str
    module: str  # module.net["a"], or "" at the root
    index_key: Key | None  # count index or for_each key
    provider: str  # source address: registry.terraform.io/hashicorp/azurerm
    values: dict[str, Any]
    sensitive_paths: tuple[str, ...]
    schema_version: int

    @property
    def config_address(self) -> str:
        """The address of the configuration block (no instance keys)."""
        return parse_address(self.address).config_address

    def is_sensitive(self, path: str) -> bool:
        """Whether the dotted attribute ``path`` is, or is inside, a sensitive attribute."""
        return any(path == p or path.startswith(p + ".") for p in self.sensitive_paths)


class StateSnapshot(NamedTuple):
    serial: int | None  # None from ``show -json``, which does not say
    lineage: str | None
    terraform_version: str
    resources: tuple[StateResource, ...]

    def by_address(self) -> dict[str, StateResource]:
        return {r.address: r for r in self.resources}

    @property
    def managed(self) -> tuple[StateResource, ...]:
        return tuple(r for r in self.resources if r.mode == "managed")


def state_from_show_json(doc: Mapping[str, Any]) -> StateSnapshot:
    """The state in a ``terraform show -json`` document (no ``values`` at all when there is no state)."""
    check_format_version(doc, "terraform show -json")
    values = doc.get("values") or {}
    resources = tuple(_show_resources(values.get("root_module") or {}, ""))
    return StateSnapshot(None, None, str(doc.get("terraform_version", "")), resources)


def _show_resources(module: Mapping[str, Any], module_address: str) -> Iterator[StateResource]:
    for r in module.get("resources") or ():
        if r.get("deposed_key"):
            continue  # an object being replaced; the current one is listed too
        yield StateResource(
            address=r["address"],
            mode=r["mode"],
            type=r["type"],
            name=r["name"],
            module=module_address,
            index_key=r.get("index"),
            provider=r.get("provider_name", ""),
            values=r.get("values") or {},
            sensitive_paths=tuple(sorted(set(_marked_paths(r.get("sensitive_values") or {}, "")))),
            schema_version=int(r.get("schema_version", 0)),
        )
    for child in module.get("child_modules") or ():
        yield from _show_resources(child, child["address"])


def _marked_paths(marks: Any, prefix: str) -> Iterator[str]:
    """``sensitive_values`` mirrors ``values`` with ``true`` where sensitive: the paths of the trues."""
    if marks is True:
        yield prefix
    elif isinstance(marks, dict):
        for k, v in marks.items():
            yield from _marked_paths(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(marks, list):
        for i, v in enumerate(marks):
            yield from _marked_paths(v, f"{prefix}.{i}" if prefix else str(i))


def read_state_file(path: Path) -> StateSnapshot:
    """A local state file (format version 4). Bad files raise a one-line :class:`WorkspaceError`."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise WorkspaceError.at(path, None, "no such state file") from e
    except OSError as e:
        raise WorkspaceError.at(path, None, f"cannot read: {e.strerror or e}") from e
    if not data.strip():
        raise WorkspaceError.at(path, None, "empty file, not a Terraform state")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise WorkspaceError.at(path, None, "not a Terraform state file (not JSON text)") from e
    if text.lstrip()[:1] not in ("{", "["):
        raise WorkspaceError.at(path, None, "not a Terraform state file (not JSON)")
    with _gc_paused():
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            # The decoder reaches the end of the text, or runs out looking for a string's closing quote.
            if e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string"):
                raise WorkspaceError.at(path, e.lineno, "truncated state file (JSON ends early)") from e
            raise WorkspaceError.at(path, e.lineno, f"corrupt state file: {e.msg}") from e
        return state_from_document(doc, str(path))


@contextmanager
def _gc_paused() -> Iterator[None]:
    # A large state is millions of new, acyclic objects; the cyclic collector would walk them again and
    # again while they are built (half the reading time of a 10,000-resource state).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def state_from_document(doc: Any, where: str) -> StateSnapshot:
    """A parsed v4 state document (a state file, or ``terraform state pull`` output); ``where`` names it."""
    if not isinstance(doc, dict) or "version" not in doc:
        raise WorkspaceError(f'{where}: not a Terraform state file (no "version")')
    version = doc["version"]
    if version != STATE_VERSION:
        raise WorkspaceError(f"{where}: state version {version} is not supported (need {STATE_VERSION})")
    entries = doc.get("resources")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise WorkspaceError(f'{where}: corrupt state: "resources" is not a list')
    resources: list[StateResource] = []
    for i, entry in enumerate(entries):
        try:
            resources += _file_resources(entry)
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise WorkspaceError(f"{where}: corrupt state: resources[{i}] is malformed ({_gist(e)})") from e
    serial = doc.get("serial")
    lineage = doc.get("lineage")
    if not isinstance(lineage, str) or not lineage.strip():
        # Terraform gives every state a lineage when it creates it; the store tells workspaces' states
        # apart by it, so a state without one cannot be told from a foreign one.
        raise WorkspaceError(f'{where}: not a state Terraform wrote (no "lineage")')
    return StateSnapshot(
        serial=serial if isinstance(serial, int) else None,
        lineage=lineage,
        terraform_version=str(doc.get("terraform_version", "")),
        resources=tuple(resources),
    )


def _gist(e: Exception) -> str:
    return f"missing {e}" if isinstance(e, KeyError) else str(e) or type(e).__name__


def _file_resources(entry: dict[str, Any]) -> list[StateResource]:
    mode, type_, name = entry["mode"], entry["type"], entry["name"]
    module = entry.get("module") or ""
    found = _PROVIDER.search(entry.get("provider") or "")
    provider = found.group(1) if found else ""
    dynamic = _BUILTIN_DYNAMIC.get(type_, frozenset())
    out = []
    for instance in entry["instances"]:
        if instance.get("deposed"):
            continue
        attributes = instance["attributes"]
        if not isinstance(attributes, dict):
            raise ValueError("attributes is not an object")
        key = instance.get("index_key")
        out.append(
            StateResource(
                address=format_address(module, mode, type_, name, key),
                mode=mode,
                type=type_,
                name=name,
                module=module,
                index_key=key,
                provider=provider,
                values=_unwrap_attributes(attributes, dynamic),
                sensitive_paths=tuple(
                    sorted({_step_path(p) for p in instance.get("sensitive_attributes") or ()})
                ),
                schema_version=int(instance.get("schema_version", 0)),
            )
        )
    return out


def _unwrap_attributes(attributes: dict[str, Any], dynamic: frozenset[str]) -> dict[str, Any]:
    if not dynamic and not any(type(v) is dict and len(v) == 2 for v in attributes.values()):
        return attributes  # the common case, and state files can be large
    return {k: _unwrap_dynamic(v, k in dynamic) for k, v in attributes.items()}


def _unwrap_dynamic(value: Any, known_dynamic: bool) -> Any:
    if not (isinstance(value, dict) and len(value) == 2 and "value" in value and "type" in value):
        return value
    type_ = value["type"]
    if known_dynamic and _is_type(type_):
        return value["value"]
    if isinstance(type_, list) and type_ and type_[0] in _COMPLEX_TYPES and _is_type(type_):
        return value["value"]
    return value


def _is_type(t: Any) -> bool:
    """Whether ``t`` is a cty type in its JSON form (``"string"``, ``["list", "number"]``, ...)."""
    if isinstance(t, str):
        return t in ("string", "number", "bool", "dynamic")
    if not isinstance(t, list) or len(t) < 2:
        return False
    kind, inner = t[0], t[1]
    if kind in ("list", "set", "map"):
        return len(t) == 2 and _is_type(inner)
    if kind == "tuple":
        return len(t) == 2 and isinstance(inner, list) and all(_is_type(x) for x in inner)
    if kind == "object":
        return isinstance(inner, dict) and all(_is_type(x) for x in inner.values())
    return False


def _step_path(steps: Any) -> str:
    """A cty path in state's JSON form (``[{"type": "get_attr", "value": "a"}, {"type": "index", ...}]``)."""
    parts = []
    for step in steps:
        value = step["value"]
        if step["type"] == "index" and isinstance(value, dict):
            value = value.get("value")
            if isinstance(value, float) and value.is_integer():
                value = int(value)
        parts.append(str(value))
    return ".".join(parts)
