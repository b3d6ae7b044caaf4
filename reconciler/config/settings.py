"""Settings, and where each one came from.

Precedence, lowest first: the default, the workspace's ``reconcile.toml`` (or, when there is none, the
``[tool.reconcile]`` table of its ``pyproject.toml``), a ``RECONCILE_*`` environment variable, an
explicit command-line flag. Every :class:`Setting` keeps its :class:`Source` so that a bad value can be
reported where the user can fix it: ``reconcile.toml: terraform.engine: "tofux" is not on PATH``.

The schema is :data:`~reconciler.config.options.OPTIONS`.
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

from reconciler.config.options import OPTIONS
from reconciler.config.options import Option
from reconciler.errors import ConfigError

CONFIG_FILE = "reconcile.toml"
PYPROJECT = "pyproject.toml"


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
