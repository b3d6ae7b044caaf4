"""Terraform's CLI configuration file and the environment every Terraform call gets.

Terraform reads its CLI configuration from ``TF_CLI_CONFIG_FILE`` (else ``~/.terraformrc``). A path that
does not exist is not an error to Terraform but a warning on every command, and a file we did not write
may install providers from anywhere; so a call uses the caller's file only when it exists, and ours
otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from reconciler.errors import ConfigError

CLI_CONFIG_VAR = "TF_CLI_CONFIG_FILE"
CLI_CONFIG_NAME = "terraform.rc"


def _hcl_string(value: str) -> str:
    # The CLI config is HCL 1, whose strings take JSON's escapes. Terraform then expands $VAR and
    # ${VAR} from the environment in them, with no way to escape a dollar sign.
    if "$" in value:
        raise ConfigError(f"{value}: Terraform's CLI config cannot hold a path with '$' in it")
    return json.dumps(value, ensure_ascii=False)


def render_cli_config(dev_overrides: Mapping[str, Path] | None = None) -> str:
    """The text of our CLI config; ``dev_overrides`` maps a provider source to a directory holding it.

    Raises :class:`ConfigError` for a directory with ``$`` in its path, which Terraform cannot read.
    """
    lines = [
        "# Written by reconcile; Terraform reads it through TF_CLI_CONFIG_FILE.",
        "disable_checkpoint = true",
    ]
    if dev_overrides:
        lines += ["", "provider_installation {", "  dev_overrides {"]
        lines += [
            f"    {_hcl_string(src)} = {_hcl_string(str(d))}" for src, d in sorted(dev_overrides.items())
        ]
        # Without `direct {}` Terraform could install no other provider at all.
        lines += ["  }", "  direct {}", "}"]
    return "\n".join(lines) + "\n"


def write_cli_config(path: Path, dev_overrides: Mapping[str, Path] | None = None) -> Path:
    """Write a CLI config to ``path`` (e.g. one whose ``dev_overrides`` serve ``hashicorp/azurerm``)."""
    path.write_text(render_cli_config(dev_overrides), encoding="utf-8")
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
