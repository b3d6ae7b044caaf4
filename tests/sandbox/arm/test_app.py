"""The router: whatever goes wrong inside, a client gets an ARM error body, never an HTML page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import GenericResource

from providers.azure.sdk import Endpoint
from providers.azure.sdk import client
from providers.azure.sdk import sandbox_credential
from sandbox.arm.app import ArmApp
from sandbox.arm.cloud import Cloud
from sandbox.arm.faults import Faults
from sandbox.arm.store import Store
from sandbox.arm.types import TYPES
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import ResourceType
from sandbox.arm.types.base import Tx

API = "2024-01-01"
WIDGET = "/resourceGroups/rg1/providers/Microsoft.Sandbox/widgets/{}"


def _buggy_prepare(tx: Tx, body: Body, old: Body | None) -> None:
    if body["properties"].get("size") == "explode":
        raise KeyError("size")  # the kind of slip a new type module makes


def _buggy_decorate(tx: Tx, body: Body) -> None:
    raise ZeroDivisionError("division by zero")


class Emulator:
    """One explicit emulator over a store, with the widget type a test chooses, served on loopback."""

    def __init__(self, data: Path, subscription: str, widgets: ResourceType, serve: Callable[[ArmApp], str]):
        types = {**TYPES, widgets.type_name: widgets}
        cloud = Cloud(Store(data / "arm.db"), types, tenant="t", subscriptions=[subscription])
        endpoint = Endpoint(serve(ArmApp(cloud, Faults())), subscription, sandbox_credential(upn="a@b.c"))
        self.resources = client(ResourceManagementClient, endpoint, retry_total=0)
        self.scope = f"/subscriptions/{subscription}"

    def put(self, name: str, size: str) -> GenericResource:
        widget = GenericResource(location="westeurope", properties={"size": size})
        poller = self.resources.resources.begin_create_or_update_by_id(
            self.scope + WIDGET.format(name), widget, api_version=API
        )
        return poller.result()

    def get(self, name: str) -> GenericResource:
        return self.resources.resources.get_by_id(self.scope + WIDGET.format(name), api_version=API)


@pytest.fixture
def subscription() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def emulator(tmp_path: Path, subscription: str, serve) -> Emulator:
    widgets = ResourceType("Microsoft.Sandbox/widgets", (API,), prepare=_buggy_prepare)
    emulator = Emulator(tmp_path, subscription, widgets, serve)
    emulator.resources.resource_groups.create_or_update("rg1", {"location": "westeurope"})
    return emulator


def _internal_error(caught: pytest.ExceptionInfo[HttpResponseError], exception: str) -> None:
    assert caught.value.status_code == 500
    assert caught.value.error.code == "InternalServerError"
    assert exception in caught.value.error.message
    assert caught.value.response.headers["Content-Type"].startswith("application/json")
    assert caught.value.response.headers["x-ms-correlation-request-id"]


def test_a_bug_in_a_type_hook_is_an_arm_internal_server_error(emulator: Emulator) -> None:
    with pytest.raises(HttpResponseError) as caught:
        emulator.put("w1", "explode")
    _internal_error(caught, "KeyError")
    # Nothing half-written, and the emulator keeps serving.
    assert list(emulator.resources.resources.list_by_resource_group("rg1")) == []
    assert emulator.put("w2", "small").name == "w2"


def test_a_bug_on_a_read_is_an_arm_error_too(
    emulator: Emulator, tmp_path: Path, subscription: str, serve
) -> None:
    emulator.put("w1", "small")
    # The same data served by a type module whose read hook has a bug.
    widgets = ResourceType("Microsoft.Sandbox/widgets", (API,), decorate=_buggy_decorate)
    buggy = Emulator(tmp_path, subscription, widgets, serve)
    with pytest.raises(HttpResponseError) as caught:
        buggy.get("w1")
    _internal_error(caught, "ZeroDivisionError")
    assert emulator.get("w1").properties == {"size": "small", "provisioningState": "Succeeded"}
