"""Create, read, update, delete and import of any mapped type, as azurerm does them.

A plain type is one ARM resource. An embedded type is written by reading its parent, editing the
parent's body and writing it back (as azurerm does for load balancer probes and rules, data-disk
attachments and backend-pool associations).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

from tf.types import Unknown

from providers.azure.mapping.base import LOOKUPS
from providers.azure.mapping.base import Body
from providers.azure.mapping.base import Lookup
from providers.azure.mapping.base import Mapping
from providers.azure.mapping.data_sources import DataSource
from providers.azure.mapping.schema import Attrs
from sandbox.provider.config import ProviderConfig
from sandbox.provider.errors import AlreadyExists
from sandbox.provider.errors import ArmCallError
from sandbox.provider.errors import CrudError

if TYPE_CHECKING:  # the Azure SDK loads only once the provider is configured: Terraform starts us often
    from sandbox.provider.arm import ArmClient

GROUP_TYPE = "Microsoft.Resources/resourceGroups"
VM_TYPE = "Microsoft.Compute/virtualMachines"
DISK_API_VERSION = "2023-04-02"
#: how many rounds of lookups one read may make (a VM: its NICs, then their public IPs)
LOOKUP_ROUNDS = 3


class Crud:
    def __init__(self, arm: ArmClient, config: ProviderConfig) -> None:
        self.arm = arm
        self.config = config
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def _lock(self, mapping: Mapping, resource_id: str) -> threading.Lock:
        """The lock of the top-level ARM resource a write goes to (azurerm's ``locks.ByID``).

        Terraform applies independent resources in parallel; two that write one body (a load balancer's
        probe and its backend pool, two associations on one NIC) would otherwise lose each other's edit
        between the GET and the PUT.
        """
        target = mapping.embedded.parent_of(resource_id) if mapping.embedded else resource_id
        key = "/".join(target.strip("/").split("/")[:8]).lower()
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def read(self, mapping: Mapping, prior: Attrs) -> Attrs | None:
        resource_id = prior["id"]
        if mapping.embedded:
            parent = self.arm.get(
                mapping.embedded.parent_of(resource_id), mapping.embedded.parent_api_version
            )
            return None if parent is None else mapping.embedded.extract(parent, resource_id, prior)
        body = self.arm.get(resource_id, mapping.api_version)
        return None if body is None else mapping.from_arm(self._looked_up(mapping.lookups, body), prior)

    def create(self, mapping: Mapping, planned: Attrs) -> Attrs:
        planned = without_unknowns(planned)
        resource_id = mapping.id_of(planned, self.config.subscription_id)
        with self._lock(mapping, resource_id):
            if mapping.embedded:
                return self._write_embedded(mapping, resource_id, planned, creating=True)
            if self.arm.get(resource_id, mapping.api_version) is not None:
                raise AlreadyExists(_exists_message(resource_id, mapping.tf_type))
            return self._put(mapping, resource_id, planned, None, "creating")

    def update(self, mapping: Mapping, prior: Attrs, planned: Attrs) -> Attrs:
        planned = without_unknowns(planned)
        resource_id = prior["id"]
        with self._lock(mapping, resource_id):
            if mapping.embedded:
                return self._write_embedded(mapping, resource_id, planned, creating=False)
            current = self.arm.get(resource_id, mapping.api_version)
            return self._put(mapping, resource_id, planned, current, "updating", prior)

    def delete(self, mapping: Mapping, prior: Attrs) -> None:
        with self._lock(mapping, prior["id"]):
            self._delete(mapping, prior)

    def _delete(self, mapping: Mapping, prior: Attrs) -> None:
        resource_id = prior["id"]
        try:
            if mapping.embedded:
                parent_id = mapping.embedded.parent_of(resource_id)
                parent = self.arm.get(parent_id, mapping.embedded.parent_api_version)
                if parent is not None and mapping.embedded.extract(parent, resource_id, prior) is not None:
                    body = mapping.embedded.remove(parent, resource_id, prior)
                    self.arm.put(parent_id, mapping.embedded.parent_api_version, body)
                return
            current = self.arm.get(resource_id, mapping.api_version)
            if mapping.arm_type == GROUP_TYPE and self.config.prevent_group_deletion_with_resources:
                self._refuse_non_empty_group(resource_id)
            self.arm.delete(resource_id, mapping.api_version)
            if mapping.arm_type == VM_TYPE and current is not None and self.config.delete_os_disk_on_deletion:
                os_disk = ((current.get("properties") or {}).get("storageProfile") or {}).get("osDisk") or {}
                disk_id = (os_disk.get("managedDisk") or {}).get("id")
                if disk_id:
                    self.arm.delete(disk_id, DISK_API_VERSION)
        except ArmCallError as e:
            raise CrudError(f"deleting {_describe(mapping, resource_id)}: {e}") from None

    def import_(self, mapping: Mapping, resource_id: str) -> Attrs | None:
        if mapping.embedded:
            return self.read(mapping, {"id": resource_id})
        body = self.arm.get(resource_id, mapping.api_version)
        if body is None:
            return None
        return mapping.imported(
            body, mapping.from_arm(self._looked_up(mapping.lookups, body), {"id": resource_id})
        )

    def _put(
        self,
        mapping: Mapping,
        resource_id: str,
        planned: Attrs,
        current: Body | None,
        verb: str,
        prior: Attrs | None = None,
    ) -> Attrs:
        try:
            if prior is not None and current is not None:
                body = mapping.update_body(without_unknowns(prior), planned, current)
            else:
                body = mapping.to_arm(planned, current)
            written = self.arm.put(resource_id, mapping.api_version, body)
        except ArmCallError as e:
            raise CrudError(f"{verb} {_describe(mapping, resource_id)}: {e}") from None
        return mapping.from_arm(self._looked_up(mapping.lookups, written), planned)

    def read_data(self, source: DataSource, config: Attrs) -> Attrs:
        """A data source's state: its resource read by the id its arguments make."""
        resource_id = source.id_of(config, self.config.subscription_id)
        try:
            body = self.arm.get(resource_id, source.api_version)
        except ArmCallError as e:
            raise CrudError(f"retrieving {source.tf_type} ({resource_id}): {e}") from None
        if body is None:
            raise CrudError(source.not_found(config, self.config.subscription_id))
        found = source.from_arm(self._looked_up(source.lookups, body))
        # azurerm keeps the arguments as written (a name's casing may differ from ARM's)
        return {**found, **{a: config.get(a) for a in source.arguments}}

    def _looked_up(self, lookups: Callable[[Body], list[Lookup]], body: Body) -> Body:
        """``body`` with the results of further reads under ``LOOKUPS``."""
        found: dict[str, Body | None] = {}
        for _ in range(LOOKUP_ROUNDS):
            wanted = [w for w in lookups({**body, LOOKUPS: found}) if w.key not in found]
            if not wanted:
                break
            for lookup in wanted:
                try:
                    if lookup.action:
                        found[lookup.key] = self.arm.post(
                            lookup.resource_id, lookup.action, lookup.api_version
                        )
                    else:
                        found[lookup.key] = self.arm.get(lookup.resource_id, lookup.api_version)
                except ArmCallError:
                    found[lookup.key] = None  # as azurerm: a failed side read leaves those attributes empty
        return {**body, LOOKUPS: found} if found else body

    def _write_embedded(self, mapping: Mapping, resource_id: str, planned: Attrs, creating: bool) -> Attrs:
        assert mapping.embedded is not None
        embedded = mapping.embedded
        parent_id = embedded.parent_of(resource_id)
        verb = "creating" if creating else "updating"
        try:
            parent = self.arm.get(parent_id, embedded.parent_api_version)
            if parent is None:
                raise CrudError(
                    f"{verb} {_describe(mapping, resource_id)}: its parent {parent_id} was not found"
                )
            if creating and embedded.extract(parent, resource_id, None) is not None:
                raise AlreadyExists(_exists_message(resource_id, mapping.tf_type))
            written = self.arm.put(
                parent_id, embedded.parent_api_version, embedded.insert(parent, resource_id, planned)
            )
        except ArmCallError as e:
            raise CrudError(f"{verb} {_describe(mapping, resource_id)}: {e}") from None
        state = embedded.extract(written, resource_id, planned)
        if state is None:
            raise CrudError(
                f"{verb} {_describe(mapping, resource_id)}: it is missing from its parent after the write"
            )
        return state

    def _refuse_non_empty_group(self, group_id: str) -> None:
        names = self.arm.list_group(group_id)
        if names:
            listed = "\n".join(f"* {n}" for n in names)
            raise CrudError(
                f"deleting Resource Group {group_id.rsplit('/', 1)[-1]!r}: the Resource Group still contains "
                "Resources.\n\nTerraform is configured to check for Resources within the Resource Group "
                f"when deleting the Resource Group - and found the following Resources:\n\n{listed}\n\n"
                "This feature is intended to avoid the unintentional destruction of nested Resources "
                "provisioned through some other means. Set `prevent_deletion_if_contains_resources` to "
                "`false` in the `features.resource_group` block to disable this check."
            )


def without_unknowns(value: Any) -> Any:
    """Planned values with the unknowns (computed values ARM will choose) as null, for the mapping."""
    if value is Unknown:
        return None
    if isinstance(value, dict):
        return {k: without_unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_unknowns(v) for v in value]
    return value


def _describe(mapping: Mapping, resource_id: str) -> str:
    return f"{mapping.tf_type} ({resource_id})"


def _exists_message(resource_id: str, tf_type: str) -> str:
    return (
        f'A resource with the ID "{resource_id}" already exists - to be managed via Terraform this resource '
        "needs to be imported into the State. Please see the resource documentation for "
        f'"{tf_type}" for more information'
    )
