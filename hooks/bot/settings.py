"""The ``[bot]`` table of ``reconcile.toml``, resolved: flags > ``RECONCILE_BOT_*`` > the file > defaults.

Secrets are read from the variables the settings name (``GITHUB_TOKEN`` / ``GITLAB_TOKEN`` and
``RECONCILE_WEBHOOK_SECRET`` by default; a GitHub App's private key from ``GITHUB_APP_PRIVATE_KEY`` or a
file) and are never shown: :class:`Secret` hides itself in ``repr`` and every text the bot writes passes
through :meth:`BotSettings.redact`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from reconciler.config import Config
from reconciler.config import Flag
from reconciler.config import load_config
from reconciler.errors import ConfigError

FORGES = ("github", "gitlab")
REQUIREMENTS = ("approved", "mergeable", "undiverged")
MERGE_METHODS = ("merge", "squash", "rebase")
DEFAULT_TOKEN_ENV = {"github": "GITHUB_TOKEN", "gitlab": "GITLAB_TOKEN"}
DEFAULT_API = {"github": "https://api.github.com", "gitlab": "https://gitlab.com"}
# Set by the forges' own CI runners: a scheduled job needs no repository setting.
CI_REPOSITORY_ENV = {"github": "GITHUB_REPOSITORY", "gitlab": "CI_PROJECT_PATH"}


class Secret(str):
    """A string that does not show itself."""

    def __repr__(self) -> str:
        return "Secret('***')"


class GitHubApp(NamedTuple):
    """A GitHub App the bot authenticates as: its installation on the repository acts."""

    app_id: int
    private_key: Secret  # PEM
    installation_id: int  # 0: look up the installation on the repository


class BotSettings(NamedTuple):
    top: Path  # the repository's work tree the bot runs in
    forge: str
    api_url: str
    repository: str
    token: Secret
    token_env: str
    webhook_secret: Secret
    webhook_secret_env: str
    workspaces: tuple[str, ...]  # relative to ``top``, POSIX; "." is the top
    requirements: frozenset[str]
    auto_merge: bool
    merge_method: str
    allow_forks: bool
    labels: tuple[str, ...]
    remote: str
    config: Config
    app: GitHubApp | None = None  # GitHub only: act as an App's installation instead of with a token

    def redact(self, text: str) -> str:
        """``text`` with the token, the webhook secret and an App's private key replaced by ``***``."""
        secrets = [self.token, self.webhook_secret]
        if self.app is not None:
            secrets.append(self.app.private_key)
        for secret in secrets:
            if len(secret) >= 4:
                text = text.replace(secret, "***")
        return text

    def require_token(self) -> Secret:
        if not self.token:
            name, also = {"github": ("GitHub", ", or a GitHub App (bot.app_id)"), "gitlab": ("GitLab", "")}[
                self.forge
            ]
            raise ConfigError(f"{self.token_env} is not set: the bot needs a {name} API token there{also}")
        return self.token

    def require_webhook_secret(self) -> Secret:
        if not self.webhook_secret:
            raise ConfigError(
                f"{self.webhook_secret_env} is not set: the webhook server needs the secret the forge signs"
                " deliveries with"
            )
        return self.webhook_secret


