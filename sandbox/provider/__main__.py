"""``python -m sandbox.provider``: the process Terraform starts as ``terraform-provider-azurerm``."""

from __future__ import annotations

import threading

from providers.azure.mapping import MAPPINGS
from providers.azure.mapping.data_sources import DATA_SOURCES
from sandbox.provider.runner import serve
from sandbox.provider.servicer import Servicer


def _prewarm() -> None:
    # The Azure SDK takes ~0.5 s to import. Terraform asks for the schema first and configures the
    # provider later, so importing it meanwhile takes that time off the critical path.
    import sandbox.provider.arm  # noqa: F401


threading.Thread(target=_prewarm, name="prewarm-sdk", daemon=True).start()
raise SystemExit(serve(Servicer(MAPPINGS, DATA_SOURCES)))
