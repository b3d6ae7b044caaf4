"""Making the sandbox provider visible to Terraform: a launcher and a CLI config with ``dev_overrides``.

Both live under the sandbox's data dir; ``reconcile sandbox env`` exports ``TF_CLI_CONFIG_FILE``.
The launcher is a fixed two-line script that runs this installation's Python, so the provider's code
stays in the package, not in the plugin folder.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from sandbox.errors import SandboxError
from sandbox.provider.runner import TLS_DIR_VAR
from sandbox.provider.runner import generate_tls_pair

PROVIDER_SOURCE = "hashicorp/azurerm"


def install(data_dir: Path) -> Path:
    """Write the launcher and the CLI config for ``data_dir``; returns the CLI config path."""
    plugin_dir = (data_dir / "terraform" / "plugins").resolve()
    plugin_dir.mkdir(parents=True, exist_ok=True)
    launcher = plugin_dir / "terraform-provider-azurerm"
    tls_dir = (data_dir / "terraform" / "tls").resolve()
    if not (tls_dir / "tls.crt").exists():
        _write_tls_pair(tls_dir)
    script = (
        f"#!/bin/sh\n{TLS_DIR_VAR}={shlex.quote(str(tls_dir))} "
        f'exec {shlex.quote(sys.executable)} -P -m sandbox.provider "$@"\n'
    )
    if not launcher.exists() or launcher.read_text() != script:
        tmp = launcher.with_suffix(".tmp")
        tmp.write_text(script)
        tmp.chmod(0o755)
        tmp.replace(launcher)
    config = data_dir.resolve() / "terraform" / "cli.tfrc"
    text = cli_config(plugin_dir)
    if not config.exists() or config.read_text(encoding="utf-8") != text:
        config.write_text(text, encoding="utf-8")
    return config


def cli_config(plugin_dir: Path) -> str:
    """A Terraform CLI config whose ``dev_overrides`` serve ``hashicorp/azurerm`` from ``plugin_dir``.

    No ``init`` and no lock file are needed; ``direct {}`` keeps every other provider installable.
    """
    return (
        "# Written by reconcile sandbox; Terraform reads it through TF_CLI_CONFIG_FILE.\n"
        "disable_checkpoint = true\n\n"
        "provider_installation {\n"
        "  dev_overrides {\n"
        f"    {_hcl_string(PROVIDER_SOURCE)} = {_hcl_string(str(plugin_dir))}\n"
        "  }\n"
        "  direct {}\n"
        "}\n"
    )


def _hcl_string(value: str) -> str:
    # The CLI config is HCL 1, whose strings take JSON's escapes. Terraform then expands $VAR and
    # ${VAR} from the environment in them, with no way to escape a dollar sign.
    if "$" in value:
        raise SandboxError(f"{value}: Terraform's CLI config cannot hold a path with '$' in it")
    return json.dumps(value, ensure_ascii=False)


def _write_tls_pair(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    key_pem, cert_pem = generate_tls_pair()
    for name, data in (("tls.key", key_pem), ("tls.crt", cert_pem)):
        tmp = folder / f"{name}.tmp"
        tmp.touch(mode=0o600)
        tmp.write_bytes(data)
        tmp.replace(folder / name)
