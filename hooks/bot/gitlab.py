"""GitLab (gitlab.com or self-hosted) through python-gitlab, GitLab's maintained client.

Merge requests are pull requests here, named by their ``iid``. "Write permission" is the Developer
role or above (access level 30), counting inherited group membership. Errors become
:class:`~hooks.bot.errors.ForgeError` naming the call and GitLab's message.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

import gitlab
import requests
from gitlab.exceptions import GitlabError

from hooks.bot.errors import ForgeError
from hooks.bot.errors import unreachable
from hooks.bot.forge import GitCredentials
from hooks.bot.forge import PrState
from hooks.bot.forge import PullRequest
from hooks.bot.forge import Reaction
from hooks.bot.settings import BotSettings

MAX_COMMENT = 1_000_000  # GitLab's limit on a note
DEVELOPER = 30
EMOJI: dict[Reaction, str] = {"eyes": "eyes", "+1": "thumbsup", "-1": "thumbsdown", "confused": "confused"}
STATES: dict[str, PrState] = {"opened": "open", "locked": "open", "closed": "closed", "merged": "merged"}


class _Gitlab(gitlab.Gitlab):
    """python-gitlab, retrying a refused connection, a timeout, a 429 or a 5xx 4 times (0.1 s to 0.8 s
    apart, or as Retry-After says) instead of its default 10 (102 s of waiting on a GitLab that is down)."""

    def http_request(self, verb: str, path: str, *args: Any, **kwargs: Any) -> requests.Response:
        if not args:  # python-gitlab passes everything after the path by name
            kwargs.setdefault("max_retries", 4)
        return super().http_request(verb, path, *args, **kwargs)


class GitLabForge:
    name = "gitlab"
    max_comment = MAX_COMMENT

    def __init__(self, repository: str, token: str, api_url: str = "https://gitlab.com") -> None:
        self.repository = repository
        self._token = token
        self._gl = _Gitlab(api_url, private_token=token, timeout=30, retry_transient_errors=True)
        self._project = self._gl.projects.get(repository, lazy=True)
        self._project_id: int | None = None

    def git_credentials(self) -> GitCredentials:
        # GitLab takes an access token as the password of any user name over HTTPS.
        return GitCredentials("oauth2", self._token)

    def default_branch(self) -> str:
        with self._errors("GET project"):
            project = self._gl.projects.get(self.repository)
            self._project_id = int(project.id)
            return str(project.default_branch)

    def find_pr(self, branch: str) -> PullRequest | None:
        with self._errors(f"GET merge requests of {branch}"):
            found = self._project.mergerequests.list(source_branch=branch, state="opened", get_all=True)
            ours = [int(mr.iid) for mr in found if mr.source_branch == branch and not self._fork(mr)]
        return self.get_pr(min(ours)) if ours else None

    def get_pr(self, number: int) -> PullRequest:
        with self._errors(f"GET merge request !{number}"):
            mr = self._project.mergerequests.get(number, include_diverged_commits_count=True)
            status = str(getattr(mr, "detailed_merge_status", "") or "")
            mergeable = (
                None if status in ("", "checking", "unchecked", "preparing") else status == "mergeable"
            )
            return PullRequest(
                number=int(mr.iid),
                state=STATES.get(str(mr.state), "closed"),
                title=str(mr.title),
                body=str(mr.description or ""),
                author=str(mr.author["username"]),
                head_branch=str(mr.source_branch),
                head_sha=str(mr.sha),
                base_branch=str(mr.target_branch),
                from_fork=self._fork(mr),
                mergeable=mergeable,
                url=str(mr.web_url),
            )

    def open_pr(self, branch: str, base: str, title: str, body: str) -> PullRequest:
        with self._errors(f"POST merge request from {branch}"):
            mr = self._project.mergerequests.create(
                {"source_branch": branch, "target_branch": base, "title": title, "description": body}
            )
        return self.get_pr(int(mr.iid))

    def update_pr(self, number: int, *, title: str, body: str) -> None:
        self._update(number, {"title": title, "description": body}, "PUT merge request")

    def close_pr(self, number: int) -> None:
        self._update(number, {"state_event": "close"}, "PUT merge request (close)")

    def comment(self, number: int, body: str) -> None:
        with self._errors(f"POST note on !{number}"):
            self._project.mergerequests.get(number, lazy=True).notes.create({"body": body})

    def react(self, comment_id: int, reaction: Reaction, number: int) -> None:
        with self._errors(f"POST award emoji on note {comment_id}"):
            note = self._project.mergerequests.get(number, lazy=True).notes.get(comment_id, lazy=True)
            note.awardemojis.create({"name": EMOJI[reaction]})

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        if labels:
            self._update(number, {"add_labels": ",".join(labels)}, "PUT merge request labels")

    def approvals(self, number: int) -> tuple[str, ...]:
        with self._errors(f"GET approvals of !{number}"):
            state = self._project.mergerequests.get(number, lazy=True).approvals.get()
            return tuple(sorted(str(a["user"]["username"]) for a in state.approved_by or ()))

    def can_write(self, user: str) -> bool:
        with self._errors(f"GET member {user}"):
            found = self._gl.users.list(username=user, get_all=False)
            if not found:
                return False
            try:
                member = self._project.members_all.get(found[0].id)
            except GitlabError as e:
                if e.response_code == 404:
                    return False
                raise
            return int(member.access_level) >= DEVELOPER

    def diverged(self, pr: PullRequest) -> bool:
        with self._errors(f"GET merge request !{pr.number}"):
            mr = self._project.mergerequests.get(pr.number, include_diverged_commits_count=True)
            return int(getattr(mr, "diverged_commits_count", 0) or 0) > 0

    def merge(self, pr: PullRequest, method: str) -> None:
        with self._errors(f"PUT merge of !{pr.number}"):
            mr = self._project.mergerequests.get(pr.number, lazy=True)
            extra: dict[str, Any] = {"squash": True} if method == "squash" else {}
            mr.merge(sha=pr.head_sha, **extra)

    def head_ref(self, number: int) -> str:
        return f"refs/merge-requests/{number}/head"

    # -- helpers ----------------------------------------------------------------------------------

    def _fork(self, mr: Any) -> bool:
        if self._project_id is None:
            self.default_branch()
        return int(mr.source_project_id) != self._project_id

    def _update(self, number: int, data: dict[str, Any], what: str) -> None:
        with self._errors(f"{what} !{number}"):
            self._project.mergerequests.update(number, data)

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        try:
            yield
        except GitlabError as e:
            status = e.response_code
            raise ForgeError(
                f"GitLab answered {status} to {what}: {e.error_message}", status=status
            ) from None
        except requests.RequestException as e:
            raise unreachable("GitLab", self._gl.url, what, e) from None


def from_settings(settings: BotSettings) -> GitLabForge:
    return GitLabForge(settings.repository, settings.require_token(), settings.api_url)
