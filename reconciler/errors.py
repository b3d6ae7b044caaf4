"""The errors `reconcile` shows to its users, and how each one leaves the process.

Every expected failure carries a one-line ``message``, a stable ``code`` (for scripts reading
``--format json``), the ``exit_code`` the CLI returns, and where known the ``file`` and ``line`` at fault.
The CLI prints ``reconcile: error: <message>`` on stderr (``--debug`` adds the traceback) and, with
``--format json``, ``{"version": 1, "error": {"code", "message", "file", "line"}}`` on stdout. Anything
else is a bug. Each package below the CLI owns its errors (style: one base per package), and a library's
errors are translated at the boundary that calls the library:

    class (package)             code                   what (all exit 1)
    ReconcileError              error
    ├── UsageError              usage                  a flag or argument the command cannot take
    ├── ConfigError             config                 settings, environment, flags; names key and file
    ├── WorkspaceError          workspace              unreadable configuration or state; file (and line)
    ├── TerraformError          terraform              the engine could not run or Terraform failed
    │   └── DiagnosticsError    terraform_diagnostics  Terraform's diagnostics (file:line: summary)
    ├── CloudError              cloud                  the cloud API refused or failed (from azure-core)
    ├── PolicyError             policy                 a user policy cannot be read, parsed or evaluated
    ├── LlmError                llm                    the LLM endpoint could not answer
    ├── StaleScanError          stale_scan             the state moved on since the scan used
    ├── GitError                git                    not a work tree, dirty files, a commit git refuses
    └── LockHeldError           lock_held              another apply holds the workspace (names it)
    StoreError (state)          store                  the store is corrupt, newer, locked; names the file
    SandboxError (sandbox)      sandbox                the sandbox could not be started, reached, stopped

Scans exit 0 in sync, 2 with drift, 1 when incomplete; 2 is never an error's code. ``reconcile apply``
and ``reconcile rollback`` exit 3 when an apply failed and was rolled back, 4 when it failed and the cloud
is not back at a known configuration (see :mod:`reconciler.apply.model`).
"""

from __future__ import annotations

from typing import Any
from typing import Protocol
from typing import Self
from typing import runtime_checkable


@runtime_checkable
class Failure(Protocol):
    """What the CLI needs of an expected failure, whichever package raised it."""

    message: str
    code: str
    exit_code: int
    file: str | None
    line: int | None


class ReconcileError(Exception):
    """An expected failure with a one-line message for the user."""

    exit_code = 1
    code = "error"

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    @classmethod
    def at(cls, file: object, line: int | None, detail: str) -> Self:
        """``file:line: detail``, with the place kept apart for the JSON form."""
        where = f"{file}:{line}" if line else f"{file}"
        return cls(f"{where}: {detail}", file=str(file), line=line)

    def __str__(self) -> str:
        return self.message


class UsageError(ReconcileError):
    """A flag or argument the command cannot take (argparse's own errors become these too)."""

    code = "usage"


class ConfigError(ReconcileError):
    """Invalid configuration; the message names the key and where it came from."""

    code = "config"


class WorkspaceError(ReconcileError):
    """Terraform configuration or state that cannot be read; the message names the file and line."""

    code = "workspace"


class TerraformError(ReconcileError):
    """The Terraform engine failed to run or reported an error."""

    code = "terraform"


class DiagnosticsError(TerraformError):
    """Terraform returned error diagnostics (already formatted as ``file:line: summary``)."""

    code = "terraform_diagnostics"


class CloudError(ReconcileError):
    """The cloud's API refused or failed a call that a command cannot do without."""

    code = "cloud"


class PolicyError(ReconcileError):
    """A user policy that cannot be found, read, parsed or evaluated; names the file (and line)."""

    code = "policy"


class LlmError(ReconcileError):
    """The LLM endpoint could not answer (unreachable, refused the key, rate limited, failed, timed out)."""

    code = "llm"


class StaleScanError(ReconcileError):
    """The state changed since the scan: proposals made from it could undo someone's apply."""

    code = "stale_scan"


class GitError(ReconcileError):
    """The workspace's git repository cannot do what apply needs (no work tree, dirty files, a revert)."""

    code = "git"


class LockHeldError(ReconcileError):
    """Another apply holds the workspace's lock, alive, past the time we were willing to wait."""

    code = "lock_held"


def error_json(failure: Failure) -> dict[str, Any]:
    """The ``--format json`` form of an error (version 1)."""
    return {
        "version": 1,
        "error": {
            "code": failure.code,
            "message": failure.message,
            "file": failure.file,
            "line": failure.line,
        },
    }
