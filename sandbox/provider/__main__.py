"""``python -m sandbox.provider``: the process Terraform starts as ``terraform-provider-azurerm``."""

from __future__ import annotations

from providers.azure.mapping import MAPPINGS
from sandbox.provider.runner import serve
from sandbox.provider.servicer import Servicer

raise SystemExit(serve(Servicer(MAPPINGS)))
