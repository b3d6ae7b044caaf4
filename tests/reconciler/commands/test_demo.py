"""`reconcile demo`: the README's main-job command."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import main


def test_demo_shows_resources_and_who_changed_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--data-dir", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    for name in ("vnet-demo", "pip-web", "nsg-hotfix"):
        assert name in out
    # The out-of-band writes are attributed to the people and tools that made them.
    assert "alice@contoso.com" in out and "Azure Portal" in out
    assert "bob@contoso.com" in out and "Azure CLI" in out
    assert "microsoft.network/publicipaddresses: 1" in out
