"""The emulated cloud's state and rules, apart from HTTP: :class:`Cloud` and the records it answers with."""

from __future__ import annotations

from sandbox.arm.cloud.engine import Cloud
from sandbox.arm.cloud.records import Reply
from sandbox.arm.cloud.records import Target

__all__ = ["Cloud", "Reply", "Target"]
