"""What the bot asks of a forge (GitHub, GitLab), as one Protocol; one module per forge implements it.

Pull requests (GitLab's merge requests) are named by their number (``iid``). Every verb either does what
it says or raises :class:`~hooks.bot.errors.ForgeError` with the forge's status and message; a token never
appears in one. Comments longer than :attr:`Forge.max_comment` are refused by the forge, so callers split
them first (:func:`hooks.bot.comments.post`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal
from typing import NamedTuple
from typing import Protocol

PrState = Literal["open", "closed", "merged"]
Reaction = Literal["eyes", "+1", "-1", "confused"]


class PullRequest(NamedTuple):
    number: int
    state: PrState
    title: str
    body: str
    author: str
    head_branch: str
    head_sha: str
    base_branch: str
    from_fork: bool  # its head lives in another repository
    mergeable: bool | None  # None: the forge has not worked it out yet
    url: str


class GitCredentials(NamedTuple):
    """What git answers a remote over HTTPS that asks who it is (the forge's token, never on a command
    line: see :mod:`hooks.bot.checkout`)."""

    username: str
    password: str


class Forge(Protocol):
    """A repository on a forge, through its API client."""

    name: str  # "github" | "gitlab"
    repository: str  # "octo/infra", "group/project"
    max_comment: int  # characters a comment may have

    def default_branch(self) -> str: ...

    def find_pr(self, branch: str) -> PullRequest | None:
        """The open pull request from ``branch`` of this repository, if there is one."""

    def get_pr(self, number: int) -> PullRequest: ...

    def open_pr(self, branch: str, base: str, title: str, body: str) -> PullRequest: ...

    def update_pr(self, number: int, *, title: str, body: str) -> None: ...

    def close_pr(self, number: int) -> None: ...

    def comment(self, number: int, body: str) -> None:
        """One comment of at most :attr:`max_comment` characters."""

    def react(self, comment_id: int, reaction: Reaction, number: int) -> None:
        """React to a comment (GitLab needs the merge request's number too)."""

    def add_labels(self, number: int, labels: Sequence[str]) -> None: ...

    def approvals(self, number: int) -> tuple[str, ...]:
        """Who approved the pull request (their latest review), by login."""

    def can_write(self, user: str) -> bool:
        """Whether ``user`` may push to the repository (write, maintain or admin; GitLab: Developer+)."""

    def diverged(self, pr: PullRequest) -> bool:
        """Whether the base branch has commits the pull request's head does not."""

    def merge(self, pr: PullRequest, method: str) -> None:
        """Merge exactly ``pr.head_sha``; a newer head is refused by the forge."""

    def head_ref(self, number: int) -> str:
        """The git ref that holds the pull request's head on the remote (works for forks too)."""

    def git_credentials(self) -> GitCredentials:
        """Credentials for the repository's remote over HTTPS, from the bot's own API credentials."""


def repository_key(forge: Forge) -> str:
    """``github:octo/infra``: how the store and the locks name the repository."""
    return f"{forge.name}:{forge.repository}"


def pr_key(forge: Forge, number: int) -> str:
    """``github:octo/infra#12``: how a lock names the pull request holding it."""
    return f"{repository_key(forge)}#{number}"
