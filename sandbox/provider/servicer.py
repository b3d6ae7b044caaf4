"""The plugin-protocol-6 servicer: Terraform's RPCs mapped onto the schema, the planner and CRUD."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from collections.abc import Mapping as MappingType
from typing import Any

from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc
from tf.utils import read_dynamic_value
from tf.utils import to_dynamic_value

from providers.azure.mapping.base import Mapping
from providers.azure.mapping.base import MappingError
from providers.azure.mapping.data_sources import DataSource
from sandbox.provider import config as provider_config
from sandbox.provider.crud import Crud
from sandbox.provider.data_sources import client_config
from sandbox.provider.data_sources import schemas as data_source_schemas
from sandbox.provider.errors import ArmCallError
from sandbox.provider.errors import CrudError
from sandbox.provider.planner import plan
from sandbox.provider.values import attribute_path
from sandbox.provider.values import conform
from sandbox.provider.values import diagnostic
from sandbox.provider.values import is_known
from sandbox.provider.values import schema_pb

PROVIDER_VERSION = "4.0.0-sandbox"

CrudFactory = Callable[[provider_config.ProviderConfig, str], Crud]


def default_crud(config: provider_config.ProviderConfig, terraform_version: str) -> Crud:
    # Imported here: a provider process started only for schema or validation never needs the SDK.
    from providers.azure.sdk import Endpoint
    from providers.azure.sdk import sandbox_credential
    from sandbox.provider.arm import ArmClient

    credential = sandbox_credential(
        appid=config.client_id, oid=config.client_id, idtyp="app", tid=config.tenant_id
    )
    user_agent = (
        f"HashiCorp Terraform/{terraform_version} (+https://www.terraform.io) "
        f"terraform-provider-azurerm/{PROVIDER_VERSION}"
    )
    endpoint = Endpoint(config.endpoint, config.subscription_id, credential)
    return Crud(ArmClient(endpoint, user_agent), config)


class Servicer(rpc.ProviderServicer):
    def __init__(
        self,
        mappings: MappingType[str, Mapping],
        data_sources: MappingType[str, DataSource],
        make_crud: CrudFactory = default_crud,
    ) -> None:
        self.mappings = mappings
        self.data_sources = data_sources
        self.data_schemas = data_source_schemas(data_sources)
        self.make_crud = make_crud
        self.crud: Crud | None = None
        self.stopped = threading.Event()

    # -- provider ----------------------------------------------------------------------------------------

    def GetMetadata(self, request: Any, context: Any) -> Any:
        return pb.GetMetadata.Response(
            server_capabilities=pb.ServerCapabilities(plan_destroy=True, get_provider_schema_optional=True),
            resources=[pb.GetMetadata.ResourceMetadata(type_name=t) for t in self.mappings],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=t) for t in self.data_schemas],
        )

    def GetProviderSchema(self, request: Any, context: Any) -> Any:
        return pb.GetProviderSchema.Response(
            provider=schema_pb(provider_config.SCHEMA),
            provider_meta=schema_pb(()),
            resource_schemas={name: schema_pb(m.schema) for name, m in self.mappings.items()},
            data_source_schemas={name: schema_pb(items) for name, items in self.data_schemas.items()},
            server_capabilities=pb.ServerCapabilities(plan_destroy=True, get_provider_schema_optional=True),
        )

    def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateProviderConfig.Response()

    def ConfigureProvider(self, request: Any, context: Any) -> Any:
        config = read_dynamic_value(request.config) or {}
        try:
            resolved = provider_config.resolve(config)
        except provider_config.ProviderConfigError as e:
            path: list[str | int] | None = [e.attribute] if e.attribute else None
            return pb.ConfigureProvider.Response(diagnostics=[diagnostic(e.summary, e.detail, path)])
        self.crud = self.make_crud(resolved, request.terraform_version or "1.x")
        return pb.ConfigureProvider.Response()

    def StopProvider(self, request: Any, context: Any) -> Any:
        self.stopped.set()
        return pb.StopProvider.Response()

    # -- resources ---------------------------------------------------------------------------------------

    def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
        mapping = self.mappings[request.type_name]
        config = read_dynamic_value(request.config) or {}
        problems = mapping.problems(config)
        return pb.ValidateResourceConfig.Response(
            diagnostics=[diagnostic(message, path=_path(attr)) for attr, message in problems]
        )

    def UpgradeResourceState(self, request: Any, context: Any) -> Any:
        mapping = self.mappings[request.type_name]
        state = json.loads(request.raw_state.json) if request.raw_state.json else None
        return pb.UpgradeResourceState.Response(
            upgraded_state=to_dynamic_value(conform(mapping.schema, state))
        )

    def ReadResource(self, request: Any, context: Any) -> Any:
        mapping = self.mappings[request.type_name]
        current = read_dynamic_value(request.current_state)
        try:
            fresh = self._crud().read(mapping, current)
        except (ArmCallError, MappingError) as e:
            return pb.ReadResource.Response(
                new_state=request.current_state,
                diagnostics=[diagnostic(f"retrieving {mapping.tf_type} ({current.get('id')}): {e}")],
            )
        return pb.ReadResource.Response(new_state=to_dynamic_value(conform(mapping.schema, fresh)))

    def PlanResourceChange(self, request: Any, context: Any) -> Any:
        mapping = self.mappings[request.type_name]
        prior = read_dynamic_value(request.prior_state)
        config = read_dynamic_value(request.config)
        if config is None:  # destroy
            return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)
        result = plan(mapping.schema, prior, config)
        diagnostics = []
        if prior is None and is_known({k: v for k, v in result.planned.items() if k != "id"}):
            try:
                mapping.id_of(result.planned, self._subscription())
            except MappingError as e:
                diagnostics.append(diagnostic(str(e)))
        return pb.PlanResourceChange.Response(
            planned_state=to_dynamic_value(conform(mapping.schema, result.planned)),
            requires_replace=[attribute_path(p) for p in result.requires_replace],
            diagnostics=diagnostics,
            legacy_type_system=True,
        )

    def ApplyResourceChange(self, request: Any, context: Any) -> Any:
        mapping = self.mappings[request.type_name]
        prior = read_dynamic_value(request.prior_state)
        planned = read_dynamic_value(request.planned_state)
        crud = self._crud()
        try:
            if planned is None:
                crud.delete(mapping, prior)
                return pb.ApplyResourceChange.Response(
                    new_state=to_dynamic_value(None), legacy_type_system=True
                )
            state = crud.create(mapping, planned) if prior is None else crud.update(mapping, prior, planned)
        except (CrudError, ArmCallError, MappingError) as e:
            keep = request.prior_state if prior is not None else to_dynamic_value(None)
            return pb.ApplyResourceChange.Response(
                new_state=keep, diagnostics=[diagnostic(str(e))], legacy_type_system=True
            )
        return pb.ApplyResourceChange.Response(
            new_state=to_dynamic_value(conform(mapping.schema, state)), legacy_type_system=True
        )

    def ImportResourceState(self, request: Any, context: Any) -> Any:
        mapping = self.mappings[request.type_name]
        try:
            state = self._crud().import_(mapping, request.id)
        except (ArmCallError, MappingError) as e:
            return pb.ImportResourceState.Response(diagnostics=[diagnostic(f"importing {request.id!r}: {e}")])
        if state is None:
            return pb.ImportResourceState.Response(
                diagnostics=[
                    diagnostic(
                        "Cannot import non-existent remote object",
                        f"While attempting to import an existing object to {mapping.tf_type}, the provider "
                        f"detected that no object exists with the given id {request.id!r}.",
                    )
                ]
            )
        return pb.ImportResourceState.Response(
            imported_resources=[
                pb.ImportResourceState.ImportedResource(
                    type_name=request.type_name, state=to_dynamic_value(conform(mapping.schema, state))
                )
            ]
        )

    # -- data sources ------------------------------------------------------------------------------------

    def ValidateDataResourceConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateDataResourceConfig.Response()

    def ReadDataSource(self, request: Any, context: Any) -> Any:
        config = read_dynamic_value(request.config) or {}
        source = self.data_sources.get(request.type_name)
        try:
            crud = self._crud()
            state = crud.read_data(source, config) if source else client_config(crud.config)
        except (CrudError, MappingError) as e:
            return pb.ReadDataSource.Response(diagnostics=[diagnostic(str(e))])
        schema = self.data_schemas[request.type_name]
        return pb.ReadDataSource.Response(state=to_dynamic_value(conform(schema, state)))

    def _crud(self) -> Crud:
        if self.crud is None:
            raise CrudError("the provider was not configured")
        return self.crud

    def _subscription(self) -> str:
        return self.crud.config.subscription_id if self.crud else "00000000-0000-0000-0000-000000000000"


def _path(attr: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in attr.split(".")] if attr else []
