"""What a request can address: the subscriptions, the registered resource types and their api-versions.

Resolution turns an id as a client spelled it into the canonical id ARM answers with (namespace and type
as registered, the resource group as created) or into the error ARM gives for what does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence

from sandbox.arm import ids
from sandbox.arm.cloud.records import Target
from sandbox.arm.errors import ArmError
from sandbox.arm.errors import no_registered_provider
from sandbox.arm.errors import resource_group_not_found
from sandbox.arm.store import Store
from sandbox.arm.types.base import ResourceType


class Registry:
    def __init__(self, store: Store, types: Mapping[str, ResourceType], subscriptions: Sequence[str]) -> None:
        self.store = store
        self.types = {k.lower(): v for k, v in types.items()}
        self.subscriptions = {s.lower(): s for s in subscriptions}

    def check_subscription(self, subscription: str) -> str:
        """The subscription as created, or ARM's 404."""
        canonical = self.subscriptions.get(subscription.lower())
        if canonical is None:
            raise ArmError(
                404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found."
            )
        return canonical

    def namespaces(self) -> list[str]:
        return sorted({t.namespace for t in self.types.values()} | {"Microsoft.Resources"})

    def namespace(self, name: str) -> str:
        """A provider namespace as registered, matched case-insensitively."""
        for ns in self.namespaces():
            if ns.lower() == name.lower():
                return ns
        raise ArmError(400, "InvalidResourceNamespace", f"The resource namespace '{name}' is invalid.")

    def top_level(self, namespace: str, segment: str, api_version: str) -> ResourceType:
        """The spec of ``{namespace}/{segment}``, checked against the request's api-version."""
        spec = self.types.get(f"{namespace}/{segment}".lower())
        if spec is None:
            raise ArmError(
                400,
                "InvalidResourceType",
                f"The resource type '{segment}' could not be found in the namespace '{namespace}' for api "
                f"version '{api_version}'.",
            )
        check_api_version(spec, api_version)
        return spec

    def resolve(self, rid: ids.ResourceId, api_version: str) -> Target:
        """Canonicalize an id against the registry and the existing resource groups."""
        top = self.types.get(f"{rid.namespace}/{rid.types[0]}".lower())
        if top is None:
            if not any(t.namespace.lower() == rid.namespace.lower() for t in self.types.values()):
                raise ArmError(
                    400, "InvalidResourceNamespace", f"The resource namespace '{rid.namespace}' is invalid."
                )
            raise ArmError(
                400,
                "InvalidResourceType",
                f"The resource type '{rid.types[0]}' could not be found in the namespace "
                f"'{rid.namespace}' for api version '{api_version}'.",
            )
        check_api_version(top, api_version)
        spec = top
        types = [top.segment]
        for segment in rid.types[1:]:
            child = spec.child(segment)
            if child is None:
                raise ArmError(
                    400,
                    "InvalidResourceType",
                    f"The resource type '{'/'.join((*types, segment))}' could not be found in the namespace "
                    f"'{top.namespace}' for api version '{api_version}'.",
                )
            spec = child
            types.append(child.collection)
        sub = self.check_subscription(rid.subscription)
        group = self.store.get(ids.group_id(sub, rid.resource_group))
        if group is None:
            raise resource_group_not_found(rid.resource_group)
        canonical = rid._replace(
            subscription=sub, resource_group=group.body["name"], namespace=top.namespace, types=tuple(types)
        )
        return Target(canonical, spec, top)

    def resolve_any_version(self, rid: ids.ResourceId) -> Target:
        """Resolve an id a hook names (no client api-version to check against)."""
        spec = self.types.get(f"{rid.namespace}/{rid.types[0]}".lower())
        return self.resolve(rid, spec.api_versions[-1] if spec else "")

    def spec_of(self, rid: ids.ResourceId) -> ResourceType:
        """The spec of an id already known to be valid (it was resolved when written)."""
        spec = self.types[f"{rid.namespace}/{rid.types[0]}".lower()]
        for segment in rid.types[1:]:
            child = spec.child(segment)
            assert child is not None
            spec = child
        return spec


def check_api_version(spec: ResourceType, api_version: str) -> None:
    if api_version not in spec.api_versions:
        raise no_registered_provider(api_version, spec.segment, spec.api_versions)
