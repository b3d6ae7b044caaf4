"""The [policy] table of reconcile.toml, through the real config loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import OPTIONS as SCHEMA
from reconciler.config import load_config
from reconciler.errors import ConfigError
from reconciler.policy import PolicySettings

TOML = """\
[policy]
protected = ["azurerm_resource_group.core", 'module.data.azurerm_x.y["k"]']
required_tags = ["owner", "cost-center"]
allowed_locations = ["West Europe"]
allowed_vm_sizes = ["Standard_B1s"]
paths = ["policy", "/etc/reconcile/policy"]
"""


def test_a_policy_table_becomes_settings_with_paths_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "reconcile.toml").write_text(TOML)
    settings = PolicySettings.from_config(load_config(tmp_path, env={}, options=SCHEMA))
    assert settings == PolicySettings(
        protected=("azurerm_resource_group.core", 'module.data.azurerm_x.y["k"]'),
        required_tags=("owner", "cost-center"),
        allowed_locations=("West Europe",),
        allowed_vm_sizes=("Standard_B1s",),
        paths=(str(tmp_path / "policy"), "/etc/reconcile/policy"),
    )


def test_without_a_table_every_rule_is_off_and_policy_dir_is_the_default(tmp_path: Path) -> None:
    settings = PolicySettings.from_config(load_config(tmp_path, env={}, options=SCHEMA))
    assert settings == PolicySettings()
    assert settings.paths is None  # not (): the workspace's policy/ directory is read if present


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    (tmp_path / "reconcile.toml").write_text(TOML)
    env = {"RECONCILE_POLICY_ALLOWED_LOCATIONS": "westeurope, northeurope", "RECONCILE_POLICY_PATHS": ""}
    settings = PolicySettings.from_config(load_config(tmp_path, env=env, options=SCHEMA))
    assert settings.allowed_locations == ("westeurope", "northeurope")
    assert settings.paths == ()  # set, and empty: no user policies


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (
            'required_tags = ["owner", 3]',
            "reconcile.toml: policy.required_tags[1]: expected a non-empty string, got 3",
        ),
        (
            'allowed_vm_sizes = [""]',
            "reconcile.toml: policy.allowed_vm_sizes[0]: expected a non-empty string, got ''",
        ),
        (
            'protected = "azurerm_*"',
            "reconcile.toml: policy.protected: expected an array, got string 'azurerm_*'",
        ),
    ],
)
def test_bad_values_name_the_key_and_file(tmp_path: Path, line: str, error: str) -> None:
    (tmp_path / "reconcile.toml").write_text(f"[policy]\n{line}\n")
    with pytest.raises(ConfigError) as caught:
        PolicySettings.from_config(load_config(tmp_path, env={}, options=SCHEMA))
    assert str(caught.value).endswith(error)
