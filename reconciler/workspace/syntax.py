"""What one configuration file says, whichever syntax it is written in.

Both readers (:mod:`~reconciler.workspace.hclfile` for ``.tf`` / ``.tfvars``,
:mod:`~reconciler.workspace.jsonfile` for ``.tf.json`` / ``.tfvars.json`` / CDK output) produce a
:class:`ParsedFile`, so the rest of the loader never looks at syntax. Values are plain Python: strings
without their quotes, expressions as their source text wrapped in ``${...}`` (``"${var.prefix}-rg"``,
``"${var.location}"``), which is what Terraform's JSON syntax writes too and means the same to Terraform.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Any
from typing import NamedTuple

from reconciler.errors import WorkspaceError


class Span(NamedTuple):
    line: int
    end_line: int


class RawBlock(NamedTuple):
    """A top-level block: ``resource "azurerm_x" "y" {}`` has kind ``resource``, labels ``(azurerm_x, y)``."""

    kind: str
    labels: tuple[str, ...]
    body: dict[str, Any]
    span: Span
    arguments: dict[str, Span]  # where each top-level argument of the body is written
    construct_path: str | None = None  # CDK: the construct that synthesized the block


class RawAttribute(NamedTuple):
    """A top-level ``name = value`` (only ``.tfvars`` files have these)."""

    name: str
    value: Any
    span: Span


class ParsedFile(NamedTuple):
    path: str  # relative to the workspace root, POSIX
    blocks: tuple[RawBlock, ...]
    attributes: tuple[RawAttribute, ...]


class Lines:
    """Offsets to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self._starts = [0]
        start = text.find("\n")
        while start != -1:
            self._starts.append(start + 1)
            start = text.find("\n", start + 1)

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)


def read_text(path: Path, shown: str) -> str:
    """A configuration file's text; ``shown`` is its name in messages."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise WorkspaceError.at(shown, None, f"not UTF-8 text (byte {e.start})") from e
    except OSError as e:
        raise WorkspaceError.at(shown, None, f"cannot read: {e.strerror or e}") from e


def unwrap(value: Any) -> Any:
    """The expression inside ``${...}`` when ``value`` is exactly one interpolation, else ``value``."""
    if isinstance(value, str) and value.startswith("${") and value.endswith("}") and value.count("${") == 1:
        return value[2:-1].strip()
    return value
