"""docs/scheduling.md: its examples parse, and every reconcile command in them is one the CLI accepts."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.cli import build_parser

DOC = Path(__file__).resolve().parents[2] / "docs" / "scheduling.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(), re.S)


def _commands() -> list[list[str]]:
    """Each `reconcile drift ...` in the examples' code, split as a shell would, without redirections."""
    code = "\n".join(b for lang in ("crontab", "ini", "yaml") for b in _blocks(lang))
    found = []
    for match in re.finditer(r"reconcile (drift [^;|&\n]*)", code):
        found.append(shlex.split(match.group(1).split(" 2>")[0]))
    return found


def test_the_yaml_examples_are_a_scheduled_workflow_and_a_cronjob() -> None:
    docs: list[Any] = [yaml.safe_load(b) for b in _blocks("yaml")]
    workflow = next(d for d in docs if "jobs" in d)
    assert workflow[True]["schedule"][0]["cron"]  # YAML 1.1 reads the key `on` as true
    assert workflow["concurrency"]["cancel-in-progress"] is False
    steps = workflow["jobs"]["drift"]["steps"]
    assert any("reconcile drift --all" in s.get("run", "") for s in steps)
    cronjob = next(d for d in docs if d.get("kind") == "CronJob")
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    container = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert "reconcile drift --all" in container["args"][0]


def test_the_systemd_units_have_their_sections() -> None:
    service, timer = (_ini(b) for b in _blocks("ini"))
    assert service["Service"]["Type"] == "oneshot" and service["Service"]["SuccessExitStatus"] == "2"
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == "timers.target"


def _ini(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def test_the_crontab_line_has_five_fields_and_a_command() -> None:
    [crontab] = _blocks("crontab")
    [line] = [x for x in crontab.splitlines() if x and not x.startswith("#")]
    assert len(line.split(None, 5)) == 6


@pytest.mark.parametrize("words", _commands(), ids=lambda w: " ".join(w)[:60])
def test_every_reconcile_command_in_the_examples_parses(words: list[str]) -> None:
    args = build_parser().parse_args(words)
    assert args.command == "drift" and args.all
