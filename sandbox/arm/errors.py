"""ARM errors with the exact wire code and HTTP status a real client expects."""

from __future__ import annotations

from typing import Any


class ArmError(Exception):
    """An error ARM would return: ``{"error": {"code": ..., "message": ...}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


def not_found(resource_id: str, type_name: str) -> ArmError:
    return ArmError(
        404,
        "ResourceNotFound",
        f"The Resource '{type_name}/{resource_id.rstrip('/').rsplit('/', 1)[-1]}' under resource group "
        f"'{_rg_of(resource_id)}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    )


def resource_group_not_found(name: str) -> ArmError:
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")


def no_registered_provider(api_version: str, type_segment: str, supported: tuple[str, ...]) -> ArmError:
    """An api-version the type does not have; ARM lists the ones it does."""
    return ArmError(
        400,
        "NoRegisteredProviderFound",
        f"No registered resource provider found for location 'global' and API version '{api_version}' "
        f"for type '{type_segment}'. The supported api-versions are '{', '.join(supported)}'.",
    )


def bad_request(message: str, code: str = "InvalidRequestContent") -> ArmError:
    return ArmError(400, code, message)


def invalid_parameter(target: str, message: str) -> ArmError:
    return ArmError(400, "InvalidParameter", f"{message} Target: '{target}'.")


def _rg_of(resource_id: str) -> str:
    parts = resource_id.split("/")
    lowered = [p.lower() for p in parts]
    if "resourcegroups" in lowered:
        i = lowered.index("resourcegroups")
        if i + 1 < len(parts):
            return parts[i + 1]
    return ""
