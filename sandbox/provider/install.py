"""Making the sandbox provider visible to Terraform: a launcher and a CLI config with ``dev_overrides``.

Both live under the sandbox's data dir; ``reconcile sandbox env`` exports ``TF_CLI_CONFIG_FILE``.
The launcher is a fixed two-line script that runs this installation's Python, so the provider's code
stays in the package, not in the plugin folder.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from reconciler.terraform.cliconfig import write_cli_config

PROVIDER_SOURCE = "hashicorp/azurerm"


def install(data_dir: Path) -> Path:
    """Write the launcher and the CLI config for ``data_dir``; returns the CLI config path."""
    plugin_dir = (data_dir / "terraform" / "plugins").resolve()
    plugin_dir.mkdir(parents=True, exist_ok=True)
    launcher = plugin_dir / "terraform-provider-azurerm"
    script = f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m sandbox.provider \"$@\"\n"
    if not launcher.exists() or launcher.read_text() != script:
        tmp = launcher.with_suffix(".tmp")
        tmp.write_text(script)
        tmp.chmod(0o755)
        tmp.replace(launcher)
    return write_cli_config(data_dir.resolve() / "terraform" / "cli.tfrc", {PROVIDER_SOURCE: plugin_dir})
