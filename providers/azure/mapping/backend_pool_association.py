"""azurerm_network_interface_backend_address_pool_association: a pool reference in a NIC's IP configuration.

Written, as azurerm does, by editing ``ipConfigurations[].properties.loadBalancerBackendAddressPools`` of
the network interface; its id is ``{nic id}/ipConfigurations/{ip configuration name}|{pool id}``.
"""

from __future__ import annotations

import copy

from providers.azure.mapping import ids
from providers.azure.mapping.association import added
from providers.azure.mapping.association import association
from providers.azure.mapping.association import pair
from providers.azure.mapping.association import removed
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Embedded
from providers.azure.mapping.base import MappingError
from providers.azure.mapping.ids import find
from providers.azure.mapping.ids import ids_of
from providers.azure.mapping.load_balancer import API_VERSION
from providers.azure.mapping.load_balancer import POOL
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import id_attr

NIC = "Microsoft.Network/networkInterfaces"
IP_CONFIGURATION = "Microsoft.Network/networkInterfaces/ipConfigurations"


def _association_id(attrs: Attrs, sub: str) -> str:
    ids.parse(attrs["network_interface_id"], NIC, "network_interface_id")
    ids.parse(attrs["backend_address_pool_id"], POOL, "backend_address_pool_id")
    return (
        f"{attrs['network_interface_id']}/ipConfigurations/{attrs['ip_configuration_name']}"
        f"|{attrs['backend_address_pool_id']}"
    )


def _association_parts(resource_id: str) -> tuple[dict[str, str], str]:
    """The NIC IP configuration's parsed id and the pool id of ``{ip configuration id}|{pool id}``."""
    config_id, pool_id = pair(
        resource_id, "{networkInterfaceId}/ipConfigurations/{ipConfigurationName}|{backendAddressPoolId}"
    )
    ids.parse(pool_id, POOL, "backend_address_pool_id")
    return ids.parse(config_id, IP_CONFIGURATION), pool_id


def _nic_of(resource_id: str) -> str:
    config, _ = _association_parts(resource_id)
    return ids.resource_id(config["subscription"], config["resource_group"], NIC, config["networkInterfaces"])


def _ip_configuration(nic: Body, config_name: str, nic_id: str) -> Body:
    found = find((nic.get("properties") or {}).get("ipConfigurations"), config_name)
    if found is None:
        raise MappingError(f"IP Configuration {config_name!r} was not found on Network Interface {nic_id}")
    return found[1]


def _associate(parent: Body, resource_id: str, attrs: Attrs) -> Body:
    body = copy.deepcopy(parent)
    config = _ip_configuration(body, attrs["ip_configuration_name"], body.get("id", ""))
    props = config.setdefault("properties", {})
    pools = props.get("loadBalancerBackendAddressPools")
    props["loadBalancerBackendAddressPools"] = added(pools, attrs["backend_address_pool_id"])
    return body


def _dissociate(parent: Body, resource_id: str, attrs: Attrs) -> Body:
    config_parts, pool_id = _association_parts(resource_id)
    body = copy.deepcopy(parent)
    config = _ip_configuration(body, config_parts["ipConfigurations"], body.get("id", ""))
    props = config.setdefault("properties", {})
    props["loadBalancerBackendAddressPools"] = removed(props.get("loadBalancerBackendAddressPools"), pool_id)
    return body


def _association_extract(parent: Body, resource_id: str, prior: Attrs | None) -> Attrs | None:
    config_parts, pool_id = _association_parts(resource_id)
    found = find((parent.get("properties") or {}).get("ipConfigurations"), config_parts["ipConfigurations"])
    if found is None:
        return None
    pools = (found[1].get("properties") or {}).get("loadBalancerBackendAddressPools")
    if not any(ids.same(p, pool_id) for p in ids_of(pools)):
        return None
    return {
        "id": resource_id,
        "network_interface_id": parent["id"],
        "ip_configuration_name": config_parts["ipConfigurations"],
        "backend_address_pool_id": pool_id,
    }


NIC_POOL_ASSOCIATION = association(
    tf_type="azurerm_network_interface_backend_address_pool_association",
    parent_type=IP_CONFIGURATION,
    schema=(
        id_attr(),
        Attr("network_interface_id", required=True, force_new=True),
        Attr("ip_configuration_name", required=True, force_new=True),
        Attr("backend_address_pool_id", required=True, force_new=True),
    ),
    id_of=_association_id,
    embedded=Embedded(
        parent_of=_nic_of,
        parent_api_version=API_VERSION,
        insert=_associate,
        remove=_dissociate,
        extract=_association_extract,
    ),
)
