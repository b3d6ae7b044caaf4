"""The PR bot's world for tests: a workspace applied on the sandbox, in a real git clone whose remote is
a real bare repository, a fake GitHub over that remote, and the bot's webhook server on loopback.

    def test_x(world: World) -> None:
        world.sync()                                   # reconcile bot sync, in this process
        with world.serving():
            world.tell(1, "alice", "/reconcile plan")  # a signed delivery; waits for the bot's answer
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fake_github import Delivery, FakeGitHub
from git_remote import BareRemote
from git_workspace import Workspace, cloud, ws
from loopback import Loopback

from hooks.bot.context import Bot, open_bot
from hooks.bot.server import create_app
from hooks.bot.settings import load_settings
from hooks.bot.sync import SyncReport, run_sync
from state.bot import Job

__all__ = ["SECRET", "Served", "World", "cloud", "world", "ws"]

SECRET = "whsec-test-0123456789"


class Served:
    """The bot's ASGI app on uvicorn, in a background thread, on a free loopback port."""

    def __init__(self, app: Any) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self._thread = threading.Thread(target=self.server.run, name="bot-server", daemon=True)

    @property
    def url(self) -> str:
        [sock] = self.server.servers[0].sockets
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    def __enter__(self) -> Served:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self._thread.is_alive(), "the bot server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=600)

    def post(self, path: str, delivery: Delivery) -> httpx.Response:
        return httpx.post(self.url + path, content=delivery.body, headers=delivery.headers, timeout=30)


class World:
    def __init__(self, ws: Workspace, remote: BareRemote, github: FakeGitHub) -> None:
        self.ws = ws
        self.remote = remote
        self.github = github
        self.env = {
            **ws.env,
            "RECONCILE_BOT_FORGE": "github",
            "RECONCILE_BOT_API_URL": github.url,
            "RECONCILE_BOT_REPOSITORY": github.repository,
            "GITHUB_TOKEN": github.token,
            "RECONCILE_WEBHOOK_SECRET": SECRET,
        }
        self.served: Served | None = None

    def bot(self) -> Bot:
        return open_bot(load_settings(self.ws.root, self.env), self.env, log=lambda line: None)

    def sync(self) -> SyncReport:
        return run_sync(self.bot(), ["."])

    @contextmanager
    def serving(self, work: bool = True) -> Iterator[Served]:
        with Served(create_app(self.bot(), work=work)) as served:
            self.served = served
            yield served
        self.served = None

    def deliver(self, delivery: Delivery) -> httpx.Response:
        assert self.served is not None, "serve first"
        return self.served.post("/webhooks/github", delivery)

    def tell(self, number: int, login: str, text: str) -> list[str]:
        """``login`` comments on PR ``number``; the bot's comments that answer it."""
        before = len(self.github.comments_on(number))
        answer = self.deliver(self.github.user_comments(number, login, text, SECRET))
        assert answer.status_code == 202, answer.text
        self.wait_idle()
        return self.github.comments_on(number)[before:]

    def wait_idle(self, timeout: float = 600) -> list[Job]:
        deadline = time.monotonic() + timeout
        with self.bot().store() as store:
            while True:
                jobs = store.jobs()
                if all(j.status in ("done", "failed") for j in jobs):
                    return jobs
                assert time.monotonic() < deadline, f"the bot is still busy: {jobs}"
                time.sleep(0.1)


@pytest.fixture
def world(ws: Workspace) -> Iterator[World]:
    remote = BareRemote.create(ws.root.parent / "remote.git")
    ws.git("remote", "add", "origin", str(remote.path))
    ws.git("push", "-q", "origin", "main")
    github = FakeGitHub(remote)
    github.grant("alice", "write")
    github.grant("mallory", "read")
    with Loopback(github) as server:
        github.url = server.url
        yield World(ws, remote, github)
