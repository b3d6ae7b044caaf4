from __future__ import annotations

import json

import pytest

from reconciler.errors import DiagnosticsError
from reconciler.terraform.diagnostics import Diagnostic
from reconciler.terraform.diagnostics import from_stream
from reconciler.terraform.diagnostics import raise_for_errors
from reconciler.terraform.diagnostics import stderr_summary


def _line(severity: str, summary: str, detail: str = "", filename: str | None = None, line: int = 0) -> str:
    diagnostic: dict[str, object] = {"severity": severity, "summary": summary, "detail": detail}
    if filename:
        diagnostic["range"] = {"filename": filename, "start": {"line": line, "column": 1}}
    return json.dumps({"type": "diagnostic", "@level": severity, "diagnostic": diagnostic})


def test_errors_become_one_line_each_located_ones_first() -> None:
    stdout = "\n".join(
        [
            '{"type": "version", "terraform": "1.15.5"}',
            "not json at all",
            _line("error", "Terraform encountered problems during initialisation, including\nproblems"),
            _line("warning", "Deprecated", "Old.", "main.tf", 3),
            _line("error", "Unsupported argument", 'No "bogus"\nhere.\n\nLong advice.', "modules/a/x.tf", 7),
        ]
    )
    diags = from_stream(stdout)
    assert [d.severity for d in diags] == ["error", "warning", "error"]
    with pytest.raises(DiagnosticsError) as info:
        raise_for_errors(diags)
    assert info.value.message.splitlines() == [
        'modules/a/x.tf:7: Unsupported argument: No "bogus" here.',
        "Terraform encountered problems during initialisation, including problems",
    ]


def test_warnings_alone_do_not_raise() -> None:
    raise_for_errors([Diagnostic("warning", "Deprecated", "", "main.tf", 1)])


def test_stderr_summary_keeps_the_error_headline_and_its_reason() -> None:
    stderr = (
        "\x1b[31m╷\x1b[0m\n│ Error: Failed to load plugin\n│\n│ The plugin crashed\n│ badly.\n│\n│ More.\n╵\n"
    )
    assert stderr_summary(stderr) == "Error: Failed to load plugin: The plugin crashed badly."
    assert stderr_summary("panic: boom\n\ngoroutine 1 [running]:\n") == "panic: boom"
    assert (
        stderr_summary("Traceback (most recent call last):\n  ...\nOSError: disk full\n")
        == "OSError: disk full"
    )
