"""GitHub (and GitHub Enterprise) through githubkit, GitHub's typed REST client.

Responses are parsed into githubkit's models of GitHub's published schema, so a shape GitHub does not
document fails loudly here instead of somewhere later. HTTP caching is off: the bot must see a push the
moment it happened (a cached pull request would hide a new head). Errors become
:class:`~hooks.bot.errors.ForgeError` naming the call and GitHub's message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from typing import Literal
from typing import TypeVar

import httpx
import pydantic
from githubkit import AppAuthStrategy
from githubkit import GitHub
from githubkit import Response
from githubkit import TokenAuthStrategy
from githubkit.auth.base import BaseAuthStrategy
from githubkit.cache import MemCacheStrategy
from githubkit.exception import GitHubException
from githubkit.exception import RequestFailed

from hooks.bot.errors import ForgeError
from hooks.bot.errors import unreachable
from hooks.bot.forge import GitCredentials
from hooks.bot.forge import PrState
from hooks.bot.forge import PullRequest
from hooks.bot.forge import Reaction
from hooks.bot.settings import BotSettings
from hooks.bot.settings import GitHubApp

MAX_COMMENT = 65_536  # GitHub refuses longer comment bodies (422)
WRITE = ("admin", "maintain", "write")
T = TypeVar("T")


class GitHubForge:
    name = "github"
    max_comment = MAX_COMMENT

    def __init__(
        self,
        repository: str,
        credentials: str | GitHubApp,
        api_url: str = "https://api.github.com",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``credentials``: a token, or a GitHub App (whose installation is looked up now if unset)."""
        self.repository = repository
        self.owner, self.repo = repository.split("/", 1)
        self._api_url = api_url.rstrip("/") + "/"
        self._transport = transport
        # This client's App tokens stay with it (githubkit's default cache is shared by the process).
        self._cache = MemCacheStrategy()
        self._token = ""
        self._as_app: GitHub[Any] | None = None
        self._installation_id = 0
        self._git_token = ("", 0.0)  # an installation token for git, and when it expires
        auth: BaseAuthStrategy
        if isinstance(credentials, GitHubApp):
            app = AppAuthStrategy(credentials.app_id, credentials.private_key)
            self._as_app = self._client(app)
            self._installation_id = credentials.installation_id or self._installation(credentials.app_id)
            auth = app.as_installation(self._installation_id, repositories=[self.repo])
        else:
            self._token = credentials
            auth = TokenAuthStrategy(credentials)
        self._gh = self._client(auth)

    def _client(self, auth: BaseAuthStrategy) -> GitHub[Any]:
        return GitHub(
            auth,
            base_url=self._api_url,
            user_agent="reconcile-bot",
            timeout=30.0,
            http_cache=False,
            transport=self._transport,
            cache_strategy=self._cache,
        )

    def _installation(self, app_id: int) -> int:
        assert self._as_app is not None
        what = f"GET installation of GitHub App {app_id} on {self.repository}"
        try:
            with self._errors(what):
                return self._as_app.rest.apps.get_repo_installation(self.owner, self.repo).parsed_data.id
        except ForgeError as e:
            if e.status == 404:
                raise ForgeError(
                    f"GitHub App {app_id} is not installed on {self.repository}: install it there, or set"
                    " bot.app_installation_id",
                    status=404,
                ) from None
            raise

    # -- pull requests ----------------------------------------------------------------------------

    def default_branch(self) -> str:
        return self._call(
            "GET repository", lambda: self._gh.rest.repos.get(self.owner, self.repo)
        ).default_branch

    def find_pr(self, branch: str) -> PullRequest | None:
        found = self._call(
            f"GET pull requests of {branch}",
            lambda: self._gh.rest.pulls.list(
                self.owner, self.repo, state="open", head=f"{self.owner}:{branch}"
            ),
        )
        # The head filter is GitHub's; check it anyway, the answer decides which PR is ours.
        numbers = [
            p.number for p in found if p.head.ref == branch and not _fork(p.head.repo, self.repository)
        ]
        return self.get_pr(min(numbers)) if numbers else None

    def get_pr(self, number: int) -> PullRequest:
        p = self._call(
            f"GET pull request #{number}", lambda: self._gh.rest.pulls.get(self.owner, self.repo, number)
        )
        state: PrState = "merged" if p.merged else p.state
        return PullRequest(
            number=p.number,
            state=state,
            title=p.title,
            body=p.body or "",
            author=p.user.login,
            head_branch=p.head.ref,
            head_sha=p.head.sha,
            base_branch=p.base.ref,
            from_fork=_fork(p.head.repo, self.repository),
            mergeable=p.mergeable,
            url=p.html_url,
        )

    def open_pr(self, branch: str, base: str, title: str, body: str) -> PullRequest:
        created = self._call(
            f"POST pull request from {branch}",
            lambda: self._gh.rest.pulls.create(
                self.owner, self.repo, data={"title": title, "head": branch, "base": base, "body": body}
            ),
        )
        return self.get_pr(created.number)

    def update_pr(self, number: int, *, title: str, body: str) -> None:
        self._call(
            f"PATCH pull request #{number}",
            lambda: self._gh.rest.pulls.update(
                self.owner, self.repo, number, data={"title": title, "body": body}
            ),
        )

    def close_pr(self, number: int) -> None:
        self._call(
            f"PATCH pull request #{number} (close)",
            lambda: self._gh.rest.pulls.update(self.owner, self.repo, number, data={"state": "closed"}),
        )

    # -- conversation -----------------------------------------------------------------------------

    def comment(self, number: int, body: str) -> None:
        self._call(
            f"POST comment on #{number}",
            lambda: self._gh.rest.issues.create_comment(self.owner, self.repo, number, data={"body": body}),
        )

    def react(self, comment_id: int, reaction: Reaction, number: int) -> None:
        self._call(
            f"POST reaction to comment {comment_id}",
            lambda: self._gh.rest.reactions.create_for_issue_comment(
                self.owner, self.repo, comment_id, data={"content": reaction}
            ),
        )

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        if labels:
            self._call(
                f"POST labels on #{number}",
                lambda: self._gh.rest.issues.add_labels(
                    self.owner, self.repo, number, data={"labels": list(labels)}
                ),
            )

    # -- what an apply needs ----------------------------------------------------------------------

    def approvals(self, number: int) -> tuple[str, ...]:
        latest: dict[str, str] = {}
        with self._errors(f"GET reviews of #{number}"):
            reviews: Iterator[Any] = self._gh.rest.paginate(
                self._gh.rest.pulls.list_reviews,
                owner=self.owner,
                repo=self.repo,
                pull_number=number,
                per_page=100,
            )
            for review in reviews:  # oldest first: a later review replaces an earlier one
                if review.user is not None and review.state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
                    latest[review.user.login] = review.state
        return tuple(sorted(user for user, state in latest.items() if state == "APPROVED"))

    def can_write(self, user: str) -> bool:
        what = f"GET permission of {user}"
        try:
            with self._errors(what):
                answer = self._gh.rest.repos.get_collaborator_permission_level(self.owner, self.repo, user)
                data = answer.parsed_data
        except ForgeError as e:
            if e.status == 404:  # not a collaborator at all
                return False
            raise
        return data.permission in WRITE or (data.role_name or "") in WRITE

    def diverged(self, pr: PullRequest) -> bool:
        compared = self._call(
            f"GET compare {pr.base_branch}...{pr.head_sha[:12]}",
            lambda: self._gh.rest.repos.compare_commits(
                self.owner, self.repo, f"{pr.base_branch}...{pr.head_sha}"
            ),
        )
        return compared.behind_by > 0

    def merge(self, pr: PullRequest, method: str) -> None:
        if method not in ("merge", "squash", "rebase"):
            raise ValueError(f"merge method {method!r}")
        chosen: Literal["merge", "squash", "rebase"] = method  # type: ignore[assignment]
        self._call(
            f"PUT merge of #{pr.number}",
            lambda: self._gh.rest.pulls.merge(
                self.owner, self.repo, pr.number, merge_method=chosen, sha=pr.head_sha
            ),
        )

    def head_ref(self, number: int) -> str:
        return f"refs/pull/{number}/head"

    def git_credentials(self) -> GitCredentials:
        # GitHub takes a token as the password of the user name x-access-token over HTTPS.
        if self._as_app is None:
            return GitCredentials("x-access-token", self._token)
        token, expires = self._git_token
        if time.time() > expires - 60:
            as_app = self._as_app
            minted = self._call(
                f"POST installation token of {self.repository} for git",
                lambda: as_app.rest.apps.create_installation_access_token(
                    self._installation_id, data={"repositories": [self.repo]}
                ),
            )
            token = minted.token
            self._git_token = (token, datetime.fromisoformat(minted.expires_at).timestamp())
        return GitCredentials("x-access-token", token)

    # -- errors -----------------------------------------------------------------------------------

    def _call(self, what: str, call: Callable[[], Response[T, Any]]) -> T:
        with self._errors(what):
            return call().parsed_data

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        try:
            yield
        except GitHubException as e:
            raise _error(self._api_url.rstrip("/"), what, e) from None
        except pydantic.ValidationError as e:
            first = e.errors()[0] if e.errors() else None
            where = ".".join(str(p) for p in first["loc"]) if first else ""
            why = f"{where}: {first['msg']}" if first else "no detail"
            raise ForgeError(f"GitHub's answer to {what} is not what GitHub documents ({why})") from None


def _fork(repo: Any, repository: str) -> bool:
    """A head in another repository (or one deleted since: GitHub then sends ``repo: null``)."""
    return repo is None or str(repo.full_name).lower() != repository.lower()


def _error(api_url: str, what: str, e: GitHubException) -> ForgeError:
    if isinstance(e, RequestFailed):
        response = e.response
        try:
            doc = response.json()
            message = str(doc.get("message") or "")
            # A 422 says "Validation Failed"; what failed is in its errors.
            details = [
                str(d.get("message") or d.get("code")) for d in doc.get("errors") or () if isinstance(d, dict)
            ]
        except (ValueError, AttributeError):
            message, details = response.text[:200], []
        if details:
            message += f" ({'; '.join(details)[:300]})"
        status = response.status_code
        return ForgeError(f"GitHub answered {status} to {what}: {message or 'no message'}", status=status)
    return unreachable("GitHub", api_url, what, e)


def from_settings(settings: BotSettings) -> GitHubForge:
    credentials = settings.app if settings.app is not None else settings.require_token()
    return GitHubForge(settings.repository, credentials, settings.api_url)
