"""Out-of-band changes the way people make them: a few ``az`` verbs, and the portal's identity.

Each verb is one real ARM call through the Azure SDK, signed as a person using the Azure CLI (or the
portal, or PowerShell), so the Activity Log attributes it exactly as Azure's would.
"""

from __future__ import annotations

from typing import Any

from providers.azure import apps
from providers.azure.sdk import Endpoint
from providers.azure.sdk import client
from providers.azure.sdk import sandbox_credential
from providers.azure.sdk import wire_json

#: The tools a change can be made "through", and the app id each signs in with.
VIA = {"cli": apps.AZURE_CLI, "portal": apps.AZURE_PORTAL, "powershell": apps.AZURE_POWERSHELL}


def endpoint_for(url: str, subscription: str, user: str, via: str = "cli") -> Endpoint:
    oid = f"00000000-0000-0000-0000-{abs(hash(user)) % 10**12:012d}"
    return Endpoint(url, subscription, sandbox_credential(upn=user, appid=VIA[via], oid=oid, idtyp="user"))


class Az:
    """The verbs; each returns the resource as ARM answers it (what ``az`` prints)."""

    def __init__(self, endpoint: Endpoint) -> None:
        # The management SDKs cost ~0.4 s to import: only commands that change something pay it.
        from azure.mgmt.compute import ComputeManagementClient
        from azure.mgmt.network import NetworkManagementClient
        from azure.mgmt.resource.resources import ResourceManagementClient

        self.endpoint = endpoint
        self._compute = client(ComputeManagementClient, endpoint)
        self._network = client(NetworkManagementClient, endpoint)
        self._resources = client(ResourceManagementClient, endpoint)

    def vm_resize(self, group: str, name: str, size: str) -> dict[str, Any]:
        from azure.mgmt.compute.models import VirtualMachineUpdate  # heavy, see __init__

        patch = {"properties": {"hardwareProfile": {"vmSize": size}}}
        return wire_json(
            self._compute.virtual_machines.begin_update(group, name, VirtualMachineUpdate(patch)).result()
        )

    def vm_boot_diagnostics(
        self, group: str, name: str, enabled: bool, storage_uri: str | None = None
    ) -> dict[str, Any]:
        from azure.mgmt.compute.models import VirtualMachineUpdate  # heavy, see __init__

        boot: dict[str, Any] = {"enabled": enabled}
        if enabled and storage_uri:
            boot["storageUri"] = storage_uri
        patch = VirtualMachineUpdate({"properties": {"diagnosticsProfile": {"bootDiagnostics": boot}}})
        return wire_json(self._compute.virtual_machines.begin_update(group, name, patch).result())

    def disk_update(self, group: str, name: str, size_gb: int) -> dict[str, Any]:
        from azure.mgmt.compute.models import DiskUpdate  # heavy, see __init__

        patch = DiskUpdate({"properties": {"diskSizeGB": size_gb}})
        return wire_json(self._compute.disks.begin_update(group, name, patch).result())

    def nsg_rule_create(
        self,
        group: str,
        nsg: str,
        name: str,
        *,
        priority: int,
        destination_port_ranges: list[str],
        access: str = "Allow",
        protocol: str = "Tcp",
        direction: str = "Inbound",
        source_address_prefix: str = "*",
    ) -> dict[str, Any]:
        from azure.mgmt.network.models import SecurityRule  # heavy, see __init__

        ports = destination_port_ranges or ["*"]
        rule: dict[str, Any] = {
            "properties": {
                "priority": priority,
                "access": access,
                "protocol": protocol,
                "direction": direction,
                "sourceAddressPrefix": source_address_prefix,
                "sourcePortRange": "*",
                "destinationAddressPrefix": "*",
            }
        }
        if len(ports) == 1:
            rule["properties"]["destinationPortRange"] = ports[0]
        else:
            rule["properties"]["destinationPortRanges"] = ports
        poller = self._network.security_rules.begin_create_or_update(group, nsg, name, SecurityRule(rule))
        return wire_json(poller.result())

    def tag_add(self, resource_id: str, tags: dict[str, str]) -> dict[str, Any]:
        """Merge ``tags`` into the resource's tags (``az tag update --operation Merge``)."""
        version = self.api_version(resource_id)
        current = self._resources.resources.get_by_id(resource_id, api_version=version)
        merged = {**(dict(current.get("tags") or {})), **tags}
        poller = self._resources.resources.begin_update_by_id(
            resource_id, api_version=version, parameters={"tags": merged}
        )
        return wire_json(poller.result())

    def resource_delete(self, resource_id: str) -> None:
        self._resources.resources.begin_delete_by_id(
            resource_id, api_version=self.api_version(resource_id)
        ).result()

    def api_version(self, resource_id: str) -> str:
        """The newest api-version of the resource's type, from the provider registration (as az does)."""
        parts = resource_id.strip("/").split("/")
        if len(parts) == 4:
            namespace, type_path = "Microsoft.Resources", "resourceGroups"
        else:
            namespace = parts[5]
            type_path = "/".join(parts[6::2])
        provider = self._resources.providers.get(namespace)
        for rt in provider.resource_types or []:
            if (rt.resource_type or "").lower() == type_path.lower() and rt.api_versions:
                return str(sorted(rt.api_versions)[-1])
        raise ValueError(f"the sandbox does not serve resources of type {namespace}/{type_path}")
