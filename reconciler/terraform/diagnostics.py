"""Terraform's diagnostics (errors and warnings) read from its ``-json`` output.

Two shapes carry them: ``validate -json`` prints one document with a ``diagnostics`` list, and the
streaming commands (``init``, ``plan``, ``apply``, ``destroy`` with ``-json``) print one JSON object a
line, diagnostics being those with ``"type": "diagnostic"``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any
from typing import NamedTuple

from reconciler.errors import DiagnosticsError


class Diagnostic(NamedTuple):
    """One Terraform diagnostic; ``filename`` is relative to the directory Terraform ran in."""

    severity: str  # "error" | "warning"
    summary: str
    detail: str = ""
    filename: str | None = None
    line: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Diagnostic:
        rng = obj.get("range") or {}
        start = rng.get("start") or {}
        line = start.get("line")
        return cls(
            severity=str(obj.get("severity", "error")),
            summary=str(obj.get("summary", "")),
            detail=str(obj.get("detail") or ""),
            filename=rng.get("filename"),
            line=line if isinstance(line, int) else None,
        )

    def format(self) -> str:
        """One line: ``file:line: Summary: detail``, each part only when present."""
        text = _first_paragraph(self.summary)
        detail = _first_paragraph(self.detail)
        if detail:
            text = f"{text}: {detail}"
        if self.filename:
            where = f"{self.filename}:{self.line}" if self.line else self.filename
            text = f"{where}: {text}"
        return text


def _first_paragraph(text: str) -> str:
    # Terraform wraps prose at 80 columns and adds paragraphs of advice; one line per diagnostic keeps
    # the first (the statement of the problem) and unwraps it.
    return " ".join(text.strip().split("\n\n", 1)[0].split())


def json_lines(stdout: str) -> Iterator[dict[str, Any]]:
    """The JSON objects of a streaming ``-json`` output, skipping anything that is not one."""
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            yield obj


def from_stream(stdout: str) -> list[Diagnostic]:
    """The diagnostics in a streaming ``-json`` output."""
    return [
        Diagnostic.from_json(obj["diagnostic"])
        for obj in json_lines(stdout)
        if obj.get("type") == "diagnostic" and isinstance(obj.get("diagnostic"), dict)
    ]


def from_document(doc: Mapping[str, Any]) -> list[Diagnostic]:
    """The diagnostics of a ``validate -json`` document."""
    return [Diagnostic.from_json(d) for d in doc.get("diagnostics") or () if isinstance(d, dict)]


def error_message(diagnostics: Iterable[Diagnostic]) -> str:
    """One line per error, those pointing at a file first so that the first line stands alone."""
    errors = [d for d in diagnostics if d.is_error]
    errors.sort(key=lambda d: d.filename is None)
    return "\n".join(d.format() for d in errors)


def raise_for_errors(diagnostics: Iterable[Diagnostic]) -> None:
    """Raise :class:`DiagnosticsError` if any diagnostic is an error."""
    message = error_message(diagnostics)
    if message:
        raise DiagnosticsError(message)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def stderr_summary(stderr: str) -> str:
    """The gist of Terraform's stderr, for failures that came without JSON diagnostics.

    Its first ``Error:`` headline and the paragraph after it when there is one, a Go panic's message,
    else its last line (a Python traceback's exception, should the engine's worker fail).
    """
    lines = [_ANSI.sub("", line).strip(" \u2502\u2577\u2575\t") for line in stderr.splitlines()]
    for i, line in enumerate(lines):
        if line.startswith("panic:"):
            return line
        if line.startswith("Error:"):
            rest = "\n".join(lines[i + 1 :])
            detail = _first_paragraph(rest)
            return f"{line}: {detail}" if detail else line
    lines = [line for line in lines if line]
    return lines[-1] if lines else ""
