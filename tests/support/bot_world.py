"""The PR bot's world for tests: a workspace applied on the sandbox, in a real git clone whose remote is
a real bare repository, a fake GitHub over that remote, and the bot's webhook server on loopback.

    def test_x(world: World) -> None:
        world.sync()                                   # reconcile bot sync, in this process
        with world.serving():
            world.tell(1, "alice", "/reconcile plan")  # a signed delivery; waits for the bot's answer
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fake_github import Delivery
from fake_github import FakeGitHub
from fake_gitlab import DEVELOPER
from fake_gitlab import REPORTER
from fake_gitlab import FakeGitLab
from git_remote import BareRemote
from git_workspace import Workspace
from git_workspace import cloud
from git_workspace import ws
from loopback import Loopback

from hooks.bot.context import Bot
from hooks.bot.context import open_bot
from hooks.bot.server import MAX_BODY
from hooks.bot.server import create_app
from hooks.bot.settings import load_settings
from hooks.bot.sync import SyncReport
from hooks.bot.sync import run_sync
from state.bot import Job

__all__ = ["SECRET", "Served", "World", "cloud", "forge_world", "light_world", "plain_repo", "world", "ws"]

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
    """``fake`` is the forge (``github`` is it when the forge is GitHub, the common case)."""

    def __init__(
        self, root: Path, env: dict[str, str], remote: BareRemote, fake: FakeGitHub | FakeGitLab
    ) -> None:
        self.root = root
        self.remote = remote
        self.fake = fake
        self.kind = "github" if isinstance(fake, FakeGitHub) else "gitlab"
        self.env = {
            **env,
            "RECONCILE_BOT_FORGE": self.kind,
            "RECONCILE_BOT_API_URL": fake.url,
            "RECONCILE_BOT_REPOSITORY": fake.repository,
            "GITHUB_TOKEN" if self.kind == "github" else "GITLAB_TOKEN": fake.token,
            "RECONCILE_WEBHOOK_SECRET": SECRET,
        }
        self.served: Served | None = None

    @property
    def github(self) -> FakeGitHub:
        assert isinstance(self.fake, FakeGitHub)
        return self.fake

    def bot(self) -> Bot:
        return open_bot(load_settings(self.root, self.env), self.env, log=lambda line: None)

    def sync(self) -> SyncReport:
        return run_sync(self.bot(), ["."])

    @contextmanager
    def serving(self, work: bool = True, max_body: int = MAX_BODY) -> Iterator[Served]:
        with Served(create_app(self.bot(), work=work, max_body=max_body)) as served:
            self.served = served
            yield served
        self.served = None

    def deliver(self, delivery: Delivery) -> httpx.Response:
        assert self.served is not None, "serve first"
        return self.served.post(f"/webhooks/{self.kind}", delivery)

    def tell(self, number: int, login: str, text: str) -> list[str]:
        """``login`` comments on PR ``number``; the bot's comments that answer it."""
        before = len(self.fake.comments_on(number))
        answer = self.deliver(self.fake.user_comments(number, login, text, SECRET))
        assert answer.status_code == 202, answer.text
        self.wait_idle()
        return self.fake.comments_on(number)[before:]

    def wait_idle(self, timeout: float = 600) -> list[Job]:
        deadline = time.monotonic() + timeout
        with self.bot().store() as store:
            while True:
                jobs = store.jobs()
                if all(j.status in ("done", "failed") for j in jobs):
                    return jobs
                assert time.monotonic() < deadline, f"the bot is still busy: {jobs}"
                time.sleep(0.1)

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True, text=True)
        return done.stdout.strip()

    def push_pr(self, branch: str, file: str, text: str) -> int:
        """A person's pull request: one commit changing ``file`` on a new branch from main."""
        self.git("checkout", "-q", "-b", branch)
        (self.root / file).write_text(text)
        self.git("add", file)
        self.git("commit", "-qm", f"{branch}: change {file}")
        self.git("push", "-q", "origin", f"HEAD:refs/heads/{branch}")
        self.git("checkout", "-q", "main")
        return self.bot().forge.open_pr(branch, "main", branch, "a person's change").number


@contextmanager
def forge_world(root: Path, env: dict[str, str], kind: str = "github") -> Iterator[World]:
    """``root`` (a git work tree on main) pushed to a new bare remote, with a fake forge over it."""
    remote = BareRemote.create(root.parent / "remote.git")
    subprocess.run(["git", "remote", "add", "origin", str(remote.path)], cwd=root, check=True)
    subprocess.run(["git", "push", "-q", "origin", "main"], cwd=root, check=True)
    fake: FakeGitHub | FakeGitLab
    if kind == "github":
        fake = FakeGitHub(remote)
        fake.grant("alice", "write")
        fake.grant("mallory", "read")
    else:
        fake = FakeGitLab(remote)
        fake.grant("alice", DEVELOPER)
        fake.grant("mallory", REPORTER)
    with Loopback(fake) as server:
        fake.url = server.url
        yield World(root, env, remote, fake)


@pytest.fixture
def world(ws: Workspace) -> Iterator[World]:
    """The workspace applied on the sandbox (git_workspace.CONFIG), with its forge."""
    with forge_world(ws.root, ws.env) as w:
        yield w


def plain_repo(where: Path) -> Path:
    """A git work tree with one commit on main and no cloud behind it."""
    root = where / "repo"
    root.mkdir()
    (root / "main.tf").write_text("# nothing\n")
    for args in (
        ("init", "-q", "-b", "main"),
        ("config", "user.name", "Pat"),
        ("config", "user.email", "p@x.y"),
    ):
        subprocess.run(["git", *args], cwd=root, check=True)
    subprocess.run(["git", "add", "."], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "first"], cwd=root, check=True)
    return root


@pytest.fixture
def light_world(tmp_path: Path) -> Iterator[World]:
    """A repository with no cloud behind it, on GitHub: for what runs no Terraform."""
    with forge_world(plain_repo(tmp_path), dict(os.environ)) as w:
        yield w
