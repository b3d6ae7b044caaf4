"""Webhook bodies are untrusted: only well-typed fields of this repository's events become jobs."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

from hooks.bot.webhooks import github_job
from hooks.bot.webhooks import github_signed
from hooks.bot.webhooks import gitlab_delivery
from hooks.bot.webhooks import gitlab_job
from hooks.bot.webhooks import gitlab_signed
from state.bot import NewJob

REPO = {"full_name": "octo/infra"}


def _comment(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "action": "created",
        "issue": {"number": 7, "pull_request": {"url": "..."}},
        "comment": {"id": 99, "body": "/reconcile plan -d envs/prod", "user": {"login": "alice"}},
        "repository": REPO,
    }
    doc.update(changes)
    return doc


def test_a_command_comment_on_a_pull_request_is_a_job() -> None:
    assert github_job("issue_comment", _comment(), "Octo/Infra") == NewJob(
        "command", {"pr": 7, "comment_id": 99, "author": "alice", "body": "/reconcile plan -d envs/prod"}
    )
    closed = {"action": "closed", "pull_request": {"number": 7, "merged": True}, "repository": REPO}
    assert github_job("pull_request", closed, "octo/infra") == NewJob("closed", {"pr": 7, "state": "merged"})


@pytest.mark.parametrize(
    ("event", "doc", "reason"),
    [
        ("issue_comment", _comment(repository={"full_name": "evil/infra"}),
         "a delivery for another repository"),
        ("issue_comment", _comment(issue={"number": 7}), "a comment on an issue, not on a pull request"),
        ("issue_comment", _comment(action="edited"), "issue_comment edited"),
        ("issue_comment", _comment(comment={"id": "99", "body": "/reconcile plan", "user": {"login": "a"}}),
         "a comment without a number, id, author or body"),
        ("issue_comment", _comment(issue={"number": True, "pull_request": {}}),
         "a comment without a number, id, author or body"),
        ("issue_comment", [1, 2], "not a JSON object"),
        ("pull_request", {"action": "closed", "pull_request": {"number": 7}, "repository": REPO},
         "a pull_request event without a number"),
        ("check_run", {"action": "completed", "repository": REPO},
         "check_run completed is not an event the bot acts on"),
    ],
)  # fmt: skip
def test_everything_else_is_ignored_with_a_reason(event: str, doc: Any, reason: str) -> None:
    assert github_job(event, doc, "octo/infra") == reason


def test_gitlab_notes_and_merge_request_events() -> None:
    note = {
        "object_kind": "note",
        "project": {"path_with_namespace": "octo/infra"},
        "object_attributes": {"id": 5, "note": "/reconcile apply", "noteable_type": "MergeRequest"},
        "merge_request": {"iid": 3},
        "user": {"username": "alice"},
    }
    assert gitlab_job("Note Hook", note, "octo/infra") == NewJob(
        "command", {"pr": 3, "comment_id": 5, "author": "alice", "body": "/reconcile apply"}
    )
    merged = {"object_kind": "merge_request", "project": {"path_with_namespace": "octo/infra"},
              "object_attributes": {"iid": 3, "action": "merge"}}  # fmt: skip
    assert gitlab_job("Merge Request Hook", merged, "octo/infra") == NewJob(
        "closed", {"pr": 3, "state": "merged"}
    )
    issue_note = {**note, "object_attributes": {**note["object_attributes"], "noteable_type": "Issue"}}
    assert (
        gitlab_job("Note Hook", issue_note, "octo/infra") == "a note on something other than a merge request"
    )


def test_signatures_and_delivery_ids() -> None:
    body = b'{"a": 1}'
    good = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert github_signed("s3cret", body, good)
    assert not github_signed("s3cret", body + b" ", good) and not github_signed("other", body, good)
    assert not github_signed("s3cret", body, "") and not github_signed("s3cret", body, "sha1=" + good[7:])
    assert (
        gitlab_signed("s3cret", "s3cret")
        and not gitlab_signed("s3cret", "s3cre")
        and not gitlab_signed("s3cret", "")
    )
    assert gitlab_delivery({"idempotency-key": "k1", "x-gitlab-event-uuid": "u1"}, body) == "k1"
    assert gitlab_delivery({"x-gitlab-event-uuid": "u1"}, body) == "u1"
    # An old GitLab sends no key: the body stands in for one (a retry resends the same body).
    assert gitlab_delivery({}, body) == gitlab_delivery({}, body) != gitlab_delivery({}, b"{}")
