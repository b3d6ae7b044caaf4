"""A stateful fake of GitHub's REST API on loopback, over a real bare git repository.

Answers are GitHub's documented examples (``github_examples.json``, from ``@octokit/openapi``) with the
fake's state filled in, so the real githubkit client parses them with its models of GitHub's schema.
What the fake knows of branches, commits, merges and divergence it reads from the bare repository the
bot really pushes to. GitHub's refusals are kept: a comment over 65,536 characters is a 422, a second PR
for a branch is a 422, merging a head that moved is a 409, a bad token is a 401.

With ``app=GitHubAppKey(...)`` it also is that App's side of GitHub: the App's JSON web token (RS256,
checked with the App's public key, at most ten minutes long, issued by the App's id) finds the
installation on the repository and mints installation tokens, each valid for ``token_ttl`` seconds and
only for the repositories asked for; an expired installation token is a 401, as on GitHub.

Tests act as people through it: ``user_comments`` (returns the signed webhook delivery GitHub would
send), ``approve``, ``close``, ``grant``; and read what the bot did: ``comments``, ``reactions``,
``pulls``, ``requests``.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import uuid
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import NamedTuple

import jwt
from git_remote import BareRemote
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.routing import Rule
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

EXAMPLES: dict[str, Any] = json.loads((Path(__file__).parent / "github_examples.json").read_text())
MAX_COMMENT = 65_536
BOT_LOGIN = "reconcile-bot"


class Delivery(NamedTuple):
    """A webhook delivery as GitHub sends it: headers and the raw body."""

    event: str
    headers: dict[str, str]
    body: bytes


class GitHubAppKey(NamedTuple):
    """A GitHub App as GitHub knows it: its id, public key and installation on the fake's repository."""

    app_id: int
    public_key_pem: bytes
    installation_id: int = 4242
    token_ttl: float = 3600.0


