"""Terraform values in the provider: conforming objects to a schema, schema → protobuf, attribute paths."""

from __future__ import annotations

from typing import Any

from tf.gen import tfplugin_pb2 as pb
from tf.types import Unknown

from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Item

Path = list[str | int]


def conform(items: tuple[Item, ...], value: Attrs | None) -> Attrs | None:
    """``value`` with exactly the schema's keys: missing ones null (blocks: []), extra ones dropped."""
    if value is None:
        return None
    out: Attrs = {}
    for i in items:
        v = value.get(i.name)
        if isinstance(i, Block):
            if v is Unknown:
                out[i.name] = v
            else:
                out[i.name] = [conform(i.items, e) for e in (v or [])]
        else:
            out[i.name] = v
    return out


def is_known(value: Any) -> bool:
    """Whether a value (and everything inside it) is known at plan time."""
    if value is Unknown:
        return False
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    if isinstance(value, list):
        return all(is_known(v) for v in value)
    return True


def schema_pb(items: tuple[Item, ...], version: int = 0, description: str = "") -> pb.Schema:
    return pb.Schema(version=version, block=block_pb(items, description))


def block_pb(items: tuple[Item, ...], description: str = "") -> pb.Schema.Block:
    attributes = [_attribute_pb(i) for i in items if isinstance(i, Attr)]
    blocks = [
        pb.Schema.NestedBlock(
            type_name=b.name,
            block=block_pb(b.items, b.description),
            nesting=pb.Schema.NestedBlock.NestingMode.SET
            if b.set_nested
            else pb.Schema.NestedBlock.NestingMode.LIST,
            min_items=b.min_items,
            max_items=b.max_items,
        )
        for b in items
        if isinstance(b, Block)
    ]
    return pb.Schema.Block(attributes=attributes, block_types=blocks, description=description)


def _attribute_pb(a: Attr) -> pb.Schema.Attribute:
    return pb.Schema.Attribute(
        name=a.name,
        type=a.kind.value.encode(),
        description=a.description,
        required=a.required,
        optional=a.optional,
        computed=a.computed,
        sensitive=a.sensitive,
    )


def attribute_path(path: Path) -> pb.AttributePath:
    steps = [
        pb.AttributePath.Step(element_key_int=step)
        if isinstance(step, int)
        else pb.AttributePath.Step(attribute_name=step)
        for step in path
    ]
    return pb.AttributePath(steps=steps)


def diagnostic(
    summary: str, detail: str = "", path: Path | None = None, warning: bool = False
) -> pb.Diagnostic:
    severity = pb.Diagnostic.WARNING if warning else pb.Diagnostic.ERROR
    if path:
        return pb.Diagnostic(
            severity=severity, summary=summary, detail=detail, attribute=attribute_path(path)
        )
    return pb.Diagnostic(severity=severity, summary=summary, detail=detail)
