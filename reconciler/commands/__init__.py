"""Subcommands: one module each, named in :data:`COMMANDS`.

A command module exposes ``HELP`` (one line), ``register(parser)`` to declare its arguments and
``run(args) -> int`` returning the exit code. Only the command being run is imported (``reconcile
check`` from a pre-commit hook does not pay for the PR bot's forge clients or the sandbox); ``--help``
imports them all. Commands of the entry-point layer above the CLI (``hooks/``: ``reconcile bot``) are
registered as entry points of the ``reconcile.commands`` group, since nothing here may import them.
"""

from __future__ import annotations

import argparse
import importlib
from importlib.metadata import EntryPoint
from importlib.metadata import entry_points
from typing import Protocol
from typing import cast


class Command(Protocol):
    HELP: str

    def register(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


#: command name -> its module
COMMANDS: dict[str, str] = {
    name: f"reconciler.commands.{name}"
    for name in (
        "apply", "audit", "check", "demo", "drift", "history", "lock", "propose", "rollback", "sandbox",
        "terraform", "watch",
    )
}  # fmt: skip


def names() -> list[str]:
    """Every command: ours and those registered as ``reconcile.commands`` entry points."""
    return [*COMMANDS, *(ep.name for ep in _entry_points() if ep.name not in COMMANDS)]


def load(name: str) -> Command:
    """The module of command ``name`` (KeyError for none)."""
    if name in COMMANDS:
        return cast(Command, importlib.import_module(COMMANDS[name]))
    found = {ep.name: ep for ep in _entry_points()}
    return cast(Command, found[name].load())


def _entry_points() -> list[EntryPoint]:
    return list(entry_points(group="reconcile.commands"))