class FakeGitHub:
    def __init__(
        self,
        remote: BareRemote,
        repository: str = "octo/infra",
        token: str = "ghs_test_token",
        app: GitHubAppKey | None = None,
    ) -> None:
        self.remote = remote
        self.repository = repository
        self.owner, self.name = repository.split("/")
        self.token = token
        self.app = app
        self.installation_tokens: dict[str, float] = {}  # token -> when it expires (time.time())
        self.token_requests: list[dict[str, Any]] = []  # bodies of POST .../access_tokens
        self.default_branch = "main"
        self.permissions: dict[str, str] = {BOT_LOGIN: "write"}
        self.pulls: dict[int, dict[str, Any]] = {}
        self.comments: list[dict[str, Any]] = []  # {"id", "number", "user", "body"}
        self.reviews: dict[int, list[tuple[str, str]]] = {}
        self.reactions: list[tuple[int, str]] = []
        self.labels: dict[int, list[str]] = {}
        self.requests: list[tuple[str, str]] = []
        self._ids = itertools.count(1001)
        self._numbers = itertools.count(1)
        self._lock = threading.RLock()
        self.url = ""  # set by the test once the server runs

    # -- what people do ---------------------------------------------------------------------------

    def grant(self, login: str, permission: str) -> None:
        self.permissions[login] = permission

    def approve(self, number: int, login: str) -> None:
        self.reviews.setdefault(number, []).append((login, "APPROVED"))

    def close(self, number: int) -> None:
        with self._lock:
            self.pulls[number]["state"] = "closed"
            self.pulls[number]["closed_at"] = _now()

    def user_comments(self, number: int, login: str, body: str, secret: str) -> Delivery:
        """``login`` comments on the PR; the ``issue_comment`` delivery GitHub would send for it."""
        comment = self._add_comment(number, login, body)
        payload = {
            "action": "created",
            "issue": {**self._pr_json(number), "pull_request": {"url": self._api(f"pulls/{number}")}},
            "comment": self._comment_json(comment),
            "repository": self._repo_json(),
            "sender": _user(login),
        }
        return sign("issue_comment", payload, secret)

    def closed_event(self, number: int, secret: str) -> Delivery:
        payload = {
            "action": "closed",
            "number": number,
            "pull_request": self._pr_json(number),
            "repository": self._repo_json(),
            "sender": _user("octocat"),
        }
        return sign("pull_request", payload, secret)

    # -- what the bot did -------------------------------------------------------------------------

    def comments_on(self, number: int, author: str = BOT_LOGIN) -> list[str]:
        return [c["body"] for c in self.comments if c["number"] == number and c["user"] == author]

    def open_pulls(self) -> list[dict[str, Any]]:
        return [p for p in self.pulls.values() if p["state"] == "open"]

    # -- the HTTP side ----------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        with self._lock:
            self.requests.append((request.method, request.path))
            try:
                response = self._dispatch(request)
            except HTTPException as e:
                response = _error(e.code or 500, e.description or "error")
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        auth = request.headers.get("Authorization", "")
        if self.app is not None and _APP_ROUTE.fullmatch(request.path):
            return self._as_app(request, auth)
        if auth not in (f"token {self.token}", f"Bearer {self.token}") and not self._installed(auth):
            return _error(401, "Bad credentials")
        self._sync_pull_refs()
        adapter = _ROUTES.bind_to_environ(request.environ)
        endpoint, args = adapter.match()
        if (args.pop("owner"), args.pop("repo")) != (self.owner, self.name):
            return _error(404, "Not Found")
        body = request.get_json(silent=True) or {}
        return getattr(self, f"_{endpoint}")(request, body, **args)

    # -- a GitHub App's side ----------------------------------------------------------------------

    def _as_app(self, request: Request, auth: str) -> Response:
        assert self.app is not None
        scheme, _, token = auth.partition(" ")
        if scheme != "Bearer":
            return _error(401, "A JSON web token could not be decoded")
        try:
            claims = jwt.decode(
                token,
                self.app.public_key_pem,
                algorithms=["RS256"],
                options={"require": ["iat", "exp", "iss"]},
            )
        except jwt.PyJWTError as e:
            return _error(401, f"A JSON web token could not be decoded ({type(e).__name__})")
        if str(claims["iss"]) != str(self.app.app_id):
            return _error(401, "A JSON web token could not be decoded (not this App's)")
        if int(claims["exp"]) - int(claims["iat"]) > 600:
            return _error(401, "'Expiration time' claim ('exp') is too far in the future")
        if request.path not in (
            f"/repos/{self.repository}/installation",
            f"/app/installations/{self.app.installation_id}/access_tokens",
        ):
            return _error(404, "Not Found")
        doc = _fill(EXAMPLES["installation"], user=_user(self.owner), repository=None)
        doc.update(
            id=self.app.installation_id, app_id=self.app.app_id,
            access_tokens_url=f"{self.url}/app/installations/{self.app.installation_id}/access_tokens",
        )  # fmt: skip
        if request.method == "GET":
            return _json(doc)
        body = request.get_json(silent=True) or {}
        self.token_requests.append(body)
        if any(r != self.name for r in body.get("repositories", [])):
            return _validation(
                "Installation", "repositories", "There is at least one repository that does not exist"
            )
        minted = f"ghs_installation_{uuid.uuid4().hex}"
        expires = time.time() + self.app.token_ttl
        self.installation_tokens[minted] = expires
        out = {
            **EXAMPLES["installation-token"],
            "token": minted,
            "expires_at": datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        return _json(out, 201)

    def _installed(self, auth: str) -> bool:
        scheme, _, token = auth.partition(" ")
        expires = self.installation_tokens.get(token)
        return scheme in ("token", "Bearer") and expires is not None and time.time() < expires

    def _get_repo(self, request: Request, body: Any) -> Response:
        doc = _fill(EXAMPLES["full-repository"], user=_user(self.owner), repository=None)
        doc.update(self._repo_json())
        return _json(doc)

    def _list_pulls(self, request: Request, body: Any) -> Response:
        state, head = request.args.get("state", "open"), request.args.get("head", "")
        out = [
            self._pr_json(n)
            for n, p in sorted(self.pulls.items())
            if (state == "all" or p["state"] == state) and (not head or f"{self.owner}:{p['head']}" == head)
        ]
        return _json(out)

    def _create_pull(self, request: Request, body: Any) -> Response:
        head, base = str(body.get("head", "")), str(body.get("base", ""))
        if self.remote.branch(head) is None or self.remote.branch(base) is None:
            return _validation(
                "PullRequest", "head" if self.remote.branch(head) is None else "base", "invalid"
            )
        if any(p["head"] == head and p["state"] == "open" for p in self.pulls.values()):
            return _validation("PullRequest", "", f"A pull request already exists for {self.owner}:{head}.")
        if self.remote.behind_ahead(base, head)[1] == 0:
            return _validation("PullRequest", "", f"No commits between {base} and {head}")
        number = next(self._numbers)
        self.pulls[number] = {
            "number": number, "id": next(self._ids), "title": body.get("title", ""), "body": body.get("body"),
            "head": head, "base": base, "state": "open", "merged": False, "user": BOT_LOGIN,
            "created_at": _now(), "closed_at": None, "merged_at": None, "merge_commit_sha": None,
            "head_sha": self.remote.branch(head), "fork": None,
        }  # fmt: skip
        self._sync_pull_refs()
        return _json(self._pr_json(number), 201)

    def _get_pull(self, request: Request, body: Any, number: int) -> Response:
        self._pull(number)
        return _json(self._pr_json(number))

    def _update_pull(self, request: Request, body: Any, number: int) -> Response:
        pull = self._pull(number)
        for key in ("title", "body"):
            if key in body:
                pull[key] = body[key]
        if body.get("state") == "closed" and pull["state"] == "open":
            pull["state"], pull["closed_at"] = "closed", _now()
        return _json(self._pr_json(number))

    def _merge_pull(self, request: Request, body: Any, number: int) -> Response:
        pull = self._pull(number)
        head = self.remote.branch(pull["head"])
        if pull["state"] != "open":
            return _error(405, "Pull Request is not mergeable")
        if body.get("sha") and body["sha"] != head:
            return _error(409, "Head branch was modified. Review and try the merge again.")
        assert head is not None
        sha = self.remote.merge(
            pull["base"], head, f"Merge pull request #{number} from {self.owner}/{pull['head']}"
        )
        if sha is None:
            return _error(405, "Pull Request is not mergeable")
        pull.update(state="closed", merged=True, merged_at=_now(), closed_at=_now(), merge_commit_sha=sha)
        return _json({**EXAMPLES["pull-request-merge-result"], "sha": sha})

    def _create_comment(self, request: Request, body: Any, number: int) -> Response:
        self._pull(number)
        text = body.get("body")
        if not isinstance(text, str) or not text:
            return _validation("IssueComment", "body", "missing_field")
        if len(text) > MAX_COMMENT:
            return _validation(
                "IssueComment", "body", f"body is too long (maximum is {MAX_COMMENT} characters)"
            )
        return _json(self._comment_json(self._add_comment(number, BOT_LOGIN, text)), 201)

    def _react(self, request: Request, body: Any, comment_id: int) -> Response:
        if not any(c["id"] == comment_id for c in self.comments):
            return _error(404, "Not Found")
        self.reactions.append((comment_id, str(body.get("content"))))
        doc = _fill(EXAMPLES["reaction"], user=_user(BOT_LOGIN), repository=None)
        return _json({**doc, "content": body.get("content")}, 201)

    def _add_labels(self, request: Request, body: Any, number: int) -> Response:
        names = self.labels.setdefault(number, [])
        names.extend(label for label in body.get("labels", []) if label not in names)
        return _json([{**EXAMPLES["label"], "name": name, "default": False} for name in names])

    def _list_reviews(self, request: Request, body: Any, number: int) -> Response:
        page = int(request.args.get("page", "1"))
        reviews = self.reviews.get(number, []) if page == 1 else []
        out = [
            {
                **_fill(EXAMPLES["pull-request-review"], user=_user(login), repository=None),
                "id": i + 1,
                "state": state,
            }
            for i, (login, state) in enumerate(reviews)
        ]
        return _json(out)

    def _permission(self, request: Request, body: Any, username: str) -> Response:
        if username not in self.permissions:
            return _error(404, f"{username} is not a user")
        level = self.permissions[username]
        # The collaborator's role_name is required by GitHub's newer schema (githubkit), not in the example.
        user = {**_user(username), "role_name": level}
        return _json({"permission": level, "role_name": level, "user": user})

    def _compare(self, request: Request, body: Any, basehead: str) -> Response:
        base, _, head = basehead.partition("...")
        base_sha, head_sha = self.remote.sha(base), self.remote.sha(head)
        if base_sha is None or head_sha is None:
            return _error(404, "Not Found")
        behind, ahead = self.remote.behind_ahead(base_sha, head_sha)
        status = (
            "identical"
            if not (behind or ahead)
            else "diverged"
            if behind and ahead
            else "ahead"
            if ahead
            else "behind"
        )
        doc = _fill(EXAMPLES["commit-comparison"], user=_user(BOT_LOGIN), repository=None)
        doc.update(status=status, ahead_by=ahead, behind_by=behind, total_commits=ahead)
        return _json(doc)

    # -- state to GitHub's shapes -----------------------------------------------------------------

    def _pull(self, number: int) -> dict[str, Any]:
        if number not in self.pulls:
            raise _NotFound()
        return self.pulls[number]

    def _sync_pull_refs(self) -> None:
        """GitHub keeps ``refs/pull/N/head`` at each open PR's head."""
        for number, pull in self.pulls.items():
            sha = self.remote.branch(pull["head"]) if pull["state"] == "open" else None
            if sha:
                pull["head_sha"] = sha
            if pull["head_sha"]:
                self.remote.set_ref(f"refs/pull/{number}/head", pull["head_sha"])

    def _pr_json(self, number: int) -> dict[str, Any]:
        p = self.pulls[number]
        base_sha = self.remote.branch(p["base"]) or ""
        mergeable = (
            p["state"] == "open"
            and bool(p["head_sha"])
            and self.remote.merge_tree(base_sha, p["head_sha"]) is not None
        )
        behind = self.remote.behind_ahead(base_sha, p["head_sha"])[0] if p["head_sha"] else 0
        repo = self._repo_json()
        doc = _fill(EXAMPLES["pull-request"], user=_user(p["user"]), repository=repo)
        doc.update(
            id=p["id"], number=number, title=p["title"], body=p["body"], state=p["state"], merged=p["merged"],
            created_at=p["created_at"], updated_at=_now(), closed_at=p["closed_at"], merged_at=p["merged_at"],
            merge_commit_sha=p["merge_commit_sha"], mergeable=mergeable if p["state"] == "open" else None,
            mergeable_state=("behind" if behind else "clean") if mergeable else "dirty",
            html_url=f"https://github.example/{self.repository}/pull/{number}",
            url=self._api(f"pulls/{number}"),
            labels=[{**EXAMPLES["label"], "name": n} for n in self.labels.get(number, [])],
            author_association="NONE", draft=False, auto_merge=None, merged_by=None,
        )  # fmt: skip
        head_repo = repo if p["fork"] is None else {**repo, "full_name": p["fork"], "fork": True}
        doc["head"].update(
            label=f"{self.owner}:{p['head']}", ref=p["head"], sha=p["head_sha"], repo=head_repo
        )
        doc["base"].update(label=f"{self.owner}:{p['base']}", ref=p["base"], sha=base_sha, repo=repo)
        return doc

    def _repo_json(self) -> dict[str, Any]:
        doc = _fill(EXAMPLES["repository"], user=_user(self.owner), repository=None)
        doc.update(
            name=self.name, full_name=self.repository, default_branch=self.default_branch,
            html_url=f"https://github.example/{self.repository}", url=self._api(""),
        )  # fmt: skip
        return doc

    def _add_comment(self, number: int, login: str, body: str) -> dict[str, Any]:
        comment = {"id": next(self._ids), "number": number, "user": login, "body": body}
        self.comments.append(comment)
        return comment

    def _comment_json(self, c: dict[str, Any]) -> dict[str, Any]:
        doc = _fill(EXAMPLES["issue-comment"], user=_user(c["user"]), repository=None)
        doc.update(id=c["id"], body=c["body"], issue_url=self._api(f"issues/{c['number']}"))
        doc.update(
            html_url=f"https://github.example/{self.repository}/pull/{c['number']}#issuecomment-{c['id']}"
        )
        return doc

    def _api(self, tail: str) -> str:
        return f"{self.url}/repos/{self.repository}/{tail}".rstrip("/")


class _NotFound(HTTPException):
    code = 404
    description = "Not Found"


_APP_ROUTE = re.compile(r"/repos/[^/]+/[^/]+/installation|/app/installations/[^/]+/access_tokens")
_ROUTES = Map(
    [
        Rule("/repos/<owner>/<repo>", methods=["GET"], endpoint="get_repo"),
        Rule("/repos/<owner>/<repo>/pulls", methods=["GET"], endpoint="list_pulls"),
        Rule("/repos/<owner>/<repo>/pulls", methods=["POST"], endpoint="create_pull"),
        Rule("/repos/<owner>/<repo>/pulls/<int:number>", methods=["GET"], endpoint="get_pull"),
        Rule("/repos/<owner>/<repo>/pulls/<int:number>", methods=["PATCH"], endpoint="update_pull"),
        Rule("/repos/<owner>/<repo>/pulls/<int:number>/merge", methods=["PUT"], endpoint="merge_pull"),
        Rule("/repos/<owner>/<repo>/pulls/<int:number>/reviews", methods=["GET"], endpoint="list_reviews"),
        Rule(
            "/repos/<owner>/<repo>/issues/<int:number>/comments", methods=["POST"], endpoint="create_comment"
        ),
        Rule("/repos/<owner>/<repo>/issues/<int:number>/labels", methods=["POST"], endpoint="add_labels"),
        Rule(
            "/repos/<owner>/<repo>/issues/comments/<int:comment_id>/reactions",
            methods=["POST"],
            endpoint="react",
        ),
        Rule(
            "/repos/<owner>/<repo>/collaborators/<username>/permission",
            methods=["GET"],
            endpoint="permission",
        ),
        Rule("/repos/<owner>/<repo>/compare/<path:basehead>", methods=["GET"], endpoint="compare"),
    ]
)


def sign(event: str, payload: dict[str, Any], secret: str) -> Delivery:
    body = json.dumps(payload).encode()
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/fake",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": f"sha256={digest}",
    }
    return Delivery(event, headers, body)


