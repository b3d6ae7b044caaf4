"""Webhook deliveries: who sent them (signatures), which one this is (delivery ids), and the job each
asks for. Bodies are untrusted: only the few fields a job needs are taken, each checked for its type,
and a delivery for another repository is ignored.

    GitHub  issue_comment created, on a pull request, starting with /reconcile  → command
            pull_request closed (merged or not)                                   → closed
    GitLab  Note Hook on a merge request, starting with /reconcile               → command
            Merge Request Hook, action close or merge                             → closed

Anything else is answered 202 and ignored (the reason is returned instead of a job).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from hooks.bot.commands import PREFIX
from state.bot import NewJob

MAX_COMMENT_KEPT = 10_000  # the command is on the first line; the rest is never read


def github_signed(secret: str, body: bytes, header: str) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``, compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode("utf-8", "replace"))


def gitlab_signed(secret: str, header: str) -> bool:
    """``X-Gitlab-Token`` is the secret itself, compared in constant time."""
    return hmac.compare_digest(secret.encode(), header.encode("utf-8", "replace"))


def github_delivery(headers: Mapping[str, str]) -> str:
    return headers.get("x-github-delivery", "")


def gitlab_delivery(headers: Mapping[str, str], body: bytes) -> str:
    """GitLab 17.4+ repeats ``Idempotency-Key`` on a retry; older ones send only an event UUID, and the
    body (the same on a retry, different between events) stands in for a key."""
    return (
        headers.get("idempotency-key")
        or headers.get("x-gitlab-event-uuid")
        or "sha256:" + hashlib.sha256(body).hexdigest()
    )


def github_job(event: str, doc: Any, repository: str) -> NewJob | str:
    foreign = _foreign(doc, ("repository", "full_name"), repository)
    if foreign:
        return foreign
    action = doc.get("action")
    if event == "issue_comment":
        if action != "created":
            return f"issue_comment {_word(action)}"
        if not isinstance(_get(doc, "issue", "pull_request"), dict):
            return "a comment on an issue, not on a pull request"
        number, comment_id = _get(doc, "issue", "number"), _get(doc, "comment", "id")
        text, author = _get(doc, "comment", "body"), _get(doc, "comment", "user", "login")
        return _command(number, comment_id, author, text)
    if event == "pull_request" and action == "closed":
        number, merged = _get(doc, "pull_request", "number"), _get(doc, "pull_request", "merged")
        if not _int(number) or not isinstance(merged, bool):
            return "a pull_request event without a number"
        return NewJob("closed", {"pr": number, "state": "merged" if merged else "closed"})
    return f"{_word(event)} {_word(action)} is not an event the bot acts on"


def gitlab_job(event: str, doc: Any, repository: str) -> NewJob | str:
    foreign = _foreign(doc, ("project", "path_with_namespace"), repository)
    if foreign:
        return foreign
    kind = doc.get("object_kind")
    if event == "Note Hook" and kind == "note":
        if _get(doc, "object_attributes", "noteable_type") != "MergeRequest":
            return "a note on something other than a merge request"
        number, note_id = _get(doc, "merge_request", "iid"), _get(doc, "object_attributes", "id")
        text, author = _get(doc, "object_attributes", "note"), _get(doc, "user", "username")
        return _command(number, note_id, author, text)
    if event == "Merge Request Hook" and kind == "merge_request":
        action, number = _get(doc, "object_attributes", "action"), _get(doc, "object_attributes", "iid")
        if action in ("close", "merge") and _int(number):
            return NewJob("closed", {"pr": number, "state": "merged" if action == "merge" else "closed"})
        return f"merge request {_word(action)}"
    return f"{_word(event)} is not an event the bot acts on"


def _command(number: Any, comment_id: Any, author: Any, text: Any) -> NewJob | str:
    if not (_int(number) and _int(comment_id) and isinstance(author, str) and isinstance(text, str)):
        return "a comment without a number, id, author or body"
    if not text.lstrip().startswith(PREFIX):
        return "a comment that is not a command"
    return NewJob(
        "command", {"pr": number, "comment_id": comment_id, "author": author, "body": text[:MAX_COMMENT_KEPT]}
    )


def _foreign(doc: Any, where: tuple[str, ...], repository: str) -> str | None:
    """Why a body is not one of this repository's events (``where`` is the path to its name), or None."""
    if not isinstance(doc, dict):
        return "not a JSON object"
    name = _get(doc, *where)
    if not isinstance(name, str) or name.lower() != repository.lower():
        return f"a delivery for another {'project' if where[0] == 'project' else 'repository'}"
    return None


def _get(doc: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _word(value: Any) -> str:
    return str(value)[:40] if isinstance(value, str) else "(none)"
