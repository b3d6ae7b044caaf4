"""The errors `reconcile` shows to its users.

Every expected failure is a :class:`ReconcileError`; the CLI prints its message on one line and exits
with its ``exit_code``. Anything else is a bug and gets a traceback under ``--debug``.

    ReconcileError (exit 1)
    ├── ConfigError          bad reconcile.toml / environment / flag; names the key and the file
    ├── TerraformError       the engine could not run or Terraform reported errors
    │   └── DiagnosticsError Terraform's own diagnostics (file:line: summary)
    ├── SandboxError         the sandbox cloud could not be started, reached or stopped
    ├── WorkspaceError       unreadable Terraform configuration or state; names the file (and line)
    └── StoreError           the drift history is corrupt, from a newer reconcile, or locked; names the file
"""

from __future__ import annotations


class ReconcileError(Exception):
    """An expected failure with a one-line message for the user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(ReconcileError):
    """Invalid configuration; the message names the key and where it came from."""


class TerraformError(ReconcileError):
    """The Terraform engine failed to run or reported an error."""


class DiagnosticsError(TerraformError):
    """Terraform returned error diagnostics (already formatted as ``file:line: summary``)."""


class SandboxError(ReconcileError):
    """The sandbox cloud could not be started, reached or stopped."""


class WorkspaceError(ReconcileError):
    """Terraform configuration or state that cannot be read; the message names the file and line."""


class StoreError(ReconcileError):
    """The state store cannot be used (corrupt, newer than this reconcile, locked); names the file."""
