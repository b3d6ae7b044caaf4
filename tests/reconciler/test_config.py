from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import Flag
from reconciler.config import Option
from reconciler.config import load_config
from reconciler.errors import ConfigError

ENGINE = "terraform.engine"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Paths in messages are shown relative to the current directory.
    monkeypatch.chdir(tmp_path)


def test_defaults_without_any_file(tmp_path: Path) -> None:
    config = load_config(tmp_path, env={})
    assert config.file is None
    assert config.get_str(ENGINE) == "embedded"
    assert config[ENGINE].where == "terraform.engine (default)"


def test_precedence_file_then_env_then_flag(tmp_path: Path) -> None:
    (tmp_path / "reconcile.toml").write_text('[terraform]\nengine = "tofu"\n')
    from_file = load_config(tmp_path, env={})
    assert (from_file.get_str(ENGINE), from_file[ENGINE].where) == (
        "tofu",
        "reconcile.toml: terraform.engine",
    )
    assert from_file.file == tmp_path / "reconcile.toml"
    assert from_file[ENGINE].base_dir == tmp_path

    env = {"RECONCILE_TERRAFORM": "terraform"}
    from_env = load_config(tmp_path, env=env)
    assert (from_env.get_str(ENGINE), from_env[ENGINE].where) == ("terraform", "RECONCILE_TERRAFORM")

    flags = {ENGINE: Flag("--engine", "/opt/tofu")}
    from_flag = load_config(tmp_path, env=env, flags=flags)
    assert (from_flag.get_str(ENGINE), from_flag[ENGINE].where) == ("/opt/tofu", "--engine")
    # A flag left at its argparse default of None does not override.
    assert (
        load_config(tmp_path, env=env, flags={ENGINE: Flag("--engine", None)}).get_str(ENGINE) == "terraform"
    )


def test_pyproject_tool_table_when_there_is_no_reconcile_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.reconcile.terraform]\nengine = "tofu"\n'
    )
    config = load_config(tmp_path, env={})
    assert config[ENGINE].where == "pyproject.toml: tool.reconcile.terraform.engine"
    assert config.get_str(ENGINE) == "tofu"
    (tmp_path / "reconcile.toml").write_text("")
    assert load_config(tmp_path, env={}).get_str(ENGINE) == "embedded"


def test_pyproject_without_our_table_is_no_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 1\n")
    assert load_config(tmp_path, env={}).file is None


def test_unknown_key_names_key_file_and_a_suggestion(tmp_path: Path) -> None:
    (tmp_path / "reconcile.toml").write_text('[terraform]\nengin = "tofu"\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, env={})
    assert info.value.message == (
        "reconcile.toml: terraform.engin: unknown setting (did you mean terraform.engine?)"
    )
    (tmp_path / "reconcile.toml").write_text("[nonsense]\nx = 1\n")
    with pytest.raises(ConfigError, match=r"^reconcile\.toml: nonsense: unknown setting$"):
        load_config(tmp_path, env={})


def test_wrong_types_name_key_and_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text("[tool.reconcile.terraform]\nengine = 3\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "sub", env={})
    assert info.value.message == (
        "sub/pyproject.toml: tool.reconcile.terraform.engine: expected a string, got integer 3"
    )
    (tmp_path / "reconcile.toml").write_text('terraform = "tofu"\n')
    with pytest.raises(
        ConfigError, match=r"^reconcile\.toml: terraform: expected a table \(\[terraform\]\)$"
    ):
        load_config(tmp_path, env={})
    with pytest.raises(ConfigError, match=r"^--engine: expected a string, got boolean True$"):
        load_config(tmp_path / "nowhere", env={}, flags={ENGINE: Flag("--engine", True)})


def test_toml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    (tmp_path / "reconcile.toml").write_text('[terraform]\nengine = "tofu"\nengine "x"\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, env={})
    assert info.value.message.startswith("reconcile.toml:3:8: invalid TOML: ")


def test_typed_environment_values_for_future_settings(tmp_path: Path) -> None:
    options = (
        Option("store.retries", int, 3, "RECONCILE_STORE_RETRIES", "attempts"),
        Option("llm.enabled", bool, True, "RECONCILE_LLM", "use an LLM"),
    )
    env = {"RECONCILE_STORE_RETRIES": "5", "RECONCILE_LLM": "off"}
    config = load_config(tmp_path, env=env, options=options)
    assert (config["store.retries"].value, config["llm.enabled"].value) == (5, False)
    with pytest.raises(ConfigError, match=r"^RECONCILE_STORE_RETRIES: expected an integer, got 'many'$"):
        load_config(tmp_path, env={"RECONCILE_STORE_RETRIES": "many"}, options=options)
    (tmp_path / "reconcile.toml").write_text("[store]\nretries = true\n")
    with pytest.raises(ConfigError, match=r"store\.retries: expected an integer, got boolean True"):
        load_config(tmp_path, env={}, options=options)
