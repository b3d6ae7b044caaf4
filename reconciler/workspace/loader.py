"""Loading a workspace's configuration: its files, its local modules, its variable files, CDK output.

Terraform's rules, kept here: a module is the ``.tf`` and ``.tf.json`` files of one directory (not its
subdirectories; names starting with ``.``, ending in ``~`` or wrapped in ``#`` are ignored);
``override.tf`` and ``*_override.tf`` (and their JSON forms) are read last and merged into what they
override; a module source is local only when it starts with ``./`` or ``../``, and a module ``terraform
init`` installed is found through ``.terraform/modules/modules.json``; variable files are read in the
order ``terraform.tfvars``, ``terraform.tfvars.json``, then ``*.auto.tfvars(.json)`` by name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reconciler.errors import WorkspaceError
from reconciler.workspace.addresses import config_address
from reconciler.workspace.config import ConfigBlock
from reconciler.workspace.config import Configuration
from reconciler.workspace.config import Local
from reconciler.workspace.config import ModuleCall
from reconciler.workspace.config import TfvarsEntry
from reconciler.workspace.config import Variable
from reconciler.workspace.config import ignore_changes
from reconciler.workspace.hclfile import parse_hcl
from reconciler.workspace.jsonfile import parse_json_config
from reconciler.workspace.jsonfile import parse_json_tfvars
from reconciler.workspace.syntax import ParsedFile
from reconciler.workspace.syntax import RawBlock
from reconciler.workspace.syntax import read_text
from reconciler.workspace.syntax import unwrap

CDK_OUT = "cdktf.out"
CDK_FILE = "cdk.tf.json"
_LOCAL_PREFIXES = ("./", "../", ".\\", "..\\")
_MAX_DEPTH = 32


def load_config(root: Path, stack: str | None = None) -> Configuration:
    """Load the configuration of the Terraform root ``root`` (or of CDK stack ``stack`` under it).

    A directory without ``.tf`` / ``.tf.json`` files but with ``cdktf.out/stacks/*/cdk.tf.json`` is a CDK
    project: its one stack is loaded, or ``stack`` when there are several. Raises
    :class:`~reconciler.errors.WorkspaceError` naming the file and line of anything unreadable.
    """
    workdir, stack = working_directory(root, stack)
    loader = _Loader(root, workdir)
    loader.load_module(workdir, (), (workdir.resolve(),))
    tfvars = loader.load_tfvars(workdir)
    return Configuration(
        root=root,
        workdir=workdir,
        blocks=tuple(loader.blocks.values()),
        variables=tuple(loader.variables.values()),
        locals=tuple(loader.locals.values()),
        tfvars=tfvars,
        modules=tuple(loader.modules),
        files=tuple(loader.files),
        warnings=tuple(loader.warnings),
        stack=stack,
    )


def working_directory(root: Path, stack: str | None = None) -> tuple[Path, str | None]:
    """Where Terraform runs for ``root``: the root itself, or the CDK stack's directory (and its name)."""
    if not root.is_dir():
        raise WorkspaceError(f"{root}: not a directory")
    if stack is not None or not config_files(root):
        return _cdk_stack(root, stack)
    return root, stack


def config_files(directory: Path) -> list[Path]:
    """The configuration files of one module directory, overrides last (Terraform's order)."""
    found = [
        p
        for p in directory.iterdir()
        if (p.name.endswith(".tf") or p.name.endswith(".tf.json")) and not _ignored(p.name) and p.is_file()
    ]
    return sorted(found, key=lambda p: (_is_override(p.name), p.name))


def _ignored(name: str) -> bool:
    return name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#"))


def _is_override(name: str) -> bool:
    stem = name.removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def _cdk_stack(root: Path, stack: str | None) -> tuple[Path, str]:
    stacks = root / CDK_OUT / "stacks"
    names = sorted(p.parent.name for p in stacks.glob(f"*/{CDK_FILE}")) if stacks.is_dir() else []
    if not names:
        if stack is not None:
            raise WorkspaceError(f"{root}: no CDK stacks ({CDK_OUT}/stacks/*/{CDK_FILE}) found")
        raise WorkspaceError(f"{root}: no Terraform configuration (*.tf, *.tf.json or {CDK_OUT}) found")
    if stack is None:
        if len(names) > 1:
            raise WorkspaceError(
                f"{root}: {CDK_OUT} holds {len(names)} stacks ({', '.join(names)}); choose one"
            )
        stack = names[0]
    elif stack not in names:
        raise WorkspaceError(f'{root}: no CDK stack "{stack}" in {CDK_OUT} (stacks: {", ".join(names)})')
    return stacks / stack, stack


