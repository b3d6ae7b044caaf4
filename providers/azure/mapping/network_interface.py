"""azurerm_network_interface (+ its security group association) ↔ Microsoft.Network/networkInterfaces.

Other resources write into a NIC's body: azurerm_network_interface_security_group_association sets
``properties.networkSecurityGroup`` and the backend-pool association edits
``ipConfigurations[].properties.loadBalancerBackendAddressPools``. Like azurerm, updating the NIC keeps
those live values instead of dropping them.
"""

from __future__ import annotations

import copy
from typing import Any

from tf.types import Unknown

from providers.azure.mapping import ids
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Embedded
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.base import MappingError
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.schema import case_insensitive
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.schema import location
from providers.azure.mapping.schema import name
from providers.azure.mapping.schema import resource_group_name
from providers.azure.mapping.schema import tags

API_VERSION = "2024-05-01"
NIC = "Microsoft.Network/networkInterfaces"
NSG = "Microsoft.Network/networkSecurityGroups"

# ip-configuration properties other azurerm resources manage; a NIC update keeps them per configuration
_KEPT_PER_CONFIGURATION = (
    "loadBalancerBackendAddressPools",
    "loadBalancerInboundNatRules",
    "applicationGatewayBackendAddressPools",
    "applicationSecurityGroups",
)

# NIC properties this resource writes; the others (networkSecurityGroup: the association's) are kept
_MANAGED = frozenset(
    {"ipConfigurations", "enableAcceleratedNetworking", "enableIPForwarding", "dnsSettings"}
    | {"auxiliaryMode", "auxiliarySku"}
)
# what ARM derives and ignores in a PUT
_READ_ONLY = frozenset(
    {"provisioningState", "resourceGuid", "macAddress", "virtualMachine", "primary", "hostedWorkloads"}
    | {"tapConfigurations", "privateEndpoint", "dscpConfiguration", "vnetEncryptionSupported"}
)

_IP_CONFIGURATION = Block(
    "ip_configuration",
    (
        Attr("name", required=True),
        Attr("gateway_load_balancer_frontend_ip_configuration_id", optional=True, computed=True),
        Attr("primary", Kind.BOOL, optional=True, computed=True),
        Attr("private_ip_address", optional=True, computed=True),
        Attr("private_ip_address_allocation", required=True, one_of=("Dynamic", "Static")),
        Attr("private_ip_address_version", optional=True, default="IPv4", one_of=("IPv4", "IPv6")),
        Attr("public_ip_address_id", optional=True, normalize=case_insensitive),
        Attr("subnet_id", optional=True, normalize=case_insensitive),
    ),
    min_items=1,
)


def _nic_id(attrs: Attrs, sub: str) -> str:
    return ids.resource_id(sub, attrs["resource_group_name"], NIC, attrs["name"])


def _ip_configuration(attrs: Attrs, live: Body | None) -> Body:
    props: Body = {
        "privateIPAllocationMethod": attrs["private_ip_address_allocation"],
        "privateIPAddressVersion": attrs.get("private_ip_address_version") or "IPv4",
        "primary": bool(attrs.get("primary")),
    }
    if attrs.get("subnet_id"):
        props["subnet"] = {"id": attrs["subnet_id"]}
    if attrs.get("private_ip_address"):
        props["privateIPAddress"] = attrs["private_ip_address"]
    if attrs.get("public_ip_address_id"):
        props["publicIPAddress"] = {"id": attrs["public_ip_address_id"]}
    if attrs.get("gateway_load_balancer_frontend_ip_configuration_id"):
        props["gatewayLoadBalancer"] = {"id": attrs["gateway_load_balancer_frontend_ip_configuration_id"]}
    live_props = (live or {}).get("properties") or {}
    for key in _KEPT_PER_CONFIGURATION:
        if live_props.get(key):
            props[key] = copy.deepcopy(live_props[key])
    return {"name": attrs["name"], "properties": props}


