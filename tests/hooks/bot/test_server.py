"""The webhook server on uvicorn: signatures, replays, unknown events, bounded bodies, a stored queue."""

from __future__ import annotations

import time

import httpx
import pytest
from bot_world import SECRET
from bot_world import World
from bot_world import light_world
from fake_github import sign

from hooks.bot.commands import HELP
from hooks.bot.server import create_app
from reconciler.errors import ConfigError

__all__ = ["light_world"]


def test_a_bad_or_missing_signature_is_401_and_queues_nothing(light_world: World) -> None:
    world = light_world
    number = world.push_pr("feature", "main.tf", "# changed\n")
    forged = world.github.user_comments(number, "alice", "/reconcile apply", "not-the-secret")
    with world.serving():
        assert world.deliver(forged).status_code == 401
        unsigned = forged._replace(
            headers={k: v for k, v in forged.headers.items() if k != "X-Hub-Signature-256"}
        )
        assert world.deliver(unsigned).status_code == 401
        # The right signature over another body is as wrong as none.
        tampered = forged._replace(body=forged.body.replace(b"apply", b"plan!"))
        good = world.github.user_comments(number, "alice", "/reconcile help", SECRET)
        assert world.deliver(tampered._replace(headers=good.headers)).status_code == 401
        assert world.wait_idle() == []
    assert world.github.comments_on(number) == []


def test_a_command_is_answered_at_once_and_a_replayed_delivery_does_nothing(light_world: World) -> None:
    world = light_world
    number = world.push_pr("feature", "main.tf", "# changed\n")
    delivery = world.github.user_comments(number, "alice", "/reconcile help", SECRET)
    with world.serving():
        start = time.monotonic()
        first = world.deliver(delivery)
        assert time.monotonic() - start < 1.0
        assert first.status_code == 202 and first.json()["queued"].startswith("j-")
        replay = world.deliver(delivery)
        assert replay.status_code == 200 and replay.json() == {"duplicate": True}
        [job] = world.wait_idle()
        assert job.status == "done"
    assert world.github.comments_on(number) == [HELP]
    [(comment_id, reaction)] = world.github.reactions
    assert reaction == "eyes" and comment_id == world.github.comments[0]["id"]


def test_events_the_bot_does_not_act_on_are_202_and_ignored(light_world: World) -> None:
    world = light_world
    number = world.push_pr("feature", "main.tf", "# changed\n")
    push = sign("push", {"ref": "refs/heads/main", "repository": {"full_name": "octo/infra"}}, SECRET)
    chat = world.github.user_comments(number, "alice", "looks good to me", SECRET)
    other = sign("issue_comment", {"action": "created", "repository": {"full_name": "evil/repo"}}, SECRET)
    with world.serving():
        assert world.served is not None
        assert httpx.get(world.served.url + "/healthz").json() == {"ok": True, "queued": 0, "running": 0}
        for delivery, reason in (
            (push, "push (none) is not an event the bot acts on"),
            (chat, "a comment that is not a command"),
            (other, "a delivery for another repository"),
        ):
            answer = world.deliver(delivery)
            assert (answer.status_code, answer.json()) == (202, {"ignored": reason})
        assert world.deliver(sign("ping", {"zen": "hi"}, SECRET)).json() == {"pong": True}
        assert world.wait_idle() == []


def test_a_body_over_the_bound_is_refused_unread(light_world: World) -> None:
    world = light_world
    with world.serving(max_body=4096) as served:
        big = sign("issue_comment", {"padding": "x" * 10_000}, SECRET)
        assert served.post("/webhooks/github", big).status_code == 413
        # Without a length to go by (chunked), the body is cut off while it is read.
        chunks = (big.body[i : i + 1000] for i in range(0, len(big.body), 1000))
        answer = httpx.post(served.url + "/webhooks/github", content=chunks, headers=big.headers)
        assert answer.status_code == 413


def test_a_restart_loses_nothing_the_webhook_was_answered_for(light_world: World) -> None:
    world = light_world
    number = world.push_pr("feature", "main.tf", "# changed\n")
    with world.serving(work=False):  # a server that dies before its worker gets to the job
        assert (
            world.deliver(world.github.user_comments(number, "alice", "/reconcile help", SECRET)).status_code
            == 202
        )
    assert world.github.comments_on(number) == []
    with world.serving():
        [job] = world.wait_idle()
    assert job.status == "done" and world.github.comments_on(number) == [HELP]


def test_the_app_needs_the_webhook_secret(light_world: World) -> None:
    world = light_world
    world.env.pop("RECONCILE_WEBHOOK_SECRET")
    # A server without a secret would accept anyone's deliveries.
    with pytest.raises(ConfigError, match="RECONCILE_WEBHOOK_SECRET is not set"):
        create_app(world.bot())
