"""Terraform's verbs as Python calls that read only Terraform's machine output.

Every call goes through an :class:`~reconciler.terraform.engine.Engine` with the environment of
:func:`~reconciler.terraform.cliconfig.terraform_environ`; results come from ``-json`` output,
``show -json`` documents and ``-detailed-exitcode``, never from text meant for people. Terraform's error
diagnostics become one :class:`~reconciler.errors.DiagnosticsError`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Collection
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any
from typing import NamedTuple

from reconciler.errors import TerraformError
from reconciler.terraform import diagnostics
from reconciler.terraform.cliconfig import terraform_environ
from reconciler.terraform.diagnostics import Diagnostic
from reconciler.terraform.engine import Engine
from reconciler.terraform.engine import Runner
from reconciler.terraform.engine import RunResult

# Terraform promises compatible changes within a format_version major; a new major may move fields.
SUPPORTED_FORMAT_MAJOR = "1"
_COMMON = ("-input=false", "-no-color")


class ChangeSummary(NamedTuple):
    """Resource counts from a plan's or apply's ``change_summary`` message."""

    add: int = 0
    change: int = 0
    remove: int = 0
    imported: int = 0

    @classmethod
    def from_stream(cls, stdout: str) -> ChangeSummary:
        summary = cls()
        for obj in diagnostics.json_lines(stdout):
            counts = obj.get("changes")
            if obj.get("type") == "change_summary" and isinstance(counts, dict):
                summary = cls(
                    add=int(counts.get("add", 0)),
                    change=int(counts.get("change", 0)),
                    remove=int(counts.get("remove", 0)),
                    imported=int(counts.get("import", 0)),
                )
        return summary


class PlanOutcome(NamedTuple):
    """A successful plan: ``changed`` is ``-detailed-exitcode`` 2 (changes) rather than 0 (none)."""

    changed: bool
    planfile: Path | None
    summary: ChangeSummary
    warnings: tuple[Diagnostic, ...]


class ApplyOutcome(NamedTuple):
    """A successful apply or destroy."""

    summary: ChangeSummary
    warnings: tuple[Diagnostic, ...]


def check_format_version(doc: Mapping[str, Any], what: str) -> None:
    """Refuse a JSON document whose ``format_version`` major we do not know."""
    version = str(doc.get("format_version", ""))
    if version.split(".", 1)[0] != SUPPORTED_FORMAT_MAJOR:
        raise TerraformError(
            f"{what}: unsupported format_version {version!r} (reconcile reads {SUPPORTED_FORMAT_MAJOR}.x)"
        )


class Terraform:
    """Terraform commands on working directories, through one engine.

    ``env`` adds variables to every call (e.g. ``ARM_*`` credentials) on top of ``base_env``, which is
    the process environment at call time unless given. Call :meth:`close` (or use ``with``) to remove
    the CLI config written when the environment names none that exists.
    """

    def __init__(
        self,
        engine: Engine,
        env: Mapping[str, str] | None = None,
        *,
        base_env: Mapping[str, str] | None = None,
    ) -> None:
        self.engine = engine
        self._env = dict(env or {})
        self._base_env = base_env
        self._scratch: Path | None = None
        self._cleanup: weakref.finalize[..., Any] | None = None
        self._sessions: dict[Path, tuple[Runner, threading.Lock]] = {}

    def close(self) -> None:
        if self._cleanup is not None:
            self._cleanup()

    def __enter__(self) -> Terraform:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _scratch_dir(self) -> Path:
        if self._scratch is None or not self._scratch.is_dir():
            self._scratch = Path(tempfile.mkdtemp(prefix="reconcile-terraform-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._scratch, True)
        return self._scratch

    def environ(self) -> dict[str, str]:
        """The complete environment the next call will get."""
        base = os.environ if self._base_env is None else self._base_env
        # Our calls are automation: Terraform leaves out hints meant for a person at a prompt.
        return {**terraform_environ(base, self._env, scratch=self._scratch_dir()), "TF_IN_AUTOMATION": "1"}

    @contextmanager
    def session(self, workdir: Path) -> Iterator[None]:
        """Until the block ends, run the commands in ``workdir`` one after another in one Terraform
        (:meth:`Engine.open <reconciler.terraform.engine.Engine.open>`), with the environment as it is
        now: for a sequence such as plan, show, apply and plan again. A command from another thread
        while one runs gets a Terraform of its own, as outside a session."""
        key = workdir.resolve()
        if key in self._sessions:
            yield
            return
        runner = self.engine.open(key, self.environ())
        self._sessions[key] = (runner, threading.Lock())
        try:
            yield
        finally:
            del self._sessions[key]
            runner.close()

    def run(self, args: Sequence[str], workdir: Path) -> RunResult:
        """Any Terraform command, with our environment; nothing is checked."""
        session = self._sessions.get(workdir.resolve())
        if session is not None:
            runner, busy = session
            if busy.acquire(blocking=False):
                try:
                    return runner.run(args)
                finally:
                    busy.release()
        return self.engine.run(args, workdir, self.environ())

    # -- verbs -------------------------------------------------------------------------------------

    def version(self) -> str:
        """Terraform's version, e.g. ``"1.15.5"``."""
        # Any directory will do; ours is sure to exist, unlike the current one.
        scratch = self._scratch_dir()
        doc = self._document(self.run(["version", "-json"], scratch), "version", scratch)
        return str(doc.get("terraform_version", ""))

    def init(self, workdir: Path, extra_args: Sequence[str] = ()) -> None:
        """``terraform init``: install modules and providers, set up the backend."""
        self._stream(["init", *_COMMON, "-json", *extra_args], workdir, ok=(0,))

    def validate(self, workdir: Path) -> list[Diagnostic]:
        """``terraform validate``: all diagnostics, errors included (see :attr:`Diagnostic.is_error`)."""
        result = self.run(["validate", "-json", "-no-color"], workdir)
        doc = self._document(result, "validate", workdir)
        check_format_version(doc, f"{self.engine.name} validate -json")
        return diagnostics.from_document(doc)

    def fmt(self, workdir: Path, files: Sequence[Path]) -> None:
        """``terraform fmt`` of ``files`` (relative to ``workdir``), each rewritten in place."""
        args = ["fmt", "-list=false", "-no-color", *(str(f) for f in files)]
        result = self.run(args, workdir)
        if result.rc != 0:
            raise self._failure("fmt", workdir, result)

    def plan(
        self,
        workdir: Path,
        out: Path | None = None,
        refresh_only: bool = False,
        extra_args: Sequence[str] = (),
    ) -> PlanOutcome:
        """``terraform plan``, saved to ``out`` (relative to ``workdir``) when given."""
        args = ["plan", *_COMMON, "-json", "-detailed-exitcode"]
        planfile = None
        if out is not None:
            planfile = (workdir / out).absolute()
            args.append(f"-out={planfile}")
        if refresh_only:
            args.append("-refresh-only")
        result, diags = self._stream([*args, *extra_args], workdir, ok=(0, 2))
        return PlanOutcome(
            changed=result.rc == 2,
            planfile=planfile,
            summary=ChangeSummary.from_stream(result.stdout),
            warnings=tuple(diags),
        )

    def show_plan_json(self, planfile: Path, workdir: Path | None = None) -> dict[str, Any]:
        """A saved plan as ``show -json`` renders it; ``workdir`` defaults to the plan's directory."""
        workdir = workdir or planfile.absolute().parent
        return self._show(["show", "-json", "-no-color", str(planfile.absolute())], workdir)

    def show_state_json(self, workdir: Path) -> dict[str, Any]:
        """The state of ``workdir`` as ``show -json`` renders it (no ``values`` when there is none)."""
        return self._show(["show", "-json", "-no-color"], workdir)

    def apply(
        self,
        workdir: Path,
        planfile: Path | None = None,
        auto_approve: bool = True,
        extra_args: Sequence[str] = (),
    ) -> ApplyOutcome:
        """``terraform apply``, of ``planfile`` when given (a saved plan needs no approval).

        There is no one to answer a prompt, so without a plan and ``auto_approve`` Terraform refuses.
        """
        args = ["apply", *_COMMON, "-json"]
        if auto_approve:
            args.append("-auto-approve")
        args += extra_args
        if planfile is not None:
            args.append(str((workdir / planfile).absolute()))
        result, diags = self._stream(args, workdir, ok=(0,))
        return ApplyOutcome(ChangeSummary.from_stream(result.stdout), tuple(diags))

    def destroy(self, workdir: Path, extra_args: Sequence[str] = ()) -> ApplyOutcome:
        """``terraform destroy`` of everything in ``workdir``'s state."""
        args = ["destroy", *_COMMON, "-json", "-auto-approve", *extra_args]
        result, diags = self._stream(args, workdir, ok=(0,))
        return ApplyOutcome(ChangeSummary.from_stream(result.stdout), tuple(diags))

    # -- output handling ---------------------------------------------------------------------------

    def _stream(
        self, args: Sequence[str], workdir: Path, ok: Collection[int]
    ) -> tuple[RunResult, list[Diagnostic]]:
        """Run a streaming ``-json`` command; raise on failure, else return it and its warnings."""
        result = self.run(args, workdir)
        diags = diagnostics.from_stream(result.stdout)
        if result.rc not in ok:
            diagnostics.raise_for_errors(diags)
            raise self._failure(args[0], workdir, result)
        return result, [d for d in diags if not d.is_error]

    def _show(self, args: Sequence[str], workdir: Path) -> dict[str, Any]:
        result = self.run(args, workdir)
        if result.rc != 0:
            diagnostics.raise_for_errors(diagnostics.from_stream(result.stdout))
            raise self._failure("show", workdir, result)
        doc = self._document(result, "show", workdir)
        check_format_version(doc, f"{self.engine.name} show -json")
        return doc

    def _document(self, result: RunResult, command: str, workdir: Path) -> dict[str, Any]:
        """The one JSON document a command printed."""
        try:
            doc = json.loads(result.stdout)
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            raise self._failure(command, workdir, result)
        return doc

    def _failure(self, command: str, workdir: Path, result: RunResult) -> TerraformError:
        gist = diagnostics.stderr_summary(result.stderr) or "no output"
        return TerraformError(f"{self.engine.name} {command} failed in {workdir} (exit {result.rc}): {gist}")