def _nic_to_arm(attrs: Attrs, current: Body | None) -> Body:
    current_props = (current or {}).get("properties") or {}
    live = {c["name"].lower(): c for c in current_props.get("ipConfigurations") or []}
    # Like azurerm, which updates the body it read: what this resource does not manage stays as it is.
    props: Body = {
        k: copy.deepcopy(v) for k, v in current_props.items() if k not in _MANAGED and k not in _READ_ONLY
    }
    props |= {
        "ipConfigurations": [
            _ip_configuration(c, live.get(c["name"].lower())) for c in attrs.get("ip_configuration") or []
        ],
        "enableAcceleratedNetworking": bool(attrs.get("accelerated_networking_enabled")),
        "enableIPForwarding": bool(attrs.get("ip_forwarding_enabled")),
        "dnsSettings": {"dnsServers": list(attrs.get("dns_servers") or [])},
    }
    if attrs.get("internal_dns_name_label"):
        props["dnsSettings"]["internalDnsNameLabel"] = attrs["internal_dns_name_label"]
    if attrs.get("auxiliary_mode"):
        props["auxiliaryMode"] = attrs["auxiliary_mode"]
    if attrs.get("auxiliary_sku"):
        props["auxiliarySku"] = attrs["auxiliary_sku"]
    body: Body = {"location": attrs["location"], "tags": attrs.get("tags") or {}, "properties": props}
    if attrs.get("edge_zone"):
        body["extendedLocation"] = {"name": attrs["edge_zone"], "type": "EdgeZone"}
    return body


def _ip_configuration_attrs(body: Body) -> Attrs:
    props = body.get("properties") or {}
    return {
        "name": body["name"],
        "gateway_load_balancer_frontend_ip_configuration_id": (props.get("gatewayLoadBalancer") or {}).get(
            "id"
        ),
        "primary": bool(props.get("primary")),
        "private_ip_address": props.get("privateIPAddress") or None,
        "private_ip_address_allocation": props.get("privateIPAllocationMethod"),
        "private_ip_address_version": props.get("privateIPAddressVersion") or "IPv4",
        "public_ip_address_id": (props.get("publicIPAddress") or {}).get("id"),
        "subnet_id": (props.get("subnet") or {}).get("id"),
    }


def _nic_from_arm(body: Body, prior: Attrs | None) -> Attrs:
    props = body.get("properties") or {}
    configs = [_ip_configuration_attrs(c) for c in props.get("ipConfigurations") or []]
    addresses = [c["private_ip_address"] for c in configs if c["private_ip_address"]]
    dns = props.get("dnsSettings") or {}
    edge = body.get("extendedLocation") or {}
    # ARM answers "None" for an unset auxiliary mode or SKU; azurerm shows it as unset.
    aux_mode, aux_sku = props.get("auxiliaryMode"), props.get("auxiliarySku")
    return {
        **ids.located(body, NIC),
        "ip_configuration": configs,
        "accelerated_networking_enabled": bool(props.get("enableAcceleratedNetworking")),
        "applied_dns_servers": list(dns.get("appliedDnsServers") or []),
        "auxiliary_mode": aux_mode if aux_mode and aux_mode != "None" else None,
        "auxiliary_sku": aux_sku if aux_sku and aux_sku != "None" else None,
        "dns_servers": list(dns.get("dnsServers") or []),
        "edge_zone": edge.get("name") if edge.get("type") == "EdgeZone" else None,
        "internal_dns_name_label": dns.get("internalDnsNameLabel") or None,
        "internal_domain_name_suffix": dns.get("internalDomainNameSuffix") or None,
        "ip_forwarding_enabled": bool(props.get("enableIPForwarding")),
        "mac_address": props.get("macAddress") or None,
        "private_ip_address": configs[0]["private_ip_address"] if configs else None,
        "private_ip_addresses": addresses,
        "virtual_machine_id": (props.get("virtualMachine") or {}).get("id"),
        "tags": body.get("tags") or {},
    }


def _nic_validate(config: Attrs) -> list[tuple[str, str]]:
    problems = []
    configs = config.get("ip_configuration")
    if not isinstance(configs, list):
        return []
    for index, c in enumerate(configs):
        if not isinstance(c, dict):
            continue
        path = f"ip_configuration.{index}"
        version = c.get("private_ip_address_version")
        if version in (None, "IPv4") and c.get("subnet_id") is None:
            problems.append(
                (f"{path}.subnet_id", "a Subnet ID must be specified for an IPv4 Network Interface")
            )
    primaries = [c.get("primary") for c in configs if isinstance(c, dict)]
    if len(configs) > 1 and not any(p is True or p is Unknown for p in primaries) and Unknown not in configs:
        problems.append(
            (
                "ip_configuration",
                "if multiple `ip_configurations` are specified - one must be designated as `primary`",
            )
        )
    return problems


