"""Tags ARM refuses (too many, a name or value too long) are refused on resources and groups alike."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.network import models as nm
from azure.mgmt.resource.resources.models import ResourceGroup
from azure.mgmt.resource.resources.models import ResourceGroupPatchable

from sandbox.arm.cloud.shapes import MAX_TAG_NAME
from sandbox.arm.cloud.shapes import MAX_TAG_VALUE
from sandbox.arm.cloud.shapes import MAX_TAGS

TOO_MANY = {f"tag{i}": "v" for i in range(MAX_TAGS + 1)}
LONG_NAME = {"n" * (MAX_TAG_NAME + 1): "v"}
LONG_VALUE = {"owner": "v" * (MAX_TAG_VALUE + 1)}
AT_THE_LIMITS = {"n" * MAX_TAG_NAME: "v" * MAX_TAG_VALUE, **{f"tag{i}": "v" for i in range(MAX_TAGS - 1)}}

REFUSALS = [
    (
        TOO_MANY,
        "InvalidTags",
        f"Requested tag count - '{MAX_TAGS + 1}'. Maximum number of tags allowed - '50'",
    ),
    (LONG_NAME, "InvalidTagName", "Maximum allowed length for tag name - '512' characters"),
    (LONG_VALUE, "InvalidTagValueLength", "Maximum allowed length for tag value - '256' characters"),
]


@pytest.mark.parametrize(("tags", "code", "message"), REFUSALS)
def test_a_resource_group_with_tags_arm_refuses(az, tags, code, message):
    with pytest.raises(HttpResponseError) as e:
        az.resources.resource_groups.create_or_update("rg1", ResourceGroup(location="westeurope", tags=tags))
    assert (e.value.status_code, e.value.error.code) == (400, code)
    assert message in e.value.error.message
    assert list(az.resources.resource_groups.list()) == []

    az.resources.resource_groups.create_or_update(
        "rg1", ResourceGroup(location="westeurope", tags={"a": "1"})
    )
    with pytest.raises(HttpResponseError) as e:
        az.resources.resource_groups.update("rg1", ResourceGroupPatchable(tags=tags))
    assert e.value.error.code == code
    assert az.resources.resource_groups.get("rg1").tags == {"a": "1"}


@pytest.mark.parametrize(("tags", "code", "message"), REFUSALS)
def test_a_resource_with_tags_arm_refuses(az, group, tags, code, message):
    model = nm.PublicIPAddress(location="westeurope", public_ip_allocation_method="Static", tags=tags)
    with pytest.raises(HttpResponseError) as e:
        az.network.public_ip_addresses.begin_create_or_update(group, "pip1", model).result()
    assert (e.value.status_code, e.value.error.code) == (400, code)
    assert message in e.value.error.message
    assert list(az.network.public_ip_addresses.list(group)) == []

    az.public_ip(group)
    with pytest.raises(HttpResponseError) as e:
        az.network.public_ip_addresses.update_tags(group, "pip1", nm.TagsObject(tags=tags))
    assert e.value.error.code == code
    assert az.network.public_ip_addresses.get(group, "pip1").tags in (None, {})


def test_tags_at_the_limits_are_kept(az, group):
    assert (
        az.resources.resource_groups.create_or_update(
            "limits", ResourceGroup(location="westeurope", tags=AT_THE_LIMITS)
        ).tags
        == AT_THE_LIMITS
    )
    az.public_ip(group)
    updated = az.network.public_ip_addresses.update_tags(group, "pip1", nm.TagsObject(tags=AT_THE_LIMITS))
    assert updated.tags == AT_THE_LIMITS