def load_settings(
    top: Path,
    env: Mapping[str, str],
    *,
    forge: str | None = None,
    api_url: str | None = None,
    repository: str | None = None,
) -> BotSettings:
    """The bot's settings for the repository at ``top``; the keyword arguments are the CLI's flags."""
    flags = {
        "bot.forge": Flag("--forge", forge),
        "bot.api_url": Flag("--api-url", api_url),
        "bot.repository": Flag("--repo", repository),
    }
    config = load_config(top, env=env, flags=flags)
    name = config.get_str("bot.forge")
    if name not in FORGES:
        raise config["bot.forge"].error(f"{name!r} is not a forge the bot knows ({', '.join(FORGES)})")
    repo = config.get_str("bot.repository") or env.get(CI_REPOSITORY_ENV[name], "")
    if not repo:
        raise ConfigError(
            f"bot.repository: which repository? set it in [bot], RECONCILE_BOT_REPOSITORY or --repo "
            f"(in {name}'s CI, {CI_REPOSITORY_ENV[name]} says it)"
        )
    if "/" not in repo.strip("/"):
        raise config["bot.repository"].error(f"{repo!r} is not owner/name")
    requirements = frozenset(str(r) for r in config.get_list("bot.apply_requirements"))
    unknown = sorted(requirements - set(REQUIREMENTS))
    if unknown:
        raise config["bot.apply_requirements"].error(
            f"unknown requirement {', '.join(unknown)} (known: {', '.join(REQUIREMENTS)})"
        )
    method = config.get_str("bot.merge_method")
    if method not in MERGE_METHODS:
        raise config["bot.merge_method"].error(f"{method!r} is not one of {', '.join(MERGE_METHODS)}")
    token_env = config.get_str("bot.token_env") or DEFAULT_TOKEN_ENV[name]
    secret_env = config.get_str("bot.webhook_secret_env")
    return BotSettings(
        top=top,
        forge=name,
        api_url=(config.get_str("bot.api_url") or DEFAULT_API[name]).rstrip("/"),
        repository=repo.strip("/"),
        token=Secret(env.get(token_env, "")),
        token_env=token_env,
        webhook_secret=Secret(env.get(secret_env, "")),
        webhook_secret_env=secret_env,
        workspaces=_workspaces(config, top),
        requirements=requirements,
        auto_merge=config.get_bool("bot.auto_merge"),
        merge_method=method,
        allow_forks=config.get_bool("bot.allow_forks"),
        labels=tuple(str(label) for label in config.get_list("bot.labels")),
        remote=config.get_str("bot.remote"),
        config=config,
        app=_github_app(config, top, env, name),
    )


def _github_app(config: Config, top: Path, env: Mapping[str, str], forge: str) -> GitHubApp | None:
    """The GitHub App of ``bot.app_id``, its private key read and checked now: a wrong key is a
    one-line error at start, not a 401 at the first webhook."""
    app_id = config.get_int("bot.app_id")
    if not app_id:
        return None
    if forge != "github":
        raise config["bot.app_id"].error(f"GitHub Apps are GitHub's; the forge is {forge}")
    key_file = config.get_str("bot.app_key_file")
    if key_file:
        path = Path(key_file).expanduser()
        path = path if path.is_absolute() else top / path
        source = str(path)
        try:
            pem = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise config["bot.app_key_file"].error(
                f"cannot read the App's private key {path}: {getattr(e, 'strerror', None) or e}"
            ) from None
    else:
        source = config.get_str("bot.app_key_env")
        pem = env.get(source, "")
        if not pem.strip():
            raise ConfigError(
                f"{source} is not set: bot.app_id = {app_id} needs the App's private key (PEM) there,"
                " or bot.app_key_file"
            )
    _check_rsa_key(pem, source)
    return GitHubApp(app_id, Secret(pem), config.get_int("bot.app_installation_id"))


def _check_rsa_key(pem: str, source: str) -> None:
    # The App's JSON web tokens are RS256: the key GitHub generated for the App is an RSA key in PEM.
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(pem.encode("utf-8"), password=None)
    except (ValueError, TypeError) as e:
        why = (str(e).splitlines() or [type(e).__name__])[0].split(". See ")[0]
        raise ConfigError(f"{source}: not a GitHub App private key (PEM, unencrypted): {why[:120]}") from None
    if not isinstance(key, RSAPrivateKey):
        raise ConfigError(f"{source}: a GitHub App's private key is an RSA key, this is not one")


def _workspaces(config: Config, top: Path) -> tuple[str, ...]:
    out = []
    for raw in config.get_list("bot.workspaces") or ["."]:
        path = (top / str(raw)).resolve()
        if not path.is_relative_to(top.resolve()):
            raise config["bot.workspaces"].error(f"{raw!r} is outside the repository")
        if not path.is_dir():
            raise config["bot.workspaces"].error(f"{raw!r} is not a directory")
        out.append(path.relative_to(top.resolve()).as_posix())
    return tuple(dict.fromkeys(out))


def workspace_name(relative: str) -> str:
    """A workspace as branch names and comments name it: its path with ``-`` for ``/``; the top is
    ``root``."""
    return "root" if relative in (".", "") else relative.replace("/", "-")