NETWORK_INTERFACE = Mapping(
    tf_type="azurerm_network_interface",
    arm_type=NIC,
    api_version=API_VERSION,
    schema=(
        id_attr(),
        name(),
        resource_group_name(),
        location(),
        _IP_CONFIGURATION,
        Attr("accelerated_networking_enabled", Kind.BOOL, optional=True, default=False),
        Attr("applied_dns_servers", Kind.LIST_STRING, computed=True),
        Attr("auxiliary_mode", optional=True),
        Attr("auxiliary_sku", optional=True),
        Attr("dns_servers", Kind.LIST_STRING, optional=True),
        Attr("edge_zone", optional=True, force_new=True),
        Attr("internal_dns_name_label", optional=True),
        Attr("internal_domain_name_suffix", computed=True),
        Attr("ip_forwarding_enabled", Kind.BOOL, optional=True, default=False),
        Attr("mac_address", computed=True),
        Attr("private_ip_address", computed=True),
        Attr("private_ip_addresses", Kind.LIST_STRING, computed=True),
        Attr("virtual_machine_id", computed=True),
        tags(),
    ),
    id_of=_nic_id,
    to_arm=_nic_to_arm,
    from_arm=_nic_from_arm,
    validate=_nic_validate,
)


# -- azurerm_network_interface_security_group_association ---------------------------------------------


def _split(association_id: str) -> tuple[str, str]:
    """``{nic_id}|{nsg_id}`` → both ids, checked."""
    nic_id, sep, nsg_id = association_id.partition("|")
    if not sep:
        raise MappingError(
            f"id: {association_id!r} is not a Network Interface Security Group Association id: expected "
            "{networkInterfaceId}|{networkSecurityGroupId}"
        )
    ids.parse(nic_id, NIC)
    ids.parse(nsg_id, NSG)
    return nic_id, nsg_id


def _association_id(attrs: Attrs, sub: str) -> str:
    ids.parse(attrs["network_interface_id"], NIC, "network_interface_id")
    ids.parse(attrs["network_security_group_id"], NSG, "network_security_group_id")
    return f"{attrs['network_interface_id']}|{attrs['network_security_group_id']}"


def _with_group(nic: Body, group: Any) -> Body:
    body = copy.deepcopy(nic)
    props = body.setdefault("properties", {})
    props.pop("networkSecurityGroup", None)
    if group is not None:
        props["networkSecurityGroup"] = group
    return body


def _associate(nic: Body, association_id: str, attrs: Attrs) -> Body:
    return _with_group(nic, {"id": attrs["network_security_group_id"]})


def _dissociate(nic: Body, association_id: str, attrs: Attrs) -> Body:
    return _with_group(nic, None)


def _association_extract(nic: Body, association_id: str, prior: Attrs | None) -> Attrs | None:
    group = ((nic.get("properties") or {}).get("networkSecurityGroup") or {}).get("id")
    if not group:
        return None
    # The live group, not the one named in the id: another group put there out of band is drift to show.
    return {"id": association_id, "network_interface_id": nic["id"], "network_security_group_id": group}


def _association_from_nic(nic: Body, prior: Attrs | None) -> Attrs:
    """The association a NIC's body shows (ids null when it has no group)."""
    group = ((nic.get("properties") or {}).get("networkSecurityGroup") or {}).get("id")
    association_id = (prior or {}).get("id") or (f"{nic['id']}|{group}" if group else None)
    return {
        "id": association_id if group else None,
        "network_interface_id": nic["id"],
        "network_security_group_id": group,
    }


NETWORK_INTERFACE_SECURITY_GROUP_ASSOCIATION = Mapping(
    tf_type="azurerm_network_interface_security_group_association",
    arm_type=NIC,
    api_version=API_VERSION,
    schema=(
        id_attr(),
        Attr("network_interface_id", required=True, force_new=True, normalize=case_insensitive),
        Attr("network_security_group_id", required=True, force_new=True, normalize=case_insensitive),
    ),
    id_of=_association_id,
    to_arm=lambda attrs, current: _associate(current or {}, "", attrs),
    from_arm=_association_from_nic,
    embedded=Embedded(
        parent_of=lambda association_id: _split(association_id)[0],
        parent_api_version=API_VERSION,
        insert=_associate,
        remove=_dissociate,
        extract=_association_extract,
    ),
)
