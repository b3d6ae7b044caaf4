"""A VM's operating system as ARM sees it: its OS type and ``osProfile`` (Linux or Windows).

The OS type comes from the OS disk when the request names it, else from the configuration the profile
holds, else from the image's publisher. The admin password and custom data are write-only: taken on
creation, never stored or returned.
"""

from __future__ import annotations

import re

from sandbox.arm.errors import invalid_parameter
from sandbox.arm.types.base import Body
from sandbox.arm.types.base import dig
from sandbox.arm.types.base import one_of
from sandbox.arm.types.base import require
from sandbox.arm.types.base import set_default

LINUX_PATCH_MODES = ("ImageDefault", "AutomaticByPlatform")
WINDOWS_PATCH_MODES = ("Manual", "AutomaticByOS", "AutomaticByPlatform")
_ASSESSMENT_MODES = ("ImageDefault", "AutomaticByPlatform")
_WINDOWS_NAME = re.compile(r"^(?!\d+$)[A-Za-z0-9-]{1,15}$")
_PASSWORD_CLASSES = ("[a-z]", "[A-Z]", "[0-9]", r"[^A-Za-z0-9]")
_KEY_TYPES = ("ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-")


def os_type(body: Body, old: Body | None) -> str:
    """``Linux`` or ``Windows``: as requested, as before, or from the profile or the image."""
    requested = dig(body, "properties.storageProfile.osDisk.osType") or dig(
        old, "properties.storageProfile.osDisk.osType"
    )
    if isinstance(requested, str) and requested.lower() in ("linux", "windows"):
        return requested.capitalize()
    if dig(body, "properties.osProfile.windowsConfiguration") is not None:
        return "Windows"
    publisher = str(dig(body, "properties.storageProfile.imageReference.publisher") or "")
    return "Windows" if publisher.lower().startswith("microsoftwindows") else "Linux"


def prepare(body: Body, old: Body | None, os: str) -> None:
    props = body["properties"]
    profile = props.get("osProfile")
    if profile is None and old is not None:
        props["osProfile"] = profile = dig(old, "properties.osProfile")
    if profile is None:
        if dig(props, "storageProfile.osDisk.createOption") == "Attach":
            return
        raise invalid_parameter("osProfile", "Required parameter 'osProfile' is missing (null).")
    require(body, "properties.osProfile.adminUsername")
    password = profile.pop("adminPassword", None)
    profile.pop("customData", None)  # write-only, as in ARM
    wrong = "linuxConfiguration" if os == "Windows" else "windowsConfiguration"
    if profile.get(wrong) is not None:
        raise invalid_parameter(wrong, f"The property '{wrong}' is not valid for a {os} operating system.")
    if os == "Windows":
        _windows(body, profile, password, creating=old is None)
    else:
        set_default(profile, "computerName", body["name"])
        _linux(profile, password, creating=old is None)
    set_default(profile, "secrets", [])
    set_default(profile, "allowExtensionOperations", True)
    set_default(profile, "requireGuestProvisionSignal", True)


def _linux(profile: Body, password: str | None, creating: bool) -> None:
    linux = profile.get("linuxConfiguration")
    if linux is None:
        return
    keys = dig(linux, "ssh.publicKeys") or []
    set_default(linux, "disablePasswordAuthentication", False)
    if linux["disablePasswordAuthentication"] and not keys:
        raise invalid_parameter(
            "linuxConfiguration.ssh.publicKeys",
            "At least one SSH public key is required when password authentication is disabled.",
        )
    if not linux["disablePasswordAuthentication"] and not password and creating and not keys:
        raise invalid_parameter("adminPassword", "Required parameter 'adminPassword' is missing (null).")
    for key in keys:
        if not str(key.get("keyData", "")).startswith(_KEY_TYPES):
            raise invalid_parameter(
                "linuxConfiguration.ssh.publicKeys.keyData",
                "The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid.",
            )
    set_default(linux, "provisionVMAgent", True)
    set_default(linux, "patchSettings", {})
    one_of(linux, "patchSettings.patchMode", LINUX_PATCH_MODES, default="ImageDefault")
    one_of(linux, "patchSettings.assessmentMode", _ASSESSMENT_MODES, default="ImageDefault")


def _windows(body: Body, profile: Body, password: str | None, creating: bool) -> None:
    name = profile.get("computerName") or body["name"]
    if not isinstance(name, str) or not _WINDOWS_NAME.match(name):
        raise invalid_parameter(
            "computerName",
            "Windows computer name cannot be more than 15 characters long, be entirely numeric, or contain "
            "the following characters: ` ~ ! @ # $ % ^ & * ( ) = + _ [ ] { } \\ | ; : . ' \" , < > / ?.",
        )
    profile["computerName"] = name
    if creating:
        if not password:
            raise invalid_parameter("adminPassword", "Required parameter 'adminPassword' is missing (null).")
        _check_password(password)
    windows = profile.setdefault("windowsConfiguration", {})
    set_default(windows, "provisionVMAgent", True)
    set_default(windows, "enableAutomaticUpdates", True)
    set_default(windows, "patchSettings", {})
    mode = one_of(windows, "patchSettings.patchMode", WINDOWS_PATCH_MODES, default="AutomaticByOS")
    one_of(windows, "patchSettings.assessmentMode", _ASSESSMENT_MODES, default="ImageDefault")
    set_default(windows, "patchSettings.enableHotpatching", False)
    if windows["patchSettings"]["enableHotpatching"] and mode != "AutomaticByPlatform":
        raise invalid_parameter(
            "windowsConfiguration.patchSettings.enableHotpatching",
            "Hotpatching can only be enabled when the patch mode is 'AutomaticByPlatform'.",
        )


def _check_password(password: str) -> None:
    met = sum(1 for pattern in _PASSWORD_CLASSES if re.search(pattern, password))
    if not 8 <= len(password) <= 123 or met < 3 or any(ord(c) < 32 for c in password):
        raise invalid_parameter(
            "adminPassword",
            "The supplied password must be between 8-123 characters long and must satisfy at least 3 of "
            "password complexity requirements from the following: 1) Contains an uppercase character "
            "2) Contains a lowercase character 3) Contains a numeric digit 4) Contains a special character "
            "5) Control characters are not allowed.",
        )
