"""The ``[policy]`` table of reconcile.toml: what the built-in rules enforce and where user policies live.

[policy]
protected = ["azurerm_resource_group.core", "module.data.*"]  # address globs never destroyed or replaced
required_tags = ["owner", "cost-center"]  # on every resource created or updated that can be tagged
allowed_locations = ["West Europe", "northeurope"]  # data residency; empty allows all
allowed_vm_sizes = ["Standard_B1s", "Standard_B2s"]  # empty allows all
paths = ["policy", "../shared/policy"]  # .rego files or directories; default: the workspace's policy/

Empty lists switch a rule off. Resources tagged ``protected = "true"`` and blocks with
``lifecycle { prevent_destroy = true }`` are protected whatever ``protected`` says.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from reconciler.config import Config
from reconciler.errors import ConfigError


class PolicySettings(NamedTuple):
    protected: tuple[str, ...] = ()
    required_tags: tuple[str, ...] = ()
    allowed_locations: tuple[str, ...] = ()
    allowed_vm_sizes: tuple[str, ...] = ()
    #: ``.rego`` files or directories (relative ones to the workspace); None: ``policy/`` if it exists
    paths: tuple[str, ...] | None = None

    @classmethod
    def from_config(cls, config: Config) -> PolicySettings:
        """The policy settings of a loaded :class:`~reconciler.config.Config`.

        Keys missing from its schema (:data:`OPTIONS` not wired in) take their defaults. Raises
        :class:`ConfigError` naming the key and file for an item that is not a non-empty string.
        Relative policy paths are made absolute against the file (or, from the environment, the current
        directory) that set them.
        """
        values = {key: _strings(config, key) for key in KEYS}
        paths_setting = config.settings.get("policy.paths")
        paths: tuple[str, ...] | None = None
        if paths_setting is not None and paths_setting.source.kind != "default":
            paths = tuple(str(paths_setting.base_dir / p) for p in values["policy.paths"])
        return cls(
            protected=values["policy.protected"],
            required_tags=values["policy.required_tags"],
            allowed_locations=values["policy.allowed_locations"],
            allowed_vm_sizes=values["policy.allowed_vm_sizes"],
            paths=paths,
        )


#: The settings' keys (declared in :data:`reconciler.config.OPTIONS`).
KEYS = (
    "policy.protected",
    "policy.required_tags",
    "policy.allowed_locations",
    "policy.allowed_vm_sizes",
    "policy.paths",
)


def resolve_paths(settings: PolicySettings, root: Path) -> list[Path]:
    """The policy files and directories to read for the workspace ``root``."""
    if settings.paths is None:
        default = root / "policy"
        return [default] if default.is_dir() else []
    return [root / p for p in settings.paths]


def _strings(config: Config, key: str) -> tuple[str, ...]:
    setting = config.settings.get(key)
    if setting is None:
        return ()
    items = config.get_list(key)
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"{setting.where}[{index}]: expected a non-empty string, got {item!r}")
    return tuple(items)
