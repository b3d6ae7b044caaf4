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


def unreachable(forge: str, api_url: str, what: str, error: BaseException) -> ForgeError:
    """``GitHub at URL could not be reached for WHAT: [Errno 111] Connection refused``: the innermost
    cause says why (a client library's own wrapper says little); no URL of the call, no header."""
    cause = error
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    lines = str(cause).strip().splitlines()
    why = lines[0][:160] if lines else type(cause).__name__
    return ForgeError(f"{forge} at {api_url} could not be reached for {what}: {why}")


class Refusal(BotError):
    code = "refused"
