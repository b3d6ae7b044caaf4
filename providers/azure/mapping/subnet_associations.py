"""The three azurerm associations that set one reference in a subnet's body.

``azurerm_subnet_network_security_group_association`` (``properties.networkSecurityGroup``),
``azurerm_subnet_route_table_association`` (``properties.routeTable``) and
``azurerm_subnet_nat_gateway_association`` (``properties.natGateway``) work alike, as azurerm writes them:
read the subnet, set or clear the reference, PUT the subnet back. Their id is the subnet's; a subnet that
already holds such a reference has to be imported rather than associated again. ``azurerm_subnet``
keeps these references when it updates the subnet (see ``virtual_network.ASSOCIATED``).
"""

from __future__ import annotations

import copy

from providers.azure.mapping import ids
from providers.azure.mapping.association import association
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Embedded
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.nat_gateway import NAT_GATEWAY
from providers.azure.mapping.network_security_group import NSG
from providers.azure.mapping.route_table import ROUTE_TABLE
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import id_attr
from providers.azure.mapping.virtual_network import API_VERSION
from providers.azure.mapping.virtual_network import SUBNET


def _subnet_reference(tf_type: str, attr: str, target_type: str, key: str) -> Mapping:
    """An association that points the subnet's ``properties[key]`` at the resource ``attr`` names."""

    def id_of(attrs: Attrs, sub: str) -> str:
        ids.parse(attrs[attr], target_type, attr)
        ids.parse(attrs["subnet_id"], SUBNET, "subnet_id")
        return str(attrs["subnet_id"])

    def insert(parent: Body, resource_id: str, attrs: Attrs) -> Body:
        body = copy.deepcopy(parent)
        body.setdefault("properties", {})[key] = {"id": attrs[attr]}
        return body

    def remove(parent: Body, resource_id: str, attrs: Attrs) -> Body:
        body = copy.deepcopy(parent)
        body.setdefault("properties", {}).pop(key, None)
        return body

    def extract(parent: Body, resource_id: str, prior: Attrs | None) -> Attrs | None:
        target = ids.ref(parent.get("properties"), key)
        if target is None:
            return None  # as azurerm: no reference, no association
        return {"id": resource_id, "subnet_id": parent["id"], attr: target}

    def subnet_of(resource_id: str) -> str:
        ids.parse(resource_id, SUBNET)
        return resource_id

    return association(
        tf_type=tf_type,
        parent_type=SUBNET,
        schema=(
            id_attr(),
            Attr("subnet_id", required=True, force_new=True),
            Attr(attr, required=True, force_new=True),
        ),
        id_of=id_of,
        embedded=Embedded(
            parent_of=subnet_of,
            parent_api_version=API_VERSION,
            insert=insert,
            remove=remove,
            extract=extract,
        ),
    )


SUBNET_NETWORK_SECURITY_GROUP = _subnet_reference(
    "azurerm_subnet_network_security_group_association",
    "network_security_group_id",
    NSG,
    "networkSecurityGroup",
)
SUBNET_ROUTE_TABLE = _subnet_reference(
    "azurerm_subnet_route_table_association",
    "route_table_id",
    ROUTE_TABLE,
    "routeTable",
)
SUBNET_NAT_GATEWAY = _subnet_reference(
    "azurerm_subnet_nat_gateway_association",
    "nat_gateway_id",
    NAT_GATEWAY,
    "natGateway",
)
