"""The GitHub forge through the real githubkit client against the fake GitHub API and a real remote."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fake_github import BOT_LOGIN
from fake_github import FakeGitHub
from fake_github import GitHubAppKey
from git_remote import BareRemote
from git_remote import first_clone
from loopback import Loopback
from loopback import closed_port

from hooks.bot.comments import parts
from hooks.bot.comments import post
from hooks.bot.errors import ForgeError
from hooks.bot.github import GitHubForge
from hooks.bot.github import from_settings
from hooks.bot.settings import GitHubApp
from hooks.bot.settings import Secret
from hooks.bot.settings import load_settings


class Hub:
    def __init__(self, fake: FakeGitHub, forge: GitHubForge, clone: Path) -> None:
        self.fake = fake
        self.forge = forge
        self.clone = clone

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=self.clone, check=True, capture_output=True, text=True
        ).stdout

    def push_branch(self, branch: str, file: str, text: str) -> str:
        self.git("checkout", "-q", "-B", branch, "origin/main")
        (self.clone / file).write_text(text)
        self.git("add", file)
        self.git("commit", "-qm", f"change {file}")
        self.git("push", "-q", "-f", "origin", f"HEAD:refs/heads/{branch}")
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    remote = BareRemote.create(tmp_path / "remote.git")
    clone = first_clone(remote, tmp_path / "clone")
    fake = FakeGitHub(remote)
    with Loopback(fake) as server:
        fake.url = server.url
        yield Hub(fake, GitHubForge("octo/infra", fake.token, server.url), clone)


def test_a_pull_request_is_opened_found_read_and_merged(hub: Hub) -> None:
    assert hub.forge.default_branch() == "main"
    sha = hub.push_branch("reconcile/drift/root", "main.tf", "# codified\n")
    assert hub.forge.find_pr("reconcile/drift/root") is None
    opened = hub.forge.open_pr("reconcile/drift/root", "main", "Drift in root", "the body")
    assert (opened.state, opened.head_sha, opened.head_branch, opened.author) == (
        "open",
        sha,
        "reconcile/drift/root",
        BOT_LOGIN,
    )
    assert opened.mergeable is True and not opened.from_fork
    assert hub.forge.find_pr("reconcile/drift/root") == opened
    assert hub.forge.find_pr("reconcile/drift/other") is None
    hub.forge.update_pr(opened.number, title="Drift in root (2)", body="new body")
    assert hub.forge.get_pr(opened.number).body == "new body"
    assert not hub.forge.diverged(opened)
    hub.forge.merge(opened, "merge")
    merged = hub.forge.get_pr(opened.number)
    assert merged.state == "merged"
    assert hub.fake.remote.message("refs/heads/main").startswith(f"Merge pull request #{opened.number}")


def test_comments_reactions_labels_reviews_and_permissions(hub: Hub) -> None:
    hub.push_branch("topic", "main.tf", "# topic\n")
    pr = hub.forge.open_pr("topic", "main", "t", "b")
    hub.forge.comment(pr.number, "hello")
    assert hub.fake.comments_on(pr.number) == ["hello"]
    delivery = hub.fake.user_comments(pr.number, "alice", "/reconcile plan", "s")
    comment_id = hub.fake.comments[-1]["id"]
    hub.forge.react(comment_id, "eyes", pr.number)
    assert hub.fake.reactions == [(comment_id, "eyes")] and delivery.event == "issue_comment"
    hub.forge.add_labels(pr.number, ["reconcile", "drift"])
    assert hub.fake.labels[pr.number] == ["reconcile", "drift"]
    hub.fake.approve(pr.number, "bob")
    hub.fake.reviews[pr.number].append(("carol", "APPROVED"))
    hub.fake.reviews[pr.number].append(("carol", "CHANGES_REQUESTED"))
    assert hub.forge.approvals(pr.number) == ("bob",)
    hub.fake.grant("alice", "write")
    hub.fake.grant("mallory", "read")
    assert hub.forge.can_write("alice") and not hub.forge.can_write("mallory")
    assert not hub.forge.can_write("stranger")


def test_github_refusals_arrive_as_forge_errors_without_the_token(hub: Hub) -> None:
    hub.push_branch("topic", "main.tf", "# topic\n")
    pr = hub.forge.open_pr("topic", "main", "t", "b")
    with pytest.raises(ForgeError, match="422 to POST comment on #1: Validation Failed"):
        hub.forge.comment(pr.number, "x" * 65_537)
    with pytest.raises(ForgeError, match="422 to POST pull request from topic"):
        hub.forge.open_pr("topic", "main", "t", "b")
    moved = hub.push_branch("topic", "main.tf", "# moved\n")
    with pytest.raises(ForgeError, match="409 to PUT merge of #1: Head branch was modified"):
        hub.forge.merge(pr, "merge")  # pr.head_sha is the old head
    assert hub.forge.get_pr(pr.number).head_sha == moved
    wrong = GitHubForge("octo/infra", "ghs_wrong_token_value", hub.fake.url)
    with pytest.raises(ForgeError, match="401 to GET repository: Bad credentials") as caught:
        wrong.default_branch()
    assert "ghs_wrong_token_value" not in str(caught.value)
    down = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(
        ForgeError, match=f"GitHub at {down} could not be reached for GET repository: .*refused"
    ):
        GitHubForge("octo/infra", "ghs_wrong_token_value", down).default_branch()


def test_a_base_that_moved_on_makes_the_pull_request_diverged(hub: Hub) -> None:
    hub.push_branch("topic", "other.tf", "# topic\n")
    pr = hub.forge.open_pr("topic", "main", "t", "b")
    hub.push_branch("main", "main.tf", "# someone else merged\n")
    assert hub.forge.diverged(hub.forge.get_pr(pr.number))


def test_a_200000_character_plan_reaches_github_in_comments_it_accepts_summary_first(hub: Hub) -> None:
    hub.push_branch("topic", "main.tf", "# topic\n")
    pr = hub.forge.open_pr("topic", "main", "t", "b")
    plan = "\n".join(f"  + resource {n:06d} " + "x" * 80 for n in range(2200))
    with pytest.raises(ForgeError, match="maximum is 65536 characters"):
        hub.forge.comment(pr.number, plan)  # what the split is for
    post(hub.forge, pr.number, parts("**Planned**: 2200 to add", "Plan output", plan, hub.forge.max_comment))
    posted = hub.fake.comments_on(pr.number)
    assert len(posted) == 4 and posted[0].startswith("**Planned**: 2200 to add")
    assert all(len(c) <= 65_536 for c in posted) and sum(len(c) for c in posted) > 200_000


def _rsa_pem() -> tuple[str, bytes]:
    """A new RSA key as a GitHub App has: the private PEM (the App's) and the public PEM (GitHub's)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def test_a_github_app_acts_through_its_installation_and_renews_its_token(hub: Hub) -> None:
    private, public = _rsa_pem()
    # GitHub says the token lasts 61.5 s; githubkit renews a minute early, so in about 1.5 s.
    hub.fake.app = GitHubAppKey(app_id=77, public_key_pem=public, token_ttl=61.5)
    forge = GitHubForge("octo/infra", GitHubApp(77, Secret(private), 0), hub.fake.url)
    assert forge.default_branch() == "main"
    hub.push_branch("topic", "main.tf", "# topic\n")
    assert forge.open_pr("topic", "main", "t", "b").author == BOT_LOGIN
    # The installation was looked up, and one token minted for this repository only.
    assert ("GET", "/repos/octo/infra/installation") in hub.fake.requests
    assert hub.fake.token_requests == [{"repositories": ["infra"]}]
    time.sleep(2.0)
    assert forge.get_pr(1).number == 1
    assert len(hub.fake.installation_tokens) == 2  # the first expired: a new one, no 401


