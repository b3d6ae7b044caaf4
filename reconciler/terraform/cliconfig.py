"""Terraform's CLI configuration file and the environment every Terraform call gets.

Terraform reads its CLI configuration from ``TF_CLI_CONFIG_FILE`` (else ``~/.terraformrc``). A path that
does not exist is not an error to Terraform but a warning on every command, and a file we did not write
may install providers from anywhere; so a call uses the caller's file only when it exists, and ours
otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

CLI_CONFIG_VAR = "TF_CLI_CONFIG_FILE"
CLI_CONFIG_NAME = "terraform.rc"


def write_cli_config(path: Path) -> Path:
    """Write our CLI config to ``path``: nothing but ``disable_checkpoint``."""
    path.write_text(
        "# Written by reconcile; Terraform reads it through TF_CLI_CONFIG_FILE.\ndisable_checkpoint = true\n",
        encoding="utf-8",
    )
    return path


def terraform_environ(
    base: Mapping[str, str],
    extra: Mapping[str, str] | None = None,
    *,
    scratch: Path,
) -> dict[str, str]:
    """The complete environment for one Terraform call.

    ``base`` (usually ``os.environ``) overlaid with ``extra`` (e.g. ``ARM_*`` credentials), plus
    ``CHECKPOINT_DISABLE=1`` and a ``TF_CLI_CONFIG_FILE`` that exists: the given one if it names a file,
    else ours, written into the directory ``scratch``.
    """
    env = {**base, **(extra or {})}
    # Terraform must never phone home: calls run offline, in CI, and inside other people's networks.
    env["CHECKPOINT_DISABLE"] = "1"
    given = env.get(CLI_CONFIG_VAR, "")
    if not (given and Path(given).is_file()):
        ours = scratch / CLI_CONFIG_NAME
        if not ours.is_file():
            write_cli_config(ours)
        env[CLI_CONFIG_VAR] = str(ours)
    return env
