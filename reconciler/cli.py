"""The `reconcile` command line: argument parsing and the one error handler."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from reconciler.commands import COMMANDS
from reconciler.errors import ReconcileError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reconcile",
        description="Terraform-centric state reconciliation for Azure.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, command in COMMANDS.items():
        command.register(sub.add_parser(name, help=command.HELP, description=command.HELP))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # `reconcile terraform ...` hands every remaining argument to Terraform untouched, including ones that
    # look like our own flags (-help, -chdir=...), so it bypasses argparse.
    debug = "--debug" in args_list[: args_list.index("terraform")] if "terraform" in args_list else False
    try:
        if "terraform" in args_list and all(
            a.startswith("-") for a in args_list[: args_list.index("terraform")]
        ):
            from reconciler.commands import terraform

            return terraform.passthrough(args_list[args_list.index("terraform") + 1 :])
        args = build_parser().parse_args(args_list)
        debug = args.debug
        return int(COMMANDS[args.command].run(args))
    except ReconcileError as e:
        if debug:
            traceback.print_exc()
        print(f"reconcile: error: {e.message}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("reconcile: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
