"""Posting to a webhook with the real requests client against a real receiver on loopback."""

from __future__ import annotations

import time

import pytest
from webhook_server import Answer
from webhook_server import Receiver
from webhook_server import closed_port_url
from webhook_server import receiver

from reconciler.cron.notify import Policy
from reconciler.cron.notify import Webhook
from reconciler.cron.notify import deliver
from reconciler.cron.notify import target
from reconciler.cron.notify import webhooks
from reconciler.errors import ConfigError

__all__ = ["receiver"]

FAST = Policy(timeout=2, attempts=3, backoff=0.01, max_wait=0.05)


def test_a_webhook_gets_the_json_once(receiver: Receiver) -> None:
    done = deliver(Webhook(receiver.url, "json"), {"hello": "world"}, 3, FAST)
    assert done.ok and done.attempts == 1 and done.status == 200 and done.events == 3
    assert receiver.bodies() == [{"hello": "world"}]
    assert receiver.received[0].headers["Content-Type"] == "application/json"


def test_server_errors_and_throttling_are_retried_with_backoff(receiver: Receiver) -> None:
    receiver.answers = [Answer(500), Answer(429, (("Retry-After", "3600"),))]
    waits: list[float] = []
    done = deliver(Webhook(receiver.url, "json"), {}, 1, FAST, sleep=waits.append)
    assert done.ok and done.attempts == 3
    assert len(receiver.received) == 3
    # Exponential, and a receiver asking for an hour gets the cap: a cron job is never held for long.
    assert waits == [0.01, 0.05]


def test_a_refusal_is_final_and_failures_never_name_the_secret_path(receiver: Receiver) -> None:
    receiver.answers = [Answer(403)]
    done = deliver(Webhook(receiver.url, "slack"), {}, 1, FAST)
    assert (done.ok, done.attempts, done.status, done.error) == (False, 1, 403, "HTTP 403")
    assert "secret-token" not in repr(done)
    assert done.target == receiver.url.split("/hooks")[0] + "/…"


def test_a_receiver_that_is_down_or_silent_fails_within_the_bounds() -> None:
    down = deliver(Webhook(closed_port_url(), "json"), {}, 1, FAST)
    assert (down.ok, down.attempts, down.status, down.error) == (False, 3, None, "could not connect")


def test_a_slow_receiver_times_out(receiver: Receiver) -> None:
    receiver.answers = [Answer(delay=1.0)] * 2
    started = time.monotonic()
    done = deliver(
        Webhook(receiver.url, "json"), {}, 1, Policy(timeout=0.2, attempts=2, backoff=0, max_wait=0)
    )
    assert not done.ok and done.error == "no answer within 0.2 s"
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("url", ["ftp://example.com/x", "hooks.slack.com/services/x", "http:///nohost"])
def test_only_http_urls_are_webhooks(url: str) -> None:
    with pytest.raises(ConfigError, match=r"^--notify: .* is not an http\(s\) URL"):
        webhooks([url], "json", "--notify", "--notify-format")
    with pytest.raises(ConfigError, match=r"^reconcile.toml: notify.format: expected one of json, slack"):
        webhooks([], "teams", "--notify", "reconcile.toml: notify.format")


def test_targets_keep_only_scheme_and_host() -> None:
    assert target("https://user:pw@hooks.slack.com/services/T/B/xyz?a=1") == "https://hooks.slack.com/…"
