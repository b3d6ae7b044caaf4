"""The variables that point clients at a sandbox: reconcile, the Azure SDKs, and Terraform.

One function, used by ``reconcile sandbox env`` (for a shell), the demo, the tests and the benchmarks.
``ARM_CLIENT_ID`` names the sandbox provider's identity, so that attribution tells Terraform's writes
apart from people's the same way it does against Azure: through the configured Terraform client ids.
"""

from __future__ import annotations

from pathlib import Path

from sandbox.provider.config import DEFAULT_CLIENT_ID
from sandbox.provider.install import install
from sandbox.server import identity


def client_environment(url: str, data_dir: Path) -> dict[str, str]:
    """The environment for clients of the sandbox serving ``data_dir`` at ``url``."""
    ident = identity(data_dir)
    return {
        "RECONCILE_AZURE_ENDPOINT": url,
        "RECONCILE_SANDBOX_DIR": str(data_dir.resolve()),
        "ARM_SUBSCRIPTION_ID": ident.subscription,
        "ARM_TENANT_ID": ident.tenant,
        "ARM_CLIENT_ID": DEFAULT_CLIENT_ID,
        "TF_CLI_CONFIG_FILE": str(install(data_dir)),
    }
