"""A stateful fake of GitLab's REST API (v4) on loopback, over a real bare git repository.

Merge requests, notes, award emoji, approvals and members in the shapes GitLab documents, for the real
python-gitlab client. Projects are addressed by their URL-encoded path (``octo%2Finfra``), as the client
does; the raw request URI is routed so that the encoded slash survives. ``refs/merge-requests/N/head``
follows each open merge request, as GitLab keeps it. Webhook deliveries carry ``X-Gitlab-Token``.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import uuid
from datetime import UTC
from datetime import datetime
from typing import Any
from urllib.parse import unquote
from urllib.parse import urlsplit

from fake_github import Delivery
from git_remote import BareRemote
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

BOT = "reconcile-bot"
DEVELOPER, REPORTER = 30, 20


class FakeGitLab:
    def __init__(
        self, remote: BareRemote, repository: str = "octo/infra", token: str = "glpat-test-token"
    ) -> None:
        self.remote = remote
        self.repository = repository
        self.token = token
        self.project_id = 42
        self.default_branch = "main"
        self.members: dict[str, int] = {BOT: DEVELOPER}
        self.pulls: dict[int, dict[str, Any]] = {}
        self.comments: list[dict[str, Any]] = []
        self.approvals: dict[int, list[str]] = {}
        self.reactions: list[tuple[int, str]] = []
        self.labels: dict[int, list[str]] = {}
        self.requests: list[tuple[str, str]] = []
        self._ids = itertools.count(501)
        self._iids = itertools.count(1)
        self._lock = threading.RLock()
        self.url = ""

    # -- what people do ---------------------------------------------------------------------------

    def grant(self, login: str, level: int) -> None:
        self.members[login] = level

    def approve(self, number: int, login: str) -> None:
        self.approvals.setdefault(number, []).append(login)

    def user_comments(self, number: int, login: str, body: str, secret: str) -> Delivery:
        note = self._add_note(number, login, body)
        payload = {
            "object_kind": "note",
            "event_type": "note",
            "user": self._user(login),
            "project_id": self.project_id,
            "project": self._project(),
            "object_attributes": {**self._note(note), "noteable_type": "MergeRequest", "note": body},
            "merge_request": self._mr(number),
        }
        return _deliver("Note Hook", payload, secret)

    def closed_event(self, number: int, secret: str, action: str = "close") -> Delivery:
        attributes = {**self._mr(number), "action": action}
        payload = {"object_kind": "merge_request", "event_type": "merge_request",
                   "user": self._user("octocat"), "project": self._project(),
                   "object_attributes": attributes}  # fmt: skip
        return _deliver("Merge Request Hook", payload, secret)

    # -- what the bot did -------------------------------------------------------------------------

    def comments_on(self, number: int, author: str = BOT) -> list[str]:
        return [c["body"] for c in self.comments if c["number"] == number and c["user"] == author]

    def open_pulls(self) -> list[dict[str, Any]]:
        return [p for p in self.pulls.values() if p["state"] == "opened"]

    # -- HTTP -------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        raw = urlsplit(environ.get("REQUEST_URI") or environ.get("RAW_URI") or request.path).path
        with self._lock:
            self.requests.append((request.method, raw))
            response = self._dispatch(request, raw)
        return response(environ, start_response)

    def _dispatch(self, request: Request, raw: str) -> Response:
        if request.headers.get("PRIVATE-TOKEN") != self.token:
            return _error(401, "401 Unauthorized")
        # GitLab takes parameters from the query string and the JSON body alike.
        params: dict[str, Any] = {**request.args.to_dict(), **(request.get_json(silent=True) or {})}
        users = re.fullmatch(r"/api/v4/users", raw)
        if users and request.method == "GET":
            login = params.get("username", "")
            return _json([self._user(login)] if login in self.members else [])
        found = re.fullmatch(r"/api/v4/projects/([^/]+)(/.*)?", raw)
        if found is None or unquote(found[1]) not in (self.repository, str(self.project_id)):
            return _error(404, "404 Project Not Found")
        self._sync_refs()
        tail = found[2] or ""
        route = f"{request.method} {re.sub(r'/[0-9]+', '/N', tail)}"
        numbers = [int(n) for n in re.findall(r"/([0-9]+)", tail)]
        handler = _ROUTES.get(route)
        if handler is None:
            return _error(404, f"404 {route} Not Found")
        return handler(self, params, *numbers)

    def _get_project(self, params: dict[str, Any]) -> Response:
        return _json(self._project())

    def _list_mrs(self, params: dict[str, Any]) -> Response:
        state, source = params.get("state", "all"), params.get("source_branch")
        return _json([
            self._mr(n) for n, p in sorted(self.pulls.items())
            if (state == "all" or p["state"] == state) and (source is None or p["head"] == source)
        ])  # fmt: skip

    def _create_mr(self, params: dict[str, Any]) -> Response:
        head, base = str(params.get("source_branch", "")), str(params.get("target_branch", ""))
        if self.remote.branch(head) is None or self.remote.branch(base) is None:
            return _error(400, "400 Bad request - source_branch or target_branch is invalid")
        if any(p["head"] == head and p["state"] == "opened" for p in self.pulls.values()):
            return _error(409, f"Another open merge request already exists for this source branch: {head}")
        number = next(self._iids)
        self.pulls[number] = {"iid": number, "id": next(self._ids), "title": params.get("title", ""),
                              "description": params.get("description"), "head": head, "base": base,
                              "state": "opened", "user": BOT, "created_at": _now(), "closed_at": None,
                              "merged_at": None, "merge_commit_sha": None,
                              "sha": self.remote.branch(head)}  # fmt: skip
        self._sync_refs()
        return _json(self._mr(number), 201)

    def _get_mr(self, params: dict[str, Any], number: int) -> Response:
        return _json(self._mr(number, params.get("include_diverged_commits_count") in ("True", "true", True)))

    def _update_mr(self, params: dict[str, Any], number: int) -> Response:
        mr = self._pull(number)
        for key in ("title", "description"):
            if key in params:
                mr[key] = params[key]
        if params.get("state_event") == "close" and mr["state"] == "opened":
            mr["state"], mr["closed_at"] = "closed", _now()
        if params.get("add_labels"):
            names = self.labels.setdefault(number, [])
            names.extend(n for n in str(params["add_labels"]).split(",") if n not in names)
        return _json(self._mr(number))

    def _merge_mr(self, params: dict[str, Any], number: int) -> Response:
        mr = self._pull(number)
        head = self.remote.branch(mr["head"]) or ""
        if mr["state"] != "opened":
            return _error(405, "405 Method Not Allowed")
        if params.get("sha") and params["sha"] != head:
            return _error(409, "SHA does not match HEAD of source branch: " + head)
        sha = self.remote.merge(mr["base"], head, f"Merge branch '{mr['head']}' into '{mr['base']}'")
        if sha is None:
            return _error(406, "Branch cannot be merged")
        mr.update(state="merged", merged_at=_now(), merge_commit_sha=sha)
        return _json(self._mr(number))

    def _create_note(self, params: dict[str, Any], number: int) -> Response:
        self._pull(number)
        body = params.get("body")
        if not isinstance(body, str) or not body:
            return _error(400, "400 Bad request - body is missing")
        if len(body) > 1_000_000:
            return _error(400, "Note is too long (maximum is 1000000 characters)")
        return _json(self._note(self._add_note(number, BOT, body)), 201)

    def _award(self, params: dict[str, Any], number: int, note_id: int) -> Response:
        if not any(c["id"] == note_id and c["number"] == number for c in self.comments):
            return _error(404, "404 Not found")
        self.reactions.append((note_id, str(params.get("name"))))
        doc = {"id": next(self._ids), "name": params.get("name"), "user": self._user(BOT),
               "created_at": _now(), "updated_at": _now(), "awardable_id": note_id,
               "awardable_type": "Note"}  # fmt: skip
        return _json(doc, 201)

    def _get_approvals(self, params: dict[str, Any], number: int) -> Response:
        approved = [{"user": self._user(u)} for u in self.approvals.get(number, [])]
        return _json({"id": self.pulls[number]["id"], "iid": number, "project_id": self.project_id,
                      "approved": bool(approved), "approvals_required": 0, "approvals_left": 0,
                      "approved_by": approved})  # fmt: skip

    def _member(self, params: dict[str, Any], user_id: int) -> Response:
        login = next((u for u in self.members if _uid(u) == user_id), None)
        if login is None:
            return _error(404, "404 Not found")
        return _json({**self._user(login), "access_level": self.members[login], "expires_at": None})

    # -- shapes -----------------------------------------------------------------------------------

    def _pull(self, number: int) -> dict[str, Any]:
        return self.pulls[number]

    def _sync_refs(self) -> None:
        for number, mr in self.pulls.items():
            sha = self.remote.branch(mr["head"]) if mr["state"] == "opened" else None
            if sha:
                mr["sha"] = sha
            if mr["sha"]:
                self.remote.set_ref(f"refs/merge-requests/{number}/head", mr["sha"])

    def _mr(self, number: int, diverged: bool = False) -> dict[str, Any]:
        p = self.pulls[number]
        base = self.remote.branch(p["base"]) or ""
        behind = self.remote.behind_ahead(base, p["sha"])[0] if p["sha"] else 0
        clean = p["state"] == "opened" and self.remote.merge_tree(base, p["sha"]) is not None
        doc = {
            "id": p["id"], "iid": number, "project_id": self.project_id, "title": p["title"],
            "description": p["description"], "state": p["state"], "created_at": p["created_at"],
            "updated_at": _now(), "merged_at": p["merged_at"], "closed_at": p["closed_at"],
            "target_branch": p["base"], "source_branch": p["head"], "author": self._user(p["user"]),
            "source_project_id": self.project_id, "target_project_id": self.project_id,
            "labels": self.labels.get(number, []), "draft": False, "work_in_progress": False,
            "merge_status": "can_be_merged" if clean else "cannot_be_merged",
            "detailed_merge_status": ("mergeable" if clean else "conflict")
            if p["state"] == "opened" else "not_open",
            "has_conflicts": not clean, "sha": p["sha"], "merge_commit_sha": p["merge_commit_sha"],
            "squash_commit_sha": None, "web_url": f"https://gitlab.example/{self.repository}/-/merge_requests/{number}",
            "references": {"short": f"!{number}", "full": f"{self.repository}!{number}"},
        }  # fmt: skip
        if diverged:
            doc["diverged_commits_count"] = behind
        return doc

    def _project(self) -> dict[str, Any]:
        name = self.repository.split("/")[-1]
        return {"id": self.project_id, "name": name, "path": name, "path_with_namespace": self.repository,
                "default_branch": self.default_branch, "web_url": f"https://gitlab.example/{self.repository}",
                "visibility": "private"}  # fmt: skip

    def _user(self, login: str) -> dict[str, Any]:
        return {"id": _uid(login), "username": login, "name": login.title(), "state": "active",
                "avatar_url": None, "web_url": f"https://gitlab.example/{login}"}  # fmt: skip

    def _add_note(self, number: int, login: str, body: str) -> dict[str, Any]:
        note = {"id": next(self._ids), "number": number, "user": login, "body": body}
        self.comments.append(note)
        return note

    def _note(self, n: dict[str, Any]) -> dict[str, Any]:
        return {"id": n["id"], "body": n["body"], "author": self._user(n["user"]), "created_at": _now(),
                "system": False, "noteable_id": self.pulls[n["number"]]["id"],
                "noteable_type": "MergeRequest", "noteable_iid": n["number"]}  # fmt: skip


_ROUTES = {
    "GET ": FakeGitLab._get_project,
    "GET /merge_requests": FakeGitLab._list_mrs,
    "POST /merge_requests": FakeGitLab._create_mr,
    "GET /merge_requests/N": FakeGitLab._get_mr,
    "PUT /merge_requests/N": FakeGitLab._update_mr,
    "PUT /merge_requests/N/merge": FakeGitLab._merge_mr,
    "POST /merge_requests/N/notes": FakeGitLab._create_note,
    "POST /merge_requests/N/notes/N/award_emoji": FakeGitLab._award,
    "GET /merge_requests/N/approvals": FakeGitLab._get_approvals,
    "GET /members/all/N": FakeGitLab._member,
}


def _deliver(event: str, payload: dict[str, Any], secret: str) -> Delivery:
    key = str(uuid.uuid4())
    headers = {"Content-Type": "application/json", "X-Gitlab-Event": event, "X-Gitlab-Token": secret,
               "X-Gitlab-Event-UUID": key, "Idempotency-Key": key, "User-Agent": "GitLab/17.6.0"}  # fmt: skip
    return Delivery(event, headers, json.dumps(payload).encode())


def _uid(login: str) -> int:
    return sum(ord(c) * (i + 1) for i, c in enumerate(login)) % 100_000 + 1


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _json(doc: Any, status: int = 200) -> Response:
    return Response(json.dumps(doc), status=status, content_type="application/json")


def _error(status: int, message: str) -> Response:
    return _json({"message": message}, status)
