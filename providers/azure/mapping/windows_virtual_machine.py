"""azurerm_windows_virtual_machine ↔ Microsoft.Compute/virtualMachines (``osProfile.windowsConfiguration``).

What it shares with the Linux VM lives in :mod:`providers.azure.mapping.virtual_machine`; here are the
required password (write-only: ARM never returns it, state keeps the configured value; an imported VM
holds azurerm's placeholder, which matches any configured password), the 15-character computer name,
automatic updates, hotpatching, the time zone and Windows' patch modes and licenses (azurerm 4.x names).
"""

from __future__ import annotations

import re
from typing import Any

from providers.azure.mapping.base import Body
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.virtual_machine import OsFlavour
from providers.azure.mapping.virtual_machine import same_password
from providers.azure.mapping.virtual_machine import vm_mapping

_PATCH_MODES = ("AutomaticByOS", "AutomaticByPlatform", "Manual")
_LICENSES = ("None", "Windows_Client", "Windows_Server")
#: images azurerm lets hotpatching run on (``isValidHotPatchSourceImageReference``)
_HOTPATCH_SKUS = (
    "2022-datacenter-azure-edition-core",
    "2022-datacenter-azure-edition-core-smalldisk",
    "2022-datacenter-azure-edition-hotpatch",
    "2022-datacenter-azure-edition-hotpatch-smalldisk",
    "2025-datacenter-azure-edition",
    "2025-datacenter-azure-edition-smalldisk",
    "2025-datacenter-azure-edition-core",
    "2025-datacenter-azure-edition-core-smalldisk",
)
_COMPUTER_NAME_LENGTH = 15
_PASSWORD_CLASSES = ("[a-z]", "[A-Z]", "[0-9]", r"[^\d\w]")


def _configuration(attrs: Attrs, shared: Body) -> Body:
    config: Body = {
        **shared,
        "patchSettings": {
            **shared["patchSettings"],
            "enableHotpatching": bool(attrs.get("hotpatching_enabled")),
        },
        "enableAutomaticUpdates": attrs.get("automatic_updates_enabled") is not False,
    }
    if attrs.get("timezone"):
        config["timeZone"] = attrs["timezone"]
    return config


def _read(os_profile: Body, prior: Attrs | None) -> Attrs:
    windows = os_profile.get("windowsConfiguration") or {}
    return {
        "automatic_updates_enabled": windows.get("enableAutomaticUpdates", True) is not False,
        "hotpatching_enabled": bool((windows.get("patchSettings") or {}).get("enableHotpatching")),
        "timezone": windows.get("timeZone"),
    }


# -- checks ------------------------------------------------------------------------------------------


def _computer_name_problems(value: Any, attr: str = "computer_name") -> list[str]:
    """azurerm's ``WindowsComputerNameFull``."""
    if not isinstance(value, str):
        return []
    if not value.strip():
        return [f'"{attr}" must not be empty']
    problems = []
    if len(value) > _COMPUTER_NAME_LENGTH:
        problems.append(f'"{attr}" can be at most {_COMPUTER_NAME_LENGTH} characters, got {len(value)}')
    if value.endswith("-"):
        problems.append(f'"{attr}" cannot end with dash')
    if not re.fullmatch(r"[a-zA-Z0-9-]+", value):
        problems.append(f'"{attr}" may only contain alphanumeric characters and dashes')
    if re.fullmatch(r"\d+", value):
        problems.append(f'"{attr}" cannot contain only numbers')
    return problems


def _password_problems(value: Any) -> list[str]:
    """azurerm's ``WindowsAdminPassword`` (its wording, typo included)."""
    if not isinstance(value, str):
        return []
    if not value.strip():
        return ['"admin_password" must not be empty']
    problems = []
    if not 8 <= len(value) <= 123:
        problems.append(f'"admin_password" most be between 8 and 123 characters, got {len(value)}')
    met = sum(1 for pattern in _PASSWORD_CLASSES if re.search(pattern, value))
    if met < 3:
        problems.append(
            '"admin_password" has to fulfill 3 out of these 4 conditions: Has lower characters, '
            'Has upper characters, Has a digit, Has a special character other than "_", '
            f"fullfiled only {met} conditions"
        )
    return problems


