"""Posting the news to webhooks: bounded retries with backoff, timeouts, and failures that are only reported.

A webhook is tried up to ``attempts`` times. A connection failure, a timeout, 429 and 5xx are retried
after an exponential backoff (``Retry-After`` honoured, both capped so a hostile receiver cannot hold a
cron job for long); any other answer is final. A webhook's URL often holds its secret (Slack's do), so
outcomes and messages name only its scheme and host.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any
from typing import NamedTuple
from urllib.parse import urlsplit

import requests

from reconciler.errors import ConfigError
from reconciler.report.combined import Delivery

FORMATS = ("json", "slack")
BACKOFF_S = 0.5
MAX_WAIT_S = 10.0  # the longest pause between two attempts, whatever Retry-After says
_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class Webhook(NamedTuple):
    url: str
    format: str  # "json" or "slack"


class Policy(NamedTuple):
    timeout: float = 10.0
    attempts: int = 4
    backoff: float = BACKOFF_S
    max_wait: float = MAX_WAIT_S


def webhooks(urls: Sequence[str], fmt: str, where: str, format_where: str) -> tuple[Webhook, ...]:
    """Checked webhooks; a :class:`ConfigError` naming the flag or key of a bad URL or format."""
    if fmt not in FORMATS:
        raise ConfigError(f"{format_where}: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    out = []
    for url in urls:
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{where}: {target(str(url))!r} is not an http(s) URL")
        out.append(Webhook(str(url), fmt))
    return tuple(out)


def target(url: str) -> str:
    """The URL as reports show it: scheme and host only (the path and query may be the secret)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    if not parts.scheme:
        return "(not a URL)"
    return f"{parts.scheme}://{host}{port}/…" if host else f"{parts.scheme}:…"


def deliver(
    hook: Webhook,
    payload: dict[str, Any],
    events: int,
    policy: Policy,
    *,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """POST ``payload`` as JSON; never raises for what the receiver or the network does."""
    http = session or requests.Session()
    status: int | None = None
    error = "no attempt made"
    attempt = 0
    for attempt in range(1, max(policy.attempts, 1) + 1):
        wait = policy.backoff * 2 ** (attempt - 1)
        try:
            answer = http.post(hook.url, json=payload, timeout=policy.timeout, allow_redirects=False)
        except requests.Timeout:
            status, error = None, f"no answer within {policy.timeout:g} s"
        except requests.ConnectionError:
            # requests' message names the whole URL: say what happened without it.
            status, error = None, "could not connect"
        except requests.RequestException as e:
            status, error = None, type(e).__name__
        else:
            status = answer.status_code
            if 200 <= status < 300:
                return Delivery(target(hook.url), hook.format, True, attempt, status, None, events)
            error = f"HTTP {status}"
            if status not in _RETRY_STATUS:
                break
            wait = max(wait, _retry_after(answer.headers.get("Retry-After")))
        if attempt < policy.attempts:
            sleep(min(wait, policy.max_wait))
    return Delivery(target(hook.url), hook.format, False, attempt, status, error, events)


def _retry_after(value: str | None) -> float:
    try:
        return max(float(value or 0), 0.0)
    except ValueError:
        return 0.0  # an HTTP date: the exponential backoff will do
