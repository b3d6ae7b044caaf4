"""Import an unmanaged resource: an ``import {}`` block and the configuration Terraform generated for it.

``terraform plan -generate-config-out`` writes every attribute it read, nulls and defaults included, and
ids as literals. What a person would keep: attributes they can set that differ from the default, and
references to resources already managed here instead of literals that equal their attributes, so
Terraform knows the order and the graph: ids (``azurerm_subnet.web.id``), names where the argument says
what it names (``resource_group_name = azurerm_resource_group.main.name``, ``virtual_network_name``), the
location of the managed resource group the resource is in (``azurerm_resource_group.main.location``), and
an endpoint that exactly one managed attribute holds (``primary_blob_endpoint``). A value two managed
resources could be meant by stays a literal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from providers.azure.mapping import MAPPINGS
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Item
from providers.azure.mapping.schema import location_key
from reconciler.propose.edits.body import writable
from reconciler.propose.edits.patch import Decline
from reconciler.propose.edits.patch import Declined
from reconciler.propose.edits.patch import Patch
from reconciler.propose.edits.text import Nested
from reconciler.propose.edits.text import ScanError
from reconciler.propose.edits.text import body_items
from reconciler.propose.edits.values import format_arguments
from reconciler.propose.edits.values import parse_literal
from reconciler.propose.edits.values import scalar
from reconciler.workspace import Configuration
from reconciler.workspace.addresses import parse_address
from reconciler.workspace.addresses import quote
from state.proposal import FileEdit
from state.report import Drift

IMPORTED_FILE = "imported.tf"
_GENERATED_FROM = re.compile(r'#\s*__generated__ by Terraform from "([^"]*)"\s*\n')
_GROUP = re.compile(r"^(/subscriptions/[^/]+/resourcegroups/[^/]+)", re.I)

#: managed resource address → its attributes in state
Managed = Mapping[str, Mapping[str, Any]]


def import_block(address: str, resource_id: str) -> str:
    """``import { to = <address> id = "<id>" }`` as Terraform writes it."""
    return f"import {{\n  to = {address}\n  id = {quote(resource_id)}\n}}\n"


def import_unmanaged(
    configuration: Configuration,
    drift: Drift,
    generated: str,
    managed: Managed,
    root: Path,
) -> list[FileEdit] | Decline:
    """``imported.tf`` (new, or appended to) with the import block and the cleaned resource block.

    ``generated`` is the text ``-generate-config-out`` wrote for an ``import {}`` of ``drift``'s
    resource; ``managed`` maps the addresses of managed resources to their attributes in state
    (sensitive ones left out).
    """
    try:
        text = cleaned(configuration, drift, generated, managed)
    except Declined as e:
        return Decline(e.reason)
    except ScanError as e:
        return Decline(f"cannot read the generated configuration ({e})")
    workdir = configuration.workdir.resolve()
    try:
        folder = workdir.relative_to(root.resolve()).as_posix()
    except ValueError:
        return Decline(f"{workdir} is not under {root}")
    path = IMPORTED_FILE if folder == "." else f"{folder}/{IMPORTED_FILE}"
    patch = Patch(root)
    patch.create(path, text)
    try:
        return patch.edits()
    except Declined as e:
        return Decline(e.reason)


def cleaned(configuration: Configuration, drift: Drift, generated: str, managed: Managed) -> str:
    """The import block and the resource block, as a user would write them."""
    if drift.kind != "unmanaged":
        raise Declined(f"only unmanaged resources are imported, not {drift.kind} ones")
    if configuration.stack is not None:
        raise Declined("a CDK stack is generated code: import in the CDK source")
    mapping = MAPPINGS.get(drift.type)
    block = _generated_block(generated, drift)
    name = resource_name(configuration, drift)
    address = f"{drift.type}.{name}"
    refs = _References(drift.resource_id, managed)
    schema: tuple[Item, ...] = mapping.schema if mapping is not None else ()
    body = _body(generated, block, schema, refs, "  ")
    return f'{import_block(address, drift.resource_id)}\nresource "{drift.type}" "{name}" {{\n{body}}}\n'


def resource_name(configuration: Configuration, drift: Drift) -> str:
    """A name for the unmanaged resource: its ARM name as an identifier, not yet used for its type."""
    type_ = drift.type
    arm_name = drift.resource_id.rstrip("/").rsplit("/", 1)[-1]
    base = re.sub(r"[^a-z0-9_]+", "_", arm_name.lower()).strip("_") or "imported"
    if base[0].isdigit():
        base = f"r_{base}"
    taken = {
        b.name for b in configuration.blocks if b.type == type_ and not b.module_path and b.mode == "managed"
    }
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def _generated_block(generated: str, drift: Drift) -> Nested:
    blocks = [
        i
        for i in body_items(generated, 0, len(generated))
        if isinstance(i, Nested) and i.type == "resource" and i.labels[:1] == (drift.type,)
    ]
    marked = {m.end(): m.group(1) for m in _GENERATED_FROM.finditer(generated)}
    for b in blocks:
        if marked.get(b.start, "").lower() == drift.resource_id.lower():
            return b
    if len(blocks) == 1:
        return blocks[0]
    raise Declined(
        f"the generated configuration holds {len(blocks)} {drift.type} blocks, none for {drift.resource_id}"
    )


class _References:
    """Literal values that equal a managed resource's attribute, and the references that replace them."""

    def __init__(self, resource_id: str, managed: Managed) -> None:
        # Only root-module resources can be referenced from the root module.
        self.values = {
            address: values
            for address, values in managed.items()
            if not address.startswith(("module.", "data."))
        }
        self.ids = {str(v["id"]).lower(): a for a, v in self.values.items() if isinstance(v.get("id"), str)}
        group = _GROUP.match(resource_id)
        self.group_id = group.group(1).lower() if group else None
        self.group = self.ids.get(self.group_id) if self.group_id else None

    def of(self, name: str, value: Any) -> str | None:
        if isinstance(value, list) and value:
            parts = [self.of("", v) or scalar(v) for v in value]
            changed = any(self.of("", v) for v in value)
            return "[" + ", ".join(parts) + "]" if changed else None
        if not isinstance(value, str) or not value:
            return None
        if value.lower().startswith("/subscriptions/"):
            address = self.ids.get(value.lower())
            return None if address is None else f"{address}.id"
        if name == "location" and self.group is not None:
            here = self.values[self.group].get("location")
            return f"{self.group}.location" if location_key(here) == location_key(value) else None
        if name.endswith("_name"):
            return self._name(name.removesuffix("_name"), value)
        if "://" in value:
            found = [(a, k) for a, v in self.values.items() for k, x in v.items() if x == value and k != "id"]
            return f"{found[0][0]}.{found[0][1]}" if len(found) == 1 else None
        return None

    def _name(self, kind: str, value: str) -> str | None:
        """The one managed ``azurerm_<kind>`` named ``value`` in the resource's group (or the group)."""
        found = [
            address
            for address, values in self.values.items()
            if parse_address(address).type == f"azurerm_{kind}"
            and str(values.get("name", "")).lower() == value.lower()
            and self._in_group(str(values.get("id", "")), kind == "resource_group")
        ]
        return f"{found[0]}.name" if len(found) == 1 else None

    def _in_group(self, resource_id: str, is_group: bool) -> bool:
        if self.group_id is None:
            return False
        if is_group:
            # Groups are named per subscription: the same subscription is what counts.
            return resource_id.lower().rsplit("/", 1)[0] == self.group_id.rsplit("/", 1)[0]
        return resource_id.lower().startswith(self.group_id + "/")


