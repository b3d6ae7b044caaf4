"""The [bot] settings: flags over variables over the file, errors naming the key and file, secrets hidden."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from hooks.bot.settings import load_settings
from reconciler.errors import ConfigError


def test_the_file_the_environment_and_flags_in_that_order(tmp_path: Path) -> None:
    (tmp_path / "envs" / "prod").mkdir(parents=True)
    (tmp_path / "reconcile.toml").write_text(
        '[bot]\nforge = "gitlab"\nrepository = "group/infra"\nworkspaces = ["envs/prod", "."]\n'
        'apply_requirements = ["approved"]\nauto_merge = false\n'
    )
    env = {
        "GITLAB_TOKEN": "glpat-abcdef",
        "RECONCILE_WEBHOOK_SECRET": "whsec-xyz",
        "RECONCILE_BOT_REPOSITORY": "g/x",
    }
    s = load_settings(tmp_path, env)
    assert (s.forge, s.repository, s.api_url, s.workspaces) == (
        "gitlab",
        "g/x",
        "https://gitlab.com",
        ("envs/prod", "."),
    )
    assert s.requirements == {"approved"} and not s.auto_merge and s.token == "glpat-abcdef"
    flagged = load_settings(
        tmp_path, env, forge="github", api_url="https://ghe.example/api/v3/", repository="o/r"
    )
    assert (flagged.forge, flagged.api_url, flagged.repository, flagged.token) == (
        "github",
        "https://ghe.example/api/v3",
        "o/r",
        "",
    )
    # Secrets never show themselves, and every text the bot writes can be cleaned of them.
    assert "glpat-abcdef" not in repr(s) and "whsec-xyz" not in repr(s)
    assert (
        s.redact("push to https://oauth2:glpat-abcdef@gitlab.com failed")
        == "push to https://oauth2:***@gitlab.com failed"
    )
    with pytest.raises(ConfigError, match="GITHUB_TOKEN is not set"):
        flagged.require_token()


def test_the_repository_comes_from_the_forges_ci_when_unset(tmp_path: Path) -> None:
    assert load_settings(tmp_path, {"GITHUB_REPOSITORY": "octo/infra"}).repository == "octo/infra"
    with pytest.raises(ConfigError, match=r"bot\.repository: which repository\?"):
        load_settings(tmp_path, {})


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('forge = "bitbucket"', "reconcile.toml: bot.forge: 'bitbucket' is not a forge the bot knows"),
        ('apply_requirements = ["approved", "green"]', "bot.apply_requirements: unknown requirement green"),
        (
            'workspaces = ["../elsewhere"]',
            "reconcile.toml: bot.workspaces: '../elsewhere' is outside the repository",
        ),
        (
            'merge_method = "fast-forward"',
            "bot.merge_method: 'fast-forward' is not one of merge, squash, rebase",
        ),
        ('repository = "infra"', "reconcile.toml: bot.repository: 'infra' is not owner/name"),
    ],
)
def test_bad_settings_name_the_key_and_the_file(
    tmp_path: Path, toml: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reconcile.toml").write_text(
        f'[bot]\nrepository = "o/r"\n{toml}\n'.replace('repository = "o/r"\nrepository', "repository")
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(tmp_path, {})


def _private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_a_github_app_needs_no_token_and_its_key_is_checked_and_hidden(tmp_path: Path) -> None:
    pem = _private_pem()
    (tmp_path / "reconcile.toml").write_text('[bot]\nrepository = "o/r"\napp_id = 77\n')
    s = load_settings(tmp_path, {"GITHUB_APP_PRIVATE_KEY": pem})
    assert s.app is not None and (s.app.app_id, s.app.installation_id) == (77, 0)
    assert "PRIVATE KEY" not in repr(s)
    assert s.redact(f"oops: {pem}") == "oops: ***"
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "app.pem").write_text(pem)
    env = {"RECONCILE_BOT_APP_KEY_FILE": "keys/app.pem", "RECONCILE_BOT_APP_INSTALLATION_ID": "9"}
    from_file = load_settings(tmp_path, env)
    assert (
        from_file.app is not None and from_file.app.private_key == pem and from_file.app.installation_id == 9
    )


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("app_id = 77", {}, "GITHUB_APP_PRIVATE_KEY is not set: bot.app_id = 77 needs the App's private key"),
        (
            "app_id = 77",
            {"GITHUB_APP_PRIVATE_KEY": "ghp_not_a_key"},
            "GITHUB_APP_PRIVATE_KEY: not a GitHub App",
        ),
        (
            'app_id = 77\napp_key_file = "missing.pem"',
            {},
            "bot.app_key_file: cannot read the App's private key",
        ),
        ('app_id = 77\nforge = "gitlab"', {}, "reconcile.toml: bot.app_id: GitHub Apps are GitHub's"),
        ("app_id = -1", {}, "bot.app_id: must be at least 0"),
    ],
)
def test_bad_app_settings_are_one_line_naming_the_key(
    tmp_path: Path, toml: str, env: dict[str, str], message: str
) -> None:
    (tmp_path / "reconcile.toml").write_text(f'[bot]\nrepository = "o/r"\n{toml}\n')
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        load_settings(tmp_path, env)
    assert "\n" not in caught.value.message and "ghp_not_a_key" not in caught.value.message