def _fill(template: Any, *, user: dict[str, Any], repository: dict[str, Any] | None) -> Any:
    """A deep copy of an example with its ``$user`` / ``$repository`` markers replaced."""
    if template == "$user":
        return copy.deepcopy(user)
    if template == "$repository":
        return copy.deepcopy(repository)
    if isinstance(template, dict):
        return {k: _fill(v, user=user, repository=repository) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, user=user, repository=repository) for v in template]
    return template


def _user(login: str) -> dict[str, Any]:
    doc = copy.deepcopy(EXAMPLES["simple-user"])
    doc.update(login=login, id=abs(hash(login)) % 10**8, type="Bot" if login.endswith("bot") else "User")
    return dict(doc)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(doc: Any, status: int = 200) -> Response:
    return Response(json.dumps(doc), status=status, content_type="application/json; charset=utf-8")


def _error(status: int, message: str) -> Response:
    return _json(
        {"message": message, "documentation_url": "https://docs.github.com/rest", "status": str(status)},
        status,
    )


def _validation(resource: str, field: str, message: str) -> Response:
    errors = [{"resource": resource, "code": "custom", "field": field, "message": message}]
    doc = {
        "message": "Validation Failed",
        "errors": errors,
        "documentation_url": "https://docs.github.com/rest",
    }
    return _json(doc, 422)
