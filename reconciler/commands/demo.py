"""`reconcile demo`: a tour of the sandbox cloud on a throwaway data dir.

It starts a sandbox, builds a small network the way a Terraform service principal would, changes it the
way a person in the portal and a script would, and shows what the cloud recorded: the resources, the
Activity Log with who did what through which tool, and a Resource Graph query.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from providers.azure.apps import AZURE_CLI as AZURE_CLI_APP_ID
from providers.azure.apps import AZURE_PORTAL as AZURE_PORTAL_APP_ID

HELP = "tour the sandbox cloud: create, change out of band, and inspect what it recorded"

TERRAFORM_APP_ID = "7a1e2f3c-0d4b-4c5e-9f60-7b8c9d0e1f2a"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="keep the sandbox's data here (default: a temp dir)")


def run(args: argparse.Namespace) -> int:
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # piped or captured: don't fold ids and operation names
    if args.data_dir:
        return _tour(console, args.data_dir)
    with tempfile.TemporaryDirectory(prefix="reconcile-demo-") as tmp:
        return _tour(console, Path(tmp))


def _tour(console: Console, data_dir: Path) -> int:
    # The SDKs load here, not at import: every `reconcile` command imports this module.
    from azure.mgmt.monitor import MonitorManagementClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.network import models as net
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.resourcegraph import ResourceGraphClient
    from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

    from providers.azure.sdk import Endpoint, client, sandbox_credential
    from sandbox.server import Sandbox

    with Sandbox(data_dir) as sandbox:
        sub = sandbox.identity.subscription
        console.print(f"[bold]Sandbox cloud[/] serving ARM at {sandbox.url} (subscription {sub})")
        terraform = Endpoint(
            sandbox.url, sub, sandbox_credential(appid=TERRAFORM_APP_ID, oid=TERRAFORM_APP_ID)
        )
        portal = Endpoint(
            sandbox.url, sub, sandbox_credential(upn="alice@contoso.com", appid=AZURE_PORTAL_APP_ID)
        )
        cli = Endpoint(sandbox.url, sub, sandbox_credential(upn="bob@contoso.com", appid=AZURE_CLI_APP_ID))
        started = datetime.now(UTC) - timedelta(seconds=1)

        with console.status("creating a resource group, a network and a public IP as Terraform would"):
            client(ResourceManagementClient, terraform).resource_groups.create_or_update(
                "rg-demo", {"location": "westeurope", "tags": {"env": "demo"}}
            )
            network = client(NetworkManagementClient, terraform)
            network.virtual_networks.begin_create_or_update(
                "rg-demo",
                "vnet-demo",
                net.VirtualNetwork(
                    location="westeurope",
                    properties=net.VirtualNetworkPropertiesFormat(
                        address_space=net.AddressSpace(address_prefixes=["10.0.0.0/16"]),
                        subnets=[
                            net.Subnet(
                                name="web",
                                properties=net.SubnetPropertiesFormat(address_prefix="10.0.1.0/24"),
                            )
                        ],
                    ),
                ),
            ).result()
            network.public_ip_addresses.begin_create_or_update(
                "rg-demo",
                "pip-web",
                net.PublicIPAddress(location="westeurope", sku=net.PublicIPAddressSku(name="Standard")),
            ).result()

        with console.status("changing things out of band, as the portal and the CLI would"):
            client(NetworkManagementClient, portal).public_ip_addresses.update_tags(
                "rg-demo", "pip-web", net.TagsObject(tags={"owner": "alice"})
            )
            client(NetworkManagementClient, cli).network_security_groups.begin_create_or_update(
                "rg-demo", "nsg-hotfix", net.NetworkSecurityGroup(location="westeurope")
            ).result()

        resources = client(ResourceManagementClient, terraform).resources.list_by_resource_group("rg-demo")
        table = Table(title="Resources in rg-demo")
        for column in ("name", "type", "tags"):
            table.add_column(column, overflow="fold")
        for r in resources:
            table.add_row(r.name, r.type, ", ".join(f"{k}={v}" for k, v in (r.tags or {}).items()))
        console.print(table)

        monitor = client(MonitorManagementClient, terraform)
        flt = f"eventTimestamp ge '{started.isoformat()}' and resourceGroupName eq 'rg-demo'"
        log = Table(title="Activity Log (completed writes)")
        for column in ("time", "caller", "app id", "operation", "resource"):
            log.add_column(column, overflow="fold")
        for event in reversed(list(monitor.activity_logs.list(filter=flt))):
            if event.event_name is None or event.event_name.value != "EndRequest":
                continue
            log.add_row(
                event.event_timestamp.strftime("%H:%M:%S") if event.event_timestamp else "",
                event.caller or "",
                _app_name((event.claims or {}).get("appid", "")),
                event.operation_name.value if event.operation_name else "",
                (event.resource_id or "").rsplit("/", 1)[-1],
            )
        console.print(log)

        graph = client(ResourceGraphClient, terraform)
        query = "Resources | where resourceGroup =~ 'rg-demo' | summarize count() by type"
        answer = graph.resources(
            QueryRequest(subscriptions=[sub], query=query, options=QueryRequestOptions())
        )
        console.print(f"[bold]Resource Graph[/] {query}")
        rows: list[dict[str, object]] = answer.data if isinstance(answer.data, list) else []
        for row in rows:
            console.print(f"  {row['type']}: {row['count_']}")
        console.print(
            "Next: 'reconcile sandbox up --detach' keeps a sandbox running; "
            "'eval \"$(reconcile sandbox env)\"' points clients at it."
        )
    return 0


def _app_name(app_id: str) -> str:
    return {
        AZURE_PORTAL_APP_ID: "Azure Portal",
        AZURE_CLI_APP_ID: "Azure CLI",
        TERRAFORM_APP_ID: "Terraform (service principal)",
    }.get(app_id, app_id)