class _Loader:
    def __init__(self, root: Path, workdir: Path) -> None:
        self.root = root
        self.blocks: dict[str, ConfigBlock] = {}
        self.variables: dict[tuple[tuple[str, ...], str], Variable] = {}
        self.locals: dict[tuple[tuple[str, ...], str], Local] = {}
        self.modules: list[ModuleCall] = []
        self.files: list[str] = []
        self.warnings: list[str] = []
        self.installed = _installed_modules(workdir)

    def shown(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.root)).as_posix()

    def parse(self, path: Path) -> ParsedFile:
        shown = self.shown(path)
        text = read_text(path, shown)
        if shown not in self.files:
            self.files.append(shown)
        if path.name.endswith(".json"):
            return parse_json_config(text, shown)
        return parse_hcl(text, shown)

    def load_module(self, directory: Path, module_path: tuple[str, ...], chain: tuple[Path, ...]) -> None:
        calls: dict[str, tuple[ModuleCall, RawBlock]] = {}
        for path in config_files(directory):
            parsed = self.parse(path)
            override = _is_override(path.name)
            for raw in parsed.blocks:
                if raw.kind in ("resource", "data"):
                    self.add_block(raw, parsed.path, module_path, override)
                elif raw.kind == "variable":
                    self.add_variable(raw, parsed.path, module_path, override)
                elif raw.kind == "locals":
                    self.add_locals(raw, parsed.path, module_path, override)
                elif raw.kind == "module":
                    self.add_call(raw, parsed.path, module_path, override, calls)
        for call, raw in calls.values():
            self.load_call(call, raw, directory, chain)

    def add_block(self, raw: RawBlock, file: str, module_path: tuple[str, ...], override: bool) -> None:
        type_, name = _labels(raw, file, ("a type", "a name"))
        mode = "managed" if raw.kind == "resource" else "data"
        address = config_address(module_path, mode, type_, name)
        first = self.blocks.get(address)
        body, arguments = raw.body, raw.arguments
        if override:
            if first is None:
                self.warnings.append(f"{file}:{raw.span.line}: override of {address}, which is not declared")
                return
            # An override replaces the arguments it sets; the block keeps its place in the original file.
            body = {**first.body, **raw.body}
            arguments = {k: v for k, v in first.arguments.items() if k not in raw.body}
            file, span = first.file, (first.line, first.end_line)
        elif first is not None:
            raise WorkspaceError(
                f"{file}:{raw.span.line}: duplicate {raw.kind} {address} "
                f"(first declared at {first.file}:{first.line})"
            )
        else:
            span = raw.span
        self.blocks[address] = ConfigBlock(
            address=address,
            mode=mode,
            type=type_,
            name=name,
            module_path=module_path,
            file=file,
            line=span[0],
            end_line=span[1],
            body=body,
            ignore_changes=ignore_changes(body),
            has_count="count" in body,
            has_for_each="for_each" in body,
            arguments=arguments,
            construct_path=raw.construct_path if first is None else first.construct_path,
        )

    def add_variable(self, raw: RawBlock, file: str, module_path: tuple[str, ...], override: bool) -> None:
        (name,) = _labels(raw, file, ("a name",))
        key = (module_path, name)
        first = self.variables.get(key)
        body, line, end_line = raw.body, raw.span.line, raw.span.end_line
        if override and first is not None:
            merged = {"default": first.default} if first.has_default else {}
            if first.type is not None:
                merged["type"] = first.type
            body = {**merged, "sensitive": first.sensitive, **raw.body}
        elif first is not None:
            raise WorkspaceError(
                f'{file}:{line}: duplicate variable "{name}" (first at {first.file}:{first.line})'
            )
        type_ = unwrap(body.get("type"))
        self.variables[key] = Variable(
            name=name,
            module_path=module_path,
            default=body.get("default"),
            has_default="default" in body,
            type=type_ if isinstance(type_, str) else None,
            sensitive=body.get("sensitive") is True,
            file=file,
            line=line,
            end_line=end_line,
            default_span=raw.arguments.get("default"),
        )

    def add_locals(self, raw: RawBlock, file: str, module_path: tuple[str, ...], override: bool) -> None:
        for name, value in raw.body.items():
            span = raw.arguments.get(name, raw.span)
            first = self.locals.get((module_path, name))
            if first is not None and not override:
                raise WorkspaceError(
                    f'{file}:{span.line}: duplicate local "{name}" (first at {first.file}:{first.line})'
                )
            self.locals[(module_path, name)] = Local(name, module_path, value, file, span.line, span.end_line)

    def add_call(
        self,
        raw: RawBlock,
        file: str,
        module_path: tuple[str, ...],
        override: bool,
        calls: dict[str, tuple[ModuleCall, RawBlock]],
    ) -> None:
        (name,) = _labels(raw, file, ("a name",))
        first = calls.get(name)
        body = raw.body
        if override and first is not None:
            body = {**first[0].body, **raw.body}
            raw, file = first[1], first[0].file
        elif first is not None:
            raise WorkspaceError(
                f'{file}:{raw.span.line}: duplicate module "{name}" '
                f"(first at {first[0].file}:{first[0].line})"
            )
        source = body.get("source")
        if not isinstance(source, str) or not source:
            raise WorkspaceError(f'{file}:{raw.span.line}: module "{name}" has no source')
        call = ModuleCall(
            name=name,
            module_path=module_path,
            source=source,
            directory=None,
            file=file,
            line=raw.span.line,
            end_line=raw.span.end_line,
            has_count="count" in body,
            has_for_each="for_each" in body,
            body=body,
        )
        calls[name] = (call, raw)

    def load_call(self, call: ModuleCall, raw: RawBlock, parent: Path, chain: tuple[Path, ...]) -> None:
        where = f"{call.file}:{call.line}"
        path = (*call.module_path, call.name)
        if call.source.startswith(_LOCAL_PREFIXES):
            directory = parent / call.source
            if not directory.is_dir():
                raise WorkspaceError(f'{where}: module "{call.name}": source "{call.source}" does not exist')
        elif ".".join(path) in self.installed:
            directory = self.installed[".".join(path)]
        else:
            self.warnings.append(
                f'{where}: {call.address}: source "{call.source}" is not local and not installed '
                "(terraform init); its resources are not loaded"
            )
            self.modules.append(call)
            return
        resolved = directory.resolve()
        if resolved in chain or len(chain) > _MAX_DEPTH:
            raise WorkspaceError(f'{where}: module "{call.name}": source "{call.source}" includes itself')
        self.modules.append(call._replace(directory=self.shown(directory)))
        self.load_module(directory, path, (*chain, resolved))

    def load_tfvars(self, workdir: Path) -> tuple[TfvarsEntry, ...]:
        entries: list[TfvarsEntry] = []
        for path in _tfvars_files(workdir):
            shown = self.shown(path)
            text = read_text(path, shown)
            parsed = parse_json_tfvars(text, shown) if path.name.endswith(".json") else parse_hcl(text, shown)
            if parsed.blocks:
                line = parsed.blocks[0].span.line
                raise WorkspaceError(
                    f"{shown}:{line}: a variables file holds only name = value lines, not blocks"
                )
            self.files.append(shown)
            entries += [
                TfvarsEntry(a.name, a.value, shown, a.span.line, a.span.end_line) for a in parsed.attributes
            ]
        return tuple(entries)


