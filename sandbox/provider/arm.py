"""ARM calls the provider makes: generic by-id reads and writes through the real Azure SDK."""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import HttpResponseError
from azure.core.exceptions import ResourceNotFoundError
from azure.core.rest import HttpRequest
from azure.mgmt.resource.resources import ResourceManagementClient

from providers.azure.sdk import Endpoint
from providers.azure.sdk import client
from providers.azure.sdk import wire_json
from sandbox.provider.errors import ArmCallError

Body = dict[str, Any]


class ArmClient:
    """GET/PUT/DELETE of any resource by id, with the api-version the mapping names."""

    def __init__(self, endpoint: Endpoint, user_agent: str) -> None:
        self._client = client(ResourceManagementClient, endpoint, user_agent=user_agent)
        self._resources = self._client.resources

    def get(self, resource_id: str, api_version: str) -> Body | None:
        try:
            response = self._resources.get_by_id(resource_id, api_version=api_version)
        except ResourceNotFoundError:
            return None
        except HttpResponseError as e:
            if e.status_code == 404:
                return None
            raise _error(e) from None
        return wire_json(response)

    def put(self, resource_id: str, api_version: str, body: Body) -> Body:
        try:
            poller = self._resources.begin_create_or_update_by_id(
                resource_id, api_version=api_version, parameters=body
            )
            poller.result()
        except HttpResponseError as e:
            raise _error(e) from None
        written = self.get(resource_id, api_version)
        if written is None:
            raise ArmCallError(404, "NotFound", f"{resource_id} was not found right after it was written")
        return written

    def post(self, resource_id: str, action: str, api_version: str) -> Body | None:
        """A POST action on a resource (``listKeys``); None when the resource is not there."""
        request = HttpRequest("POST", f"{resource_id}/{action}", params={"api-version": api_version}, json={})
        response = self._client.send_request(request)
        if response.status_code == 404:
            return None
        try:
            response.raise_for_status()
        except HttpResponseError as e:
            raise _error(e) from None
        return dict(response.json()) if response.content else {}

    def list_group(self, group_id: str) -> list[str]:
        """Ids of the resources in a resource group."""
        name = group_id.rstrip("/").rsplit("/", 1)[-1]
        try:
            return [str(r.id) for r in self._resources.list_by_resource_group(name)]
        except HttpResponseError as e:
            if e.status_code == 404:
                return []
            raise _error(e) from None

    def delete(self, resource_id: str, api_version: str) -> None:
        try:
            self._resources.begin_delete_by_id(resource_id, api_version=api_version).result()
        except ResourceNotFoundError:
            return
        except HttpResponseError as e:
            if e.status_code == 404:
                return
            raise _error(e) from None


def _error(e: HttpResponseError) -> ArmCallError:
    code = getattr(e.error, "code", None) or "Unknown"
    message = getattr(e.error, "message", None) or e.message
    return ArmCallError(e.status_code, str(code), str(message))
