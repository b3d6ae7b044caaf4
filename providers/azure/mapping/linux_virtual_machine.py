"""azurerm_linux_virtual_machine ↔ Microsoft.Compute/virtualMachines with ``osProfile.linuxConfiguration``.

What it shares with the Windows VM lives in :mod:`providers.azure.mapping.virtual_machine`; here are the
SSH keys, password authentication and Linux's patch modes.
"""

from __future__ import annotations

import re
from typing import Any

from providers.azure.mapping.base import Body
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Attrs
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Kind
from providers.azure.mapping.virtual_machine import OsFlavour
from providers.azure.mapping.virtual_machine import same_password
from providers.azure.mapping.virtual_machine import vm_mapping

_KEY_PATH = re.compile(r"(/home/)+(?P<username>.*?)(/.ssh/authorized_keys)+")
_PATCH_MODES = ("AutomaticByPlatform", "ImageDefault")


def _ssh_key(value: Any) -> Any:
    """azurerm's SSH key diff suppression: line breaks and surrounding blanks do not matter."""
    return re.sub(r"[\r\n]", "", value).strip() if isinstance(value, str) else value


_SSH_KEYS = Block(
    "admin_ssh_key",
    (Attr("public_key", required=True, normalize=_ssh_key), Attr("username", required=True)),
    set_nested=True,
    # ARM: "Changing property 'linuxConfiguration.ssh.publicKeys' is not allowed."
    force_new=True,
)


def _configuration(attrs: Attrs, shared: Body) -> Body:
    return {
        **shared,
        "disablePasswordAuthentication": attrs.get("disable_password_authentication") is not False,
        "ssh": {
            "publicKeys": [
                {"path": f"/home/{key['username']}/.ssh/authorized_keys", "keyData": key["public_key"]}
                for key in attrs.get("admin_ssh_key") or []
            ]
        },
    }


def _write_only(attrs: Attrs) -> Body:
    if attrs.get("disable_password_authentication") is not False or not attrs.get("admin_password"):
        return {}
    return {"adminPassword": attrs["admin_password"]}


def _read(os_profile: Body, prior: Attrs | None) -> Attrs:
    linux = os_profile.get("linuxConfiguration") or {}
    keys = []
    for key in (linux.get("ssh") or {}).get("publicKeys") or []:
        match = _KEY_PATH.search(key.get("path") or "")
        if key.get("keyData") and match:
            keys.append({"public_key": key["keyData"], "username": match.group("username")})
    return {
        "disable_password_authentication": bool(linux.get("disablePasswordAuthentication")),
        "admin_ssh_key": keys,
    }


def _creation_problem(attrs: Attrs) -> str | None:
    disable_password = attrs.get("disable_password_authentication") is not False
    if disable_password and not attrs.get("admin_ssh_key"):
        return (
            "at least one `admin_ssh_key` must be specified when `disable_password_authentication` "
            "is set to `true`"
        )
    if not disable_password and not attrs.get("admin_password"):
        return "an `admin_password` must be specified if `disable_password_authentication` is set to `false`"
    return None


MAPPING = vm_mapping(
    OsFlavour(
        tf_type="azurerm_linux_virtual_machine",
        os_type="Linux",
        config_key="linuxConfiguration",
        items=(
            Attr("admin_password", optional=True, force_new=True, sensitive=True, suppress=same_password),
            _SSH_KEYS,
            Attr("disable_password_authentication", Kind.BOOL, optional=True, default=True, force_new=True),
            Attr("license_type", optional=True),
            Attr("patch_mode", optional=True, default="ImageDefault", one_of=_PATCH_MODES),
        ),
        default_patch_mode="ImageDefault",
        configuration=_configuration,
        write_only=_write_only,
        read=_read,
        validate=lambda config: [],
        creation_problem=_creation_problem,
    )
)
