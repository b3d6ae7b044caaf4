"""The Activity Log: ``/subscriptions/{s}/providers/microsoft.insights/eventtypes/management/values``."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from werkzeug.wrappers import Response

from sandbox.arm import activity
from sandbox.arm.endpoints.wire import Call
from sandbox.arm.endpoints.wire import lower_args
from sandbox.arm.endpoints.wire import paged

API_VERSIONS = ("2014-04-01", "2015-04-01", "2017-03-01-preview")


def events(call: Call, args: list[str]) -> Response:
    """The events ``$filter`` selects (a start time is required, as in ARM), newest first."""
    (sub,) = args
    call.check_version(API_VERSIONS, "eventtypes")
    now = datetime.fromtimestamp(call.cloud.clock(), UTC)
    flt = activity.parse_filter(lower_args(call.request).get("$filter"), now)
    return paged(call, call.cloud.events(sub, flt))