def _validate(config: Attrs) -> list[tuple[str, str]]:
    return [("computer_name", m) for m in _computer_name_problems(config.get("computer_name"))] + [
        ("admin_password", m) for m in _password_problems(config.get("admin_password"))
    ]


def _creation_problem(attrs: Attrs) -> str | None:
    """What azurerm's create refuses besides the checks every VM gets."""
    if not attrs.get("computer_name"):
        problems = _computer_name_problems(attrs.get("name"))
        if problems:
            return (
                f'unable to assume default computer name {problems[0]}. Please adjust the "name", or '
                'specify an explicit "computer_name"'
            )
    by_platform = attrs.get("patch_mode") == "AutomaticByPlatform"
    agent = attrs.get("provision_vm_agent") is not False
    if by_platform and not agent:
        return (
            '"patch_mode" cannot be set to "AutomaticByPlatform" when "provision_vm_agent" is set to "false"'
        )
    if attrs.get("patch_assessment_mode") == "AutomaticByPlatform" and not agent:
        return (
            "`provision_vm_agent` must be set to `true` when `patch_assessment_mode` is set to "
            "`AutomaticByPlatform`"
        )
    image = (attrs.get("source_image_reference") or [{}])[0] or {}
    hotpatch_image = image.get("sku") in _HOTPATCH_SKUS
    if hotpatch_image and not by_platform:
        return (
            '"patch_mode" must always be set to "AutomaticByPlatform" when "source_image_reference" '
            "points to a hotpatch enabled image"
        )
    if attrs.get("hotpatching_enabled"):
        if not by_platform:
            return (
                f'"hotpatching_enabled" cannot be set to "true" when "patch_mode" is set to '
                f'"{attrs.get("patch_mode") or "AutomaticByOS"}"'
            )
        if not hotpatch_image:
            return (
                '"hotpatching_enabled" is currently only supported on '
                + ", ".join(f'"{sku}"' for sku in _HOTPATCH_SKUS)
                + " image reference skus"
            )
    if attrs.get("bypass_platform_safety_checks_on_user_schedule_enabled") and not by_platform:
        return (
            "`patch_mode` must be set to `AutomaticByPlatform` when "
            "`bypass_platform_safety_checks_on_user_schedule_enabled` is set to `true`"
        )
    if attrs.get("reboot_setting") and not by_platform:
        return "`patch_mode` must be set to `AutomaticByPlatform` when `reboot_setting` is specified"
    return None


MAPPING = vm_mapping(
    OsFlavour(
        tf_type="azurerm_windows_virtual_machine",
        os_type="Windows",
        config_key="windowsConfiguration",
        items=(
            Attr("admin_password", required=True, force_new=True, sensitive=True, suppress=same_password),
            # ARM: "Changing property 'windowsConfiguration.enableAutomaticUpdates' is not allowed."
            Attr("automatic_updates_enabled", Kind.BOOL, optional=True, default=True, force_new=True),
            Attr("hotpatching_enabled", Kind.BOOL, optional=True, default=False),
            Attr("license_type", optional=True, one_of=_LICENSES),
            Attr("patch_mode", optional=True, default="AutomaticByOS", one_of=_PATCH_MODES),
            Attr("timezone", optional=True, force_new=True),
        ),
        default_patch_mode="AutomaticByOS",
        configuration=_configuration,
        write_only=lambda attrs: (
            {"adminPassword": attrs["admin_password"]} if attrs.get("admin_password") else {}
        ),
        read=_read,
        validate=_validate,
        creation_problem=_creation_problem,
    )
)
