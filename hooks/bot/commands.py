"""The comment grammar, Atlantis-like; comments are untrusted input, so the parser is strict.

    /reconcile plan    [-d DIR | -w WORKSPACE]
    /reconcile apply   [-d DIR | -w WORKSPACE]
    /reconcile revert  [-d DIR | -w WORKSPACE] [ADDRESS ...]
    /reconcile rescan  [-d DIR | -w WORKSPACE]
    /reconcile unlock  [-d DIR | -w WORKSPACE]
    /reconcile help

Only a comment whose first line starts with ``/reconcile`` is for the bot; the rest of the comment is
ignored (room for a human explanation). Words are split on whitespace, never by a shell: quotes,
``$``, backticks and the like are not in any word's alphabet, so nothing a comment says is ever
interpreted, only matched. Anything else — an unknown verb or flag, a bad value — is :class:`Invalid`,
answered with the help text and the reason.
"""

from __future__ import annotations

import re
from typing import Literal
from typing import NamedTuple
from typing import cast

PREFIX = "/reconcile"
Verb = Literal["plan", "apply", "revert", "rescan", "unlock", "help"]
VERBS: tuple[Verb, ...] = ("plan", "apply", "revert", "rescan", "unlock", "help")
MAX_LINE = 2_000
MAX_ADDRESSES = 50

_DIR = re.compile(r"^[A-Za-z0-9_.\-/]{1,200}$")
_WORKSPACE = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
# A resource address: module path, type, name, an index or a quoted key ("web[0]", 'x["a-b"]').
_KEY = r'(\[(\d+|"[A-Za-z0-9_.\-/ ]*")\])?'  # an index or a quoted key: web[0], x["a-b"]
_ADDRESS = re.compile(rf"^[A-Za-z0-9_.\-]+{_KEY}(\.[A-Za-z0-9_\-]+{_KEY})*$")

_SCOPE = "[-d DIR \\| -w WORKSPACE]"
_ROWS = (
    (
        f"plan {_SCOPE}",
        "plan the pull request's head; takes the workspace's lock until the PR merges or closes",
    ),
    (f"apply {_SCOPE}", "apply that plan (locked, verified, audited, rolled back on failure), then merge"),
    (
        f"revert {_SCOPE} [ADDRESS ...]",
        "put drifted resources back as the default branch says (no code change)",
    ),
    (f"rescan {_SCOPE}", "scan again and update (or close) this pull request"),
    (f"unlock {_SCOPE}", "release this pull request's lock on the workspace"),
    ("help", "this table"),
)
HELP = "| command | what it does |\n|---|---|\n" + "".join(f"| `{PREFIX} {c}` | {w} |\n" for c, w in _ROWS)


class Command(NamedTuple):
    verb: Verb
    directory: str | None = None  # -d: a workspace directory, relative to the repository
    workspace: str | None = None  # -w: a workspace by name
    addresses: tuple[str, ...] = ()  # revert only


class Invalid(NamedTuple):
    reason: str


def parse(comment: str) -> Command | Invalid | None:
    """The command in a comment; None when the comment is not for the bot."""
    first = comment.lstrip().split("\n", 1)[0].strip()
    words = first.split()
    if not words or words[0] != PREFIX:
        return None
    if len(first) > MAX_LINE:
        return Invalid(f"the command line is longer than {MAX_LINE} characters")
    if len(words) == 1:
        return Command("help")
    if words[1] not in VERBS:
        return Invalid(f"unknown command {_shown(words[1])}")
    verb = cast(Verb, words[1])
    directory: str | None = None
    workspace: str | None = None
    addresses: list[str] = []
    rest = words[2:]
    while rest:
        word = rest.pop(0)
        if word in ("-d", "--dir", "-w", "--workspace"):
            if not rest:
                return Invalid(f"{word} needs a value")
            value = rest.pop(0)
            if word in ("-d", "--dir"):
                if directory is not None or not _DIR.match(value) or ".." in value.split("/"):
                    return Invalid(f"{word} {_shown(value)}: not a directory inside the repository")
                directory = value.strip("/") or "."
            else:
                if workspace is not None or not _WORKSPACE.match(value):
                    return Invalid(f"{word} {_shown(value)}: not a workspace name")
                workspace = value
        elif word.startswith("-"):
            return Invalid(f"unknown flag {_shown(word)}")
        elif verb == "revert" and _ADDRESS.match(word) and len(word) <= 300:
            addresses.append(word)
        else:
            return Invalid(
                f"unexpected {_shown(word)}" + (": not a resource address" if verb == "revert" else "")
            )
    if directory is not None and workspace is not None:
        return Invalid("give -d or -w, not both")
    if len(addresses) > MAX_ADDRESSES:
        return Invalid(f"more than {MAX_ADDRESSES} addresses")
    return Command(verb, directory, workspace, tuple(dict.fromkeys(addresses)))


def _shown(word: str) -> str:
    """A word of the comment, quoted for the answer: at most 40 visible characters, no backticks."""
    cut = word[:40] + ("…" if len(word) > 40 else "")
    return "'" + re.sub(r"[^\x21-\x7e]|`", "?", cut) + "'"
