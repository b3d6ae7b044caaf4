"""A real sandbox on loopback per test, real Azure SDK clients for it, and builders for the VM scenario.

Test modules run under ``--import-mode=importlib`` and cannot import each other, so the shared builders
live here behind the ``az`` fixture.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as cm
from azure.mgmt.monitor import MonitorManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as nm
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resourcegraph import ResourceGraphClient
from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import make_server

from providers.azure.apps import AZURE_CLI as AZURE_CLI_APP_ID
from providers.azure.sdk import Endpoint
from providers.azure.sdk import client
from providers.azure.sdk import sandbox_credential
from sandbox.arm.app import ArmApp
from sandbox.arm.identity import make_token
from sandbox.server import Sandbox

LOCATION = "westeurope"
UPN = "alice@example.com"
OID = "8d7f3c1e-0000-4000-8000-00000000a11c"
SSH_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 alice@laptop"
IMAGE = cm.ImageReference(
    publisher="Canonical", offer="0001-com-ubuntu-server-jammy", sku="22_04-lts", version="latest"
)
NETWORK_API = "2024-05-01"
COMPUTE_API = "2024-07-01"
STORAGE_API = "2023-05-01"
GROUP_API = "2024-03-01"


class Arm:
    """Raw ARM calls over a keep-alive session, for what the SDKs will not send (bad JSON, no token)."""

    def __init__(self, url: str, subscription: str, token: str | None) -> None:
        self.url = url
        self.subscription = subscription
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def group_path(self, group: str) -> str:
        return f"/subscriptions/{self.subscription}/resourceGroups/{group}"

    def path(self, group: str, type_: str, name: str) -> str:
        return f"{self.group_path(group)}/providers/{type_}/{name}"

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        api_version: str | None = NETWORK_API,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        params = {"api-version": api_version} if api_version else {}
        return self.session.request(
            method, self.url + path, params=params, json=body, data=data, headers=headers, timeout=30
        )


class Azure:
    """SDK clients bound to one sandbox, plus builders for the resources of the VM scenario."""

    def __init__(self, sandbox: Sandbox, **claims: Any) -> None:
        self.sandbox = sandbox
        self.subscription = sandbox.identity.subscription
        claims = claims or {"upn": UPN, "appid": AZURE_CLI_APP_ID, "oid": OID}
        self.claims = claims
        self.endpoint = Endpoint(sandbox.url, self.subscription, sandbox_credential(**claims))
        self.resources = client(ResourceManagementClient, self.endpoint)
        self.network = client(NetworkManagementClient, self.endpoint)
        self.compute = client(ComputeManagementClient, self.endpoint)
        self._monitor: MonitorManagementClient | None = None
        self._graph: ResourceGraphClient | None = None
        self.arm = Arm(sandbox.url, self.subscription, make_token(claims))

    @property
    def monitor(self) -> MonitorManagementClient:
        if self._monitor is None:
            self._monitor = client(MonitorManagementClient, self.endpoint)
        return self._monitor

    @property
    def graph(self) -> ResourceGraphClient:
        if self._graph is None:
            self._graph = client(ResourceGraphClient, self.endpoint)
        return self._graph

    def admin(self, method: str, what: str, body: Any = None) -> requests.Response:
        return self.arm.session.request(method, f"{self.sandbox.url}/_sandbox/{what}", json=body, timeout=30)

    # -- builders -------------------------------------------------------------------------------------

    def group(self, name: str = "rg1") -> str:
        self.resources.resource_groups.create_or_update(name, {"location": "West Europe"})
        return name

    def vnet(self, group: str, name: str = "vnet1", *subnets: tuple[str, str]) -> nm.VirtualNetwork:
        subnets = subnets or (("default", "10.0.1.0/24"),)
        model = nm.VirtualNetwork(
            location=LOCATION,
            address_space=nm.AddressSpace(address_prefixes=["10.0.0.0/16"]),
            subnets=[nm.Subnet(name=n, address_prefix=p) for n, p in subnets],
        )
        return self.network.virtual_networks.begin_create_or_update(group, name, model).result()

    def subnet_id(self, group: str, vnet: str = "vnet1", subnet: str = "default") -> str:
        return self.arm.path(group, "Microsoft.Network/virtualNetworks", vnet) + f"/subnets/{subnet}"

    def public_ip(self, group: str, name: str = "pip1") -> nm.PublicIPAddress:
        model = nm.PublicIPAddress(
            location=LOCATION,
            sku=nm.PublicIPAddressSku(name="Standard"),
            public_ip_allocation_method="Static",
        )
        return self.network.public_ip_addresses.begin_create_or_update(group, name, model).result()

    def nic(
        self,
        group: str,
        name: str,
        subnet_id: str,
        public_ip_id: str | None = None,
        pool_ids: tuple[str, ...] = (),
    ) -> nm.NetworkInterface:
        config = nm.NetworkInterfaceIPConfiguration(
            name="ipconfig1",
            subnet=nm.Subnet(id=subnet_id),
            public_ip_address=nm.PublicIPAddress(id=public_ip_id) if public_ip_id else None,
            load_balancer_backend_address_pools=[nm.BackendAddressPool(id=p) for p in pool_ids] or None,
        )
        model = nm.NetworkInterface(location=LOCATION, ip_configurations=[config])
        return self.network.network_interfaces.begin_create_or_update(group, name, model).result()

    def vm_model(self, name: str, nic_id: str, **overrides: Any) -> cm.VirtualMachine:
        fields: dict[str, Any] = {
            "location": LOCATION,
            "hardware_profile": cm.HardwareProfile(vm_size="Standard_B1s"),
            "storage_profile": cm.StorageProfile(
                image_reference=IMAGE,
                os_disk=cm.OSDisk(
                    create_option="FromImage",
                    managed_disk=cm.ManagedDiskParameters(storage_account_type="Standard_LRS"),
                ),
            ),
            "os_profile": cm.OSProfile(
                computer_name=name,
                admin_username="azureuser",
                linux_configuration=cm.LinuxConfiguration(
                    disable_password_authentication=True,
                    ssh=cm.SshConfiguration(
                        public_keys=[
                            cm.SshPublicKey(path="/home/azureuser/.ssh/authorized_keys", key_data=SSH_KEY)
                        ]
                    ),
                ),
            ),
            "network_profile": cm.NetworkProfile(
                network_interfaces=[cm.NetworkInterfaceReference(id=nic_id)]
            ),
        }
        fields.update(overrides)
        return cm.VirtualMachine(**fields)

    def vm(self, group: str, name: str, nic_id: str, **overrides: Any) -> cm.VirtualMachine:
        model = self.vm_model(name, nic_id, **overrides)
        return self.compute.virtual_machines.begin_create_or_update(group, name, model).result()

    def names(self, items: Any) -> list[str]:
        return sorted(i.name for i in items)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "sandbox"


@pytest.fixture
def sandbox(data_dir: Path) -> Iterator[Sandbox]:
    with Sandbox(data_dir, seed=1) as sb:
        yield sb


@pytest.fixture
def az(sandbox: Sandbox) -> Azure:
    return Azure(sandbox)


@pytest.fixture
def as_caller(sandbox: Sandbox) -> Callable[..., Azure]:
    """Clients for another identity: ``as_caller(upn=..., appid=...)``."""
    return lambda **claims: Azure(sandbox, **claims)


@pytest.fixture
def connect() -> Callable[..., Azure]:
    """Clients for a sandbox a test runs itself: ``connect(sandbox, **claims)``."""
    return Azure


@pytest.fixture
def group(az: Azure) -> str:
    return az.group("rg1")


@pytest.fixture
def subnet_id(az: Azure, group: str) -> str:
    vnet = az.vnet(group)
    return str(vnet.subnets[0].id)


@pytest.fixture
def serve() -> Iterator[Callable[[ArmApp], str]]:
    """Serve an emulator a test built itself (its own types, store, faults) on loopback; gives its URL."""
    servers: list[BaseWSGIServer] = []

    def start(app: ArmApp) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