def _labels(raw: RawBlock, file: str, wanted: tuple[str, ...]) -> tuple[str, ...]:
    if len(raw.labels) != len(wanted):
        needs = " and ".join(wanted)
        raise WorkspaceError.at(file, raw.span.line, f"a {raw.kind} block takes {needs} (as labels)")
    return raw.labels


def _tfvars_files(workdir: Path) -> Iterable[Path]:
    for name in ("terraform.tfvars", "terraform.tfvars.json"):
        if (workdir / name).is_file():
            yield workdir / name
    auto = [
        p for p in workdir.iterdir() if p.name.endswith((".auto.tfvars", ".auto.tfvars.json")) and p.is_file()
    ]
    yield from sorted(auto, key=lambda p: p.name)


def _installed_modules(workdir: Path) -> dict[str, Path]:
    """Modules ``terraform init`` installed, by key (``net``, ``net.sub``), from its manifest."""
    manifest = workdir / ".terraform" / "modules" / "modules.json"
    try:
        doc: Any = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found: dict[str, Path] = {}
    for entry in doc.get("Modules", []) if isinstance(doc, dict) else []:
        if isinstance(entry, dict) and entry.get("Key") and isinstance(entry.get("Dir"), str):
            directory = workdir / entry["Dir"]
            if directory.is_dir():
                found[entry["Key"]] = directory
    return found
