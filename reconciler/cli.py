"""The `reconcile` command line: argument parsing and the one error handler."""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from reconciler.commands import load
from reconciler.commands import names
from reconciler.commands import terraform as terraform_command
from reconciler.errors import Failure
from reconciler.errors import UsageError
from reconciler.errors import error_json
from reconciler.workspace.secrets import known_secrets


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is a :class:`UsageError` (exit 1: exit 2 means drift was found)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of command ``only`` (the one being run: the others stay unloaded)."""
    parser = _Parser(
        prog="reconcile",
        description="Terraform-centric state reconciliation for Azure.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in [only] if only else names():
        command = load(name)
        command.register(sub.add_parser(name, help=command.HELP, description=command.HELP))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # `reconcile terraform ...` hands every remaining argument to Terraform untouched, including ones that
    # look like our own flags (-help, -chdir=...), so it bypasses argparse.
    ours = args_list[: args_list.index("terraform")] if "terraform" in args_list else args_list
    debug = "--debug" in ours
    try:
        if "terraform" in args_list and all(a.startswith("-") for a in ours):
            return terraform_command.passthrough(args_list[len(ours) + 1 :])
        named = next((a for a in args_list if not a.startswith("-")), None)
        args = build_parser(named if named in names() else None).parse_args(args_list)
        return int(load(args.command).run(args))
    except BrokenPipeError:
        # `reconcile history | head`: the reader has gone; that is not an error. Point stdout at devnull
        # so that the interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:
        if not isinstance(e, Failure):
            raise
        if debug:
            traceback.print_exc()
        # An error may quote what it failed on (Terraform's output, a URL with a token): never a
        # credential of this process.
        redactor = known_secrets(os.environ)
        if _wants_json(ours):
            print(json.dumps(redactor.scrub(error_json(e))))
        print(f"reconcile: error: {redactor.redact(e.message)}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("reconcile: interrupted", file=sys.stderr)
        return 130


def _wants_json(args: Sequence[str]) -> bool:
    """Whether the command line asks for JSON output (known before, or without, parsing it)."""
    for i, arg in enumerate(args):
        if arg == "--format=json" or (arg == "--format" and args[i + 1 : i + 2] == ["json"]):
            return True
    return False


if __name__ == "__main__":
    raise SystemExit(main())
