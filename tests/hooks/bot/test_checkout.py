"""The bot's git over HTTPS: a remote that asks who is there gets the forge's credentials, from no
command line and into no credential store; without them, git fails at once instead of waiting for a
prompt. The remote is a real bare repository behind git's own ``http-backend`` with Basic auth."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from git_http import GitHttp
from git_remote import BareRemote
from git_remote import first_clone
from loopback import Loopback

from hooks.bot.checkout import Checkout
from hooks.bot.errors import BotError
from hooks.bot.forge import GitCredentials
from state.proposal import FileEdit

TOKEN = "ghs_checkout_secret_0123456789"


class Served(NamedTuple):
    remote: BareRemote
    clone: Path
    http: GitHttp
    home: Path


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    # The machine's git keeps every credential it is told in a file: the bot's must not land there.
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[credential]\n\thelper = store\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    remote = BareRemote.create(tmp_path / "infra.git")
    clone = first_clone(remote, tmp_path / "clone")
    http = GitHttp(remote.path, accept=lambda user, password: (user, password) == ("x-access-token", TOKEN))
    with Loopback(http) as server:
        url = f"{server.url}/infra.git"
        subprocess.run(["git", "remote", "set-url", "origin", url], cwd=clone, check=True)
        yield Served(remote, clone, http, home)


def test_a_remote_that_asks_gets_the_forges_token_and_no_helper_keeps_it(served: Served) -> None:
    checkout = Checkout(
        served.clone, "origin", lambda text: text, lambda: GitCredentials("x-access-token", TOKEN)
    )
    main = checkout.fetch("refs/heads/main")
    assert main == served.remote.branch("main")
    edit = FileEdit("main.tf", "# empty\n", "# codified\n")
    sha = checkout.publish("reconcile/drift/root", main, ".", [edit], "reconcile: codify")
    assert served.remote.branch("reconcile/drift/root") == sha
    assert served.remote.files(sha, "main.tf") == "# codified\n"
    assert {user for user, _ in served.http.seen} == {"x-access-token"}
    assert any(path.endswith("/git-receive-pack") for _, path in served.http.seen)  # the push itself
    # Nothing of the token is left behind: no credential file, nothing in the clone's config.
    assert not (served.home / ".git-credentials").exists()
    config = subprocess.run(["git", "config", "--list"], cwd=served.clone, capture_output=True, text=True)
    assert TOKEN not in config.stdout


@pytest.mark.parametrize("credentials", [None, GitCredentials("x-access-token", "ghs_wrong_0123456789")])
def test_without_the_right_credentials_git_fails_at_once_in_one_line(
    served: Served, credentials: GitCredentials | None
) -> None:
    given = None if credentials is None else (lambda: credentials)
    checkout = Checkout(served.clone, "origin", lambda text: text, given)
    # No prompt is waited for (the test would hang); the error is one line without the password.
    with pytest.raises(BotError, match=r"git fetch failed: .*") as caught:
        checkout.fetch("refs/heads/main")
    assert "\n" not in str(caught.value) and "ghs_wrong" not in str(caught.value)
    assert not (served.home / ".git-credentials").exists()
