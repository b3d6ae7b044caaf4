"""The comment grammar: what the bot does for each comment, and what it refuses to read."""

from __future__ import annotations

import pytest

from hooks.bot.commands import Command
from hooks.bot.commands import Invalid
from hooks.bot.commands import parse


@pytest.mark.parametrize(
    ("comment", "command"),
    [
        ("/reconcile plan", Command("plan")),
        ("  /reconcile apply -d envs/prod\nplease, it is urgent", Command("apply", directory="envs/prod")),
        ("/reconcile plan --workspace prod", Command("plan", workspace="prod")),
        ("/reconcile revert", Command("revert")),
        (
            '/reconcile revert azurerm_public_ip.a module.net.azurerm_subnet.s["a-b"] x.y[0] x.y[0]',
            Command(
                "revert", addresses=("azurerm_public_ip.a", 'module.net.azurerm_subnet.s["a-b"]', "x.y[0]")
            ),
        ),
        ("/reconcile", Command("help")),
        ("/reconcile help", Command("help")),
        ("/reconcile unlock -d .", Command("unlock", directory=".")),
        ("/reconcile rescan", Command("rescan")),
    ],
)
def test_commands_are_read(comment: str, command: Command) -> None:
    assert parse(comment) == command


@pytest.mark.parametrize(
    "comment", ["looks good", "please /reconcile apply", "/reconciled plan", "", "> /reconcile apply"]
)
def test_comments_that_are_not_commands_are_left_alone(comment: str) -> None:
    assert parse(comment) is None


@pytest.mark.parametrize(
    ("comment", "reason"),
    [
        ("/reconcile destroy", "unknown command 'destroy'"),
        ("/reconcile apply -d ../../etc", "-d '../../etc': not a directory inside the repository"),
        ("/reconcile apply -d", "-d needs a value"),
        ("/reconcile plan -d a -w b", "give -d or -w, not both"),
        ("/reconcile apply --auto-approve", "unknown flag '--auto-approve'"),
        ("/reconcile apply $(curl evil)", "unexpected '$(curl'"),
        ("/reconcile revert x;rm", "unexpected 'x;rm': not a resource address"),
        ("/reconcile plan -w `id`", "-w '?id?': not a workspace name"),
        ("/reconcile plan " + "x" * 3000, "the command line is longer than 2000 characters"),
    ],
)
def test_anything_else_is_refused_with_the_reason(comment: str, reason: str) -> None:
    assert parse(comment) == Invalid(reason)
