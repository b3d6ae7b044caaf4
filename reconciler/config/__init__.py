"""Settings: what reconcile can be told (options.py) and how a workspace's values are found (settings.py)."""

from __future__ import annotations

from reconciler.config.options import OPTIONS
from reconciler.config.options import Option
from reconciler.config.settings import CONFIG_FILE
from reconciler.config.settings import Config
from reconciler.config.settings import Flag
from reconciler.config.settings import Setting
from reconciler.config.settings import Source
from reconciler.config.settings import load_config

__all__ = ["CONFIG_FILE", "OPTIONS", "Config", "Flag", "Option", "Setting", "Source", "load_config"]
