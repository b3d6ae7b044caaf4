"""Subcommands: one module each, collected in :data:`COMMANDS`.

A command module exposes ``HELP`` (one line), ``register(parser)`` to declare its arguments and
``run(args) -> int`` returning the exit code.
"""

from __future__ import annotations

import argparse
from types import ModuleType
from typing import Protocol, cast

from reconciler.commands import (
    apply,
    audit,
    check,
    demo,
    drift,
    history,
    lock,
    propose,
    rollback,
    sandbox,
    terraform,
)


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
}
