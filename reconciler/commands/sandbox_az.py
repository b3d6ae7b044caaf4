"""`reconcile sandbox az ...`: out-of-band changes to a running sandbox, as `az` or the portal makes them."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler.errors import ConfigError
from sandbox import lifecycle
from sandbox.az import Az
from sandbox.az import endpoint_for
from sandbox.errors import SandboxError
from sandbox.server import identity

DataDirArg = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, data_dir_arg: DataDirArg) -> None:
    az = sub.add_parser("az", help="change the sandbox out of band, as `az` or the portal would")
    groups = az.add_subparsers(dest="az_group", metavar="GROUP")
    groups.required = True

    def verb(group: Any, name: str, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = group.add_parser(name, help=help_text)
        data_dir_arg(parser)
        parser.add_argument(
            "--as", dest="user", default="cli-user@contoso.com", help="the user making the change"
        )
        parser.add_argument(
            "--via",
            choices=("cli", "portal", "powershell"),
            default="cli",
            help="the tool the change goes through",
        )
        return parser

    vm = groups.add_parser("vm", help="virtual machines").add_subparsers(dest="az_verb", metavar="VERB")
    vm.required = True
    resize = verb(vm, "resize", "change a VM's size")
    _group_and_name(resize)
    resize.add_argument("--size", required=True, help="e.g. Standard_B2s")
    boot = verb(vm, "boot-diagnostics", "enable or disable boot diagnostics")
    boot.add_argument("state", choices=("enable", "disable"))
    _group_and_name(boot)
    boot.add_argument("--storage", help="storage account blob endpoint (enable; default: managed storage)")

    disk = groups.add_parser("disk", help="managed disks").add_subparsers(dest="az_verb", metavar="VERB")
    disk.required = True
    update = verb(disk, "update", "grow a managed disk")
    _group_and_name(update)
    update.add_argument("--size-gb", type=int, required=True)

    tag = groups.add_parser("tag", help="tags").add_subparsers(dest="az_verb", metavar="VERB")
    tag.required = True
    add = verb(tag, "add", "merge tags into a resource's tags")
    add.add_argument("--resource-id", required=True)
    add.add_argument("--tags", nargs="+", required=True, metavar="KEY=VALUE")

    resource = groups.add_parser("resource", help="any resource").add_subparsers(
        dest="az_verb", metavar="VERB"
    )
    resource.required = True
    delete = verb(resource, "delete", "delete a resource by id")
    delete.add_argument("--ids", required=True, help="the resource id")

    network = groups.add_parser("network", help="networking").add_subparsers(dest="az_noun", metavar="NOUN")
    network.required = True
    nsg = network.add_parser("nsg", help="network security groups").add_subparsers(
        dest="az_sub", metavar="NOUN"
    )
    nsg.required = True
    rules = nsg.add_parser("rule", help="security rules").add_subparsers(dest="az_verb", metavar="VERB")
    rules.required = True
    rule = verb(rules, "create", "add or replace a security rule")
    rule.add_argument("-g", "--resource-group", required=True)
    rule.add_argument("--nsg-name", required=True)
    rule.add_argument("-n", "--name", required=True)
    rule.add_argument("--priority", type=int, required=True)
    rule.add_argument("--destination-port-ranges", nargs="+", default=["*"])
    rule.add_argument("--access", choices=("Allow", "Deny"), default="Allow")
    rule.add_argument("--protocol", choices=("Tcp", "Udp", "Icmp", "*"), default="Tcp")
    rule.add_argument("--direction", choices=("Inbound", "Outbound"), default="Inbound")
    rule.add_argument("--source-address-prefix", default="*")


def _group_and_name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-g", "--resource-group", required=True)
    parser.add_argument("-n", "--name", required=True)


def run(args: argparse.Namespace, data_dir: Path) -> int:
    from azure.core.exceptions import HttpResponseError

    info = lifecycle.require_running(data_dir)
    az = Az(endpoint_for(info.url, identity(data_dir).subscription, args.user, args.via))
    try:
        result = _dispatch(az, args)
    except HttpResponseError as e:
        code = getattr(e.error, "code", None) or e.status_code
        message = getattr(e.error, "message", None) or e.message
        raise SandboxError(f"({code}) {message}") from None
    if result is not None:
        print(json.dumps(result, indent=2))
    return 0


def _dispatch(az: Any, args: argparse.Namespace) -> dict[str, Any] | None:
    key = (args.az_group, args.az_verb)
    if key == ("vm", "resize"):
        return dict(az.vm_resize(args.resource_group, args.name, args.size))
    if key == ("vm", "boot-diagnostics"):
        return dict(
            az.vm_boot_diagnostics(args.resource_group, args.name, args.state == "enable", args.storage)
        )
    if key == ("disk", "update"):
        return dict(az.disk_update(args.resource_group, args.name, args.size_gb))
    if key == ("tag", "add"):
        return dict(az.tag_add(args.resource_id, _tags(args.tags)))
    if key == ("resource", "delete"):
        az.resource_delete(args.ids)
        return None
    return dict(
        az.nsg_rule_create(
            args.resource_group,
            args.nsg_name,
            args.name,
            priority=args.priority,
            destination_port_ranges=args.destination_port_ranges,
            access=args.access,
            protocol=args.protocol,
            direction=args.direction,
            source_address_prefix=args.source_address_prefix,
        )
    )


def _tags(pairs: list[str]) -> dict[str, str]:
    tags = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--tags: {pair!r} is not KEY=VALUE")
        tags[key] = value
    return tags