def _body(text: str, block: Nested, schema: tuple[Item, ...], refs: _References, indent: str) -> str:
    """A block body without what a user would not write; arguments the schema does not know are kept
    unless null."""
    pairs: list[tuple[str, str]] = []
    nested: list[str] = []
    for item in body_items(text, block.open + 1, block.close):
        known = next(
            (i for i in schema if i.name == (item.type if isinstance(item, Nested) else item.name)), None
        )
        if isinstance(item, Nested):
            items = known.items if isinstance(known, Block) else ()
            inner = _body(text, item, items, refs, indent + "  ")
            if inner or (isinstance(known, Block) and known.min_items):
                header = " ".join([item.type, *(quote(label) for label in item.labels)])
                nested.append(f"{indent}{header} {{\n{inner}{indent}}}\n")
            continue
        written = text[item.value_start : item.value_end]
        literal = parse_literal(written)
        if literal is not None and isinstance(known, Attr):
            if not writable(known, literal.value) and not known.required:
                continue
            written = refs.of(known.name, literal.value) or written
        elif literal is not None and literal.value is None:
            continue  # null: the same as not writing it
        pairs.append((str(item.name), written))
    blocks = "".join(("\n" if pairs or i else "") + b for i, b in enumerate(nested))
    return format_arguments(pairs, indent) + blocks
