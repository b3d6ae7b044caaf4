"""Subcommands: one module each, collected in :data:`COMMANDS`.

A command module exposes ``HELP`` (one line), ``register(parser)`` to declare its arguments and
``run(args) -> int`` returning the exit code. Commands of the entry-point layer above the CLI
(``hooks/``: ``reconcile bot``) are registered as entry points of the ``reconcile.commands`` group,
since nothing here may import them (:func:`all_commands`).
"""

from __future__ import annotations

import argparse
from importlib.metadata import entry_points
from types import ModuleType
from typing import Protocol
from typing import cast

from reconciler.commands import apply
from reconciler.commands import audit
from reconciler.commands import check
from reconciler.commands import demo
from reconciler.commands import drift
from reconciler.commands import history
from reconciler.commands import lock
from reconciler.commands import propose
from reconciler.commands import rollback
from reconciler.commands import sandbox
from reconciler.commands import terraform
from reconciler.commands import watch


class Command(Protocol):
    HELP: str

    def register(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def _command(module: ModuleType) -> Command:
    return cast(Command, module)


COMMANDS: dict[str, Command] = {
    "apply": _command(apply),
    "audit": _command(audit),
    "check": _command(check),
    "demo": _command(demo),
    "drift": _command(drift),
    "history": _command(history),
    "lock": _command(lock),
    "propose": _command(propose),
    "rollback": _command(rollback),
    "sandbox": _command(sandbox),
    "terraform": _command(terraform),
    "watch": _command(watch),
}


def all_commands() -> dict[str, Command]:
    """:data:`COMMANDS` and the commands registered as ``reconcile.commands`` entry points."""
    found = {ep.name: _command(ep.load()) for ep in entry_points(group="reconcile.commands")}
    return {**COMMANDS, **{name: c for name, c in found.items() if name not in COMMANDS}}
