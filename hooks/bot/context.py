"""What every bot verb works with: the settings, the forge, the git work tree, the stores.

The forges are plain modules chosen by name (``[bot] forge``): each exposes ``from_settings``.
Two stores are involved: each workspace's own (its lock and audit trail, where ``reconcile apply`` and
``reconcile lock`` look) and the bot's (the queue, deliveries and plans), the store of the repository's
top. For a repository whose top is the workspace they are one file.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from hooks.bot.checkout import Checkout
from hooks.bot.forge import Forge
from hooks.bot.settings import BotSettings
from hooks.bot.settings import workspace_name
from reconciler.config import load_config
from state.sqlite import SqliteStore

#: forge name -> its module. Loaded by name when a bot verb runs: the client libraries (githubkit,
#: python-gitlab) take a fifth of a second to import, and every `reconcile` command lists `bot`.
FORGES: dict[str, str] = {"github": "hooks.bot.github", "gitlab": "hooks.bot.gitlab"}


def forge_factory(name: str) -> Callable[[BotSettings], Forge]:
    factory: Callable[[BotSettings], Forge] = importlib.import_module(FORGES[name]).from_settings
    return factory


def _stderr(line: str) -> None:
    print(f"reconcile bot: {line}", file=sys.stderr, flush=True)


class Bot(NamedTuple):
    settings: BotSettings
    forge: Forge
    checkout: Checkout
    environ: dict[str, str]
    log: Callable[[str], None] = _stderr

    def root(self, workspace: str) -> Path:
        """The directory of a workspace (relative to the repository)."""
        return (self.settings.top / workspace).resolve()

    def name(self, workspace: str) -> str:
        return workspace_name(workspace)

    def branch(self, workspace: str) -> str:
        return f"reconcile/drift/{workspace_name(workspace)}"

    def workspace_store(self, workspace: str) -> SqliteStore:
        """The workspace's own store: its lock and audit trail."""
        root = self.root(workspace)
        return SqliteStore(load_config(root, env=self.environ).store_path(root))

    def store(self) -> SqliteStore:
        """The bot's store: the queue, the deliveries, the plans."""
        return SqliteStore(self.settings.config.store_path(self.settings.top))


def open_bot(settings: BotSettings, environ: Mapping[str, str], log: Callable[[str], None] = _stderr) -> Bot:
    forge = forge_factory(settings.forge)(settings)
    checkout = Checkout(settings.top, settings.remote, settings.redact, forge.git_credentials)
    return Bot(settings, forge, checkout, dict(environ), log)