def test_a_github_app_with_the_wrong_key_or_not_installed_is_refused_by_name(hub: Hub) -> None:
    private, public = _rsa_pem()
    hub.fake.app = GitHubAppKey(app_id=77, public_key_pem=public)
    other, _ = _rsa_pem()
    with pytest.raises(ForgeError, match="401 to GET installation of GitHub App 77 on octo/infra") as caught:
        GitHubForge("octo/infra", GitHubApp(77, Secret(other), 0), hub.fake.url)
    assert "PRIVATE KEY" not in str(caught.value)
    with pytest.raises(ForgeError, match="GitHub App 77 is not installed on octo/elsewhere"):
        GitHubForge("octo/elsewhere", GitHubApp(77, Secret(private), 0), hub.fake.url)
    # A known installation is not looked up; its tokens are asked for at the first call.
    forge = GitHubForge("octo/infra", GitHubApp(77, Secret(private), 4242), hub.fake.url)
    assert not hub.fake.token_requests
    assert forge.default_branch() == "main"
    assert hub.fake.token_requests == [{"repositories": ["infra"]}]


def test_the_bot_settings_choose_the_app_over_a_missing_token(hub: Hub) -> None:
    private, public = _rsa_pem()
    hub.fake.app = GitHubAppKey(app_id=77, public_key_pem=public)
    env = {
        "RECONCILE_BOT_API_URL": hub.fake.url,
        "RECONCILE_BOT_REPOSITORY": "octo/infra",
        "RECONCILE_BOT_APP_ID": "77",
        "GITHUB_APP_PRIVATE_KEY": private,
    }
    forge = from_settings(load_settings(hub.clone, env))
    assert forge.default_branch() == "main"
    assert len(hub.fake.installation_tokens) == 1
    # git gets an installation token of its own, for this repository, minted once while it lasts.
    user, password = forge.git_credentials()
    assert user == "x-access-token" and password in hub.fake.installation_tokens
    assert forge.git_credentials() == (user, password)
    assert hub.fake.token_requests == [{"repositories": ["infra"]}] * 2
