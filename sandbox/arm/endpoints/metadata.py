"""What clients discover before they write: subscriptions and resource providers with their types."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sandbox.arm.cloud import Cloud
from sandbox.arm.cloud.groups import GROUP_API_VERSIONS
from sandbox.arm.endpoints.wire import Call
from sandbox.arm.endpoints.wire import json_response
from sandbox.arm.regions import REGIONS
from sandbox.arm.types.base import ResourceType


def subscriptions(call: Call, args: list[str]) -> Response:
    cloud = call.cloud
    return json_response(200, {"value": [_subscription(cloud, s) for s in cloud.subscriptions.values()]})


def subscription(call: Call, args: list[str]) -> Response:
    (sub,) = args
    return json_response(200, _subscription(call.cloud, sub))


def providers(call: Call, args: list[str]) -> Response:
    (sub,) = args
    namespaces = call.cloud.registry.namespaces()
    return json_response(200, {"value": [_provider(call.cloud, sub, ns) for ns in namespaces]})


def provider(call: Call, args: list[str]) -> Response:
    """One provider; registering it (POST ``…/register``) answers the same: everything is registered."""
    sub, namespace = args
    return json_response(200, _provider(call.cloud, sub, call.cloud.registry.namespace(namespace)))


def _subscription(cloud: Cloud, sub: str) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{sub}",
        "subscriptionId": sub,
        "tenantId": cloud.tenant,
        "displayName": "Sandbox subscription",
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "Sandbox",
            "spendingLimit": "Off",
        },
        "authorizationSource": "RoleBased",
    }


def _provider(cloud: Cloud, sub: str, namespace: str) -> dict[str, Any]:
    types: list[dict[str, Any]] = []

    def add(spec: ResourceType, path: str) -> None:
        types.append(
            {
                "resourceType": path,
                "locations": list(REGIONS),
                "apiVersions": sorted(spec.api_versions, reverse=True),
            }
        )
        for child in spec.children:
            add(child, f"{path}/{child.collection}")

    for spec in cloud.types.values():
        if spec.namespace == namespace:
            add(spec, spec.segment)
    if namespace == "Microsoft.Resources":
        types.append(
            {
                "resourceType": "resourceGroups",
                "locations": [],
                "apiVersions": sorted(GROUP_API_VERSIONS, reverse=True),
            }
        )
    return {
        "id": f"/subscriptions/{sub}/providers/{namespace}",
        "namespace": namespace,
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": types,
    }
