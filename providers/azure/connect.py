"""Where ARM is and how we sign in: the sandbox when its endpoint is configured, else Azure itself."""

from __future__ import annotations

from providers.azure.sdk import Endpoint
from providers.azure.sdk import sandbox_credential

AZURE_ENDPOINT = "https://management.azure.com"
#: The app id reconcile's own reads carry in the sandbox (reads are not in the Activity Log anyway).
READER_APP_ID = "9c7d2b1a-3e4f-4a5b-8c6d-0e1f2a3b4c5d"


def endpoint(url: str, subscription: str) -> Endpoint:
    """An endpoint for ``url`` ("" = Azure, with azure-identity's default credential chain)."""
    if url:
        return Endpoint(url.rstrip("/"), subscription, sandbox_credential(appid=READER_APP_ID, idtyp="app"))
    from azure.identity import DefaultAzureCredential

    return Endpoint(AZURE_ENDPOINT, subscription, DefaultAzureCredential())
