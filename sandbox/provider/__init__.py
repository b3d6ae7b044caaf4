"""The sandbox's Terraform provider for ``hashicorp/azurerm``: real Terraform plans and applies against the
sandbox cloud through it, from users' ordinary azurerm HCL.

It speaks Terraform's plugin protocol 6 over gRPC (message and service stubs from PyPI ``tf``); the schema
and the attribute ↔ ARM mapping of every type come from :mod:`providers.azure.mapping`.
"""
