"""The emulator's HTTP endpoints, one module per family; :mod:`sandbox.arm.app` routes requests to them.

Every endpoint is a function ``(call, args) -> Response``: ``args`` are the path segments its route
captured (the subscription as created first); errors are raised as :class:`~sandbox.arm.errors.ArmError`.
"""
