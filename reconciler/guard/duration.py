"""Durations as people write them in flags and settings (``30m``, ``24h``, ``7d``, ``1h30m``)."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([smhdw])")
_WHOLE = re.compile(r"\s*(?:[0-9]+(?:\.[0-9]+)?\s*[smhdw]\s*)+")


def parse_duration(text: str) -> timedelta:
    """``1h30m`` → 90 minutes. Raises ValueError naming the expected form (a unit is required)."""
    if not _WHOLE.fullmatch(text.lower()):
        raise ValueError(f"{text!r} is not a duration (expected a number and a unit: 90s, 30m, 24h, 7d, 2w)")
    seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(text.lower()))
    return timedelta(seconds=seconds)


def describe(delta: timedelta) -> str:
    """A duration to read at a glance: ``45 s``, ``12 min``, ``5 h``, ``3 days``."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
