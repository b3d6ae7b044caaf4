"""The ``[bot]`` table of ``reconcile.toml``, resolved: flags > ``RECONCILE_BOT_*`` > the file > defaults.

Secrets are read from the variables the settings name (``GITHUB_TOKEN`` / ``GITLAB_TOKEN`` and
``RECONCILE_WEBHOOK_SECRET`` by default) and are never shown: :class:`Secret` hides itself in ``repr``
and every text the bot writes passes through :meth:`BotSettings.redact`.
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

    def redact(self, text: str) -> str:
        """``text`` with the token and the webhook secret replaced by ``***``."""
        for secret in (self.token, self.webhook_secret):
            if len(secret) >= 4:
                text = text.replace(secret, "***")
        return text

    def require_token(self) -> Secret:
        if not self.token:
            raise ConfigError(f"{self.token_env} is not set: the bot needs a {self.forge} API token there")
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
    )


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
