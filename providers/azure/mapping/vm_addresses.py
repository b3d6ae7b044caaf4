"""A Linux VM's IP addresses, read as azurerm's ``retrieveConnectionInformation`` reads them.

ARM's VM body names only its network interfaces: the private addresses come from the interfaces' IP
configurations, the public ones from the public IPs those configurations use. Both are
:class:`~providers.azure.mapping.base.Lookup` reads.
"""

from __future__ import annotations

from typing import Any

from providers.azure.mapping.base import LOOKUPS
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Lookup
from providers.azure.mapping.schema import Attrs

NETWORK_API_VERSION = "2024-05-01"


def _nic_ids(body: Body) -> list[str]:
    nics = ((body.get("properties") or {}).get("networkProfile") or {}).get("networkInterfaces") or []
    return [n["id"] for n in nics if n.get("id")]


def _public_ip_ids(nic: Body) -> list[str]:
    out = []
    for config in (nic.get("properties") or {}).get("ipConfigurations") or []:
        pip = ((config.get("properties") or {}).get("publicIPAddress") or {}).get("id")
        if pip:
            out.append(pip)
    return out


def lookups(body: Body) -> list[Lookup]:
    """The VM's network interfaces, then the public IPs their IP configurations use."""
    found = body.get(LOOKUPS) or {}
    wanted = []
    for nic_id in _nic_ids(body):
        wanted.append(Lookup(nic_id.lower(), nic_id, NETWORK_API_VERSION))
        nic = found.get(nic_id.lower())
        for pip_id in _public_ip_ids(nic or {}):
            wanted.append(Lookup(pip_id.lower(), pip_id, NETWORK_API_VERSION))
    return wanted


def addresses(props: Body, found: dict[str, Any]) -> Attrs:
    """The four address attributes from the VM's properties and the lookups' results."""
    private: list[str] = []
    public: list[str] = []
    for nic_id in _nic_ids({"properties": props}):
        nic = found.get(nic_id.lower())
        if not nic:
            continue
        for config in (nic.get("properties") or {}).get("ipConfigurations") or []:
            config_props = config.get("properties") or {}
            if config_props.get("privateIPAddress"):
                private.append(config_props["privateIPAddress"])
            pip_id = (config_props.get("publicIPAddress") or {}).get("id")
            address = (
                ((found.get(pip_id.lower()) or {}).get("properties") or {}).get("ipAddress")
                if pip_id
                else None
            )
            if address:
                public.append(address)
    return {
        "private_ip_address": private[0] if private else None,
        "private_ip_addresses": private,
        "public_ip_address": public[0] if public else None,
        "public_ip_addresses": public,
    }
