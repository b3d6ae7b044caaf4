"""The PR bot's errors: each is shown like every other expected failure (see :mod:`reconciler.errors`).

class           code     what (all exit 1)
BotError        bot      the bot cannot work: missing settings, a git step that failed
├── ForgeError  forge    the forge's API refused or failed a call (status and message, never a token)
└── Refusal     refused  a comment command the bot says no to (the reason is answered in the PR)
"""

from __future__ import annotations

from reconciler.errors import ReconcileError


class BotError(ReconcileError):
    code = "bot"


class ForgeError(BotError):
    code = "forge"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the forge's HTTP status; None when it could not be reached


class Refusal(BotError):
    code = "refused"
