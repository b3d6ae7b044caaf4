"""Where a command's report goes when ``--output`` or ``--patch`` names a file.

The file is checked before the command does any work, so that a path that cannot be written fails with
one line and nothing scanned or recorded; it is written whole (next door, then renamed), so a reader
never sees half a report.
"""

from __future__ import annotations

import os
from pathlib import Path

from reconciler.errors import UsageError


def check_writable(path: Path, flag: str) -> None:
    """Raise :class:`UsageError` unless ``path`` can be created or replaced."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"{flag} {path}: is a directory")
    if not folder.is_dir():
        raise UsageError(f"{flag} {path}: no such directory {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{flag} {path}: cannot write in {folder} (permission denied)")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{flag} {path}: not writable")


def write_output(path: Path, text: str, flag: str, *, private: bool = False) -> None:
    """Write ``text`` to ``path``; ``private`` files are readable by their owner only."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o666)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"{flag} {path}: cannot write: {e.strerror or e}") from e
