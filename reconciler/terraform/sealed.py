"""The sealed environment: what Terraform validating an untrusted proposal may see of ours.

A proposal's configuration is evaluated by Terraform and by the providers it starts. Whatever the
guardrails miss can read that process's environment (``/proc/self/environ``), so it holds only what
the engine and the azurerm provider need to run: the system basics, Terraform's own settings and
variables, the Azure credentials the provider signs in with, and the cloud endpoint. Never the LLM's
API key, a forge token, or anything else the operator's shell happens to hold.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Mapping

#: Kept by name: the system, proxies and certificates (to reach Azure), Python for an embedded engine or
#: a provider written in Python, and the ARM endpoint a sandbox provider reads.
KEPT = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "TMPDIR",
        "TMP",
        "TEMP",
        "LANG",
        "LANGUAGE",
        "TZ",
        "SYSTEMROOT",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "PYTHONPATH",
        "PYTHONHOME",
        "VIRTUAL_ENV",
        "RECONCILE_AZURE_ENDPOINT",
        "TF_CLI_CONFIG_FILE",
        "TF_DATA_DIR",
        "TF_PLUGIN_CACHE_DIR",
        "TF_WORKSPACE",
        "TF_IN_AUTOMATION",
        "TF_INPUT",
    }
)
#: Kept by prefix: locale, input variables, the azurerm provider's credentials (``ARM_*``), Azure SDK
#: and CLI settings, managed identity's endpoint, and the GitHub OIDC token request ``ARM_USE_OIDC`` uses.
#: Not ``TF_LOG`` (a trace may print request bodies) nor ``TF_TOKEN_*`` (validation installs nothing).
KEPT_PREFIXES = ("LC_", "TF_VAR_", "ARM_", "AZURE_", "MSI_", "IDENTITY_", "ACTIONS_ID_TOKEN_")


def sealed_environ(environ: Mapping[str, str], *, drop: Collection[str] = ()) -> dict[str, str]:
    """``environ`` reduced to :data:`KEPT` and :data:`KEPT_PREFIXES`, without the variables ``drop``
    names (the LLM key's variable, whatever it is called)."""
    return {
        name: value
        for name, value in environ.items()
        if name not in drop and (name in KEPT or name.startswith(KEPT_PREFIXES))
    }
