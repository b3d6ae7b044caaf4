"""The sandbox cloud: a local, Azure-compatible ARM emulator that real clients use unmodified."""

from pathlib import Path

#: Where a sandbox keeps its data unless told otherwise (relative to the working directory).
DEFAULT_DATA_DIR = Path(".reconcile/sandbox")
