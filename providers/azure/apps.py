"""Well-known Azure AD application ids: how the Activity Log tells the portal, the CLI and others apart."""

from __future__ import annotations

AZURE_PORTAL = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"
AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
AZURE_POWERSHELL = "1950a258-227b-4e31-a9cf-717495945fc2"
