"""GitLab: the forge through the real python-gitlab client against the fake GitLab API, and the bot on
GitLab's webhooks (X-Gitlab-Token) with the sandbox behind it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.mgmt.network import NetworkManagementClient
from bot_world import SECRET
from bot_world import World
from bot_world import cloud
from bot_world import forge_world
from bot_world import plain_repo
from bot_world import ws
from fake_gitlab import FakeGitLab
from git_workspace import Workspace
from loopback import closed_port
from sandbox_cloud import Cloud

from hooks.bot.errors import ForgeError
from hooks.bot.gitlab import GitLabForge
from providers.azure import apps
from providers.azure.sdk import client
from state.sqlite import SqliteStore

__all__ = ["cloud", "ws"]


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[World]:
    with forge_world(plain_repo(tmp_path), {}, "gitlab") as world:
        yield world


def _fake(world: World) -> FakeGitLab:
    assert isinstance(world.fake, FakeGitLab)
    return world.fake


def test_a_merge_request_is_opened_found_read_commented_and_merged(lab: World) -> None:
    forge, fake = lab.bot().forge, _fake(lab)
    assert forge.default_branch() == "main"
    number = lab.push_pr("feature", "main.tf", "# changed\n")
    mr = forge.find_pr("feature")
    assert mr is not None and (mr.number, mr.state, mr.author, mr.from_fork) == (
        number,
        "open",
        "reconcile-bot",
        False,
    )
    assert mr.head_sha == lab.remote.branch("feature") and mr.mergeable is True
    assert forge.head_ref(number) == "refs/merge-requests/1/head"
    assert lab.remote.sha("refs/merge-requests/1/head") == mr.head_sha
    forge.update_pr(number, title="t2", body="b2")
    forge.add_labels(number, ["reconcile", "drift"])
    assert fake.pulls[number]["description"] == "b2" and fake.labels[number] == ["reconcile", "drift"]
    fake.user_comments(number, "alice", "/reconcile plan", SECRET)
    forge.react(fake.comments[-1]["id"], "eyes", number)
    forge.comment(number, "hello")
    assert fake.comments_on(number) == ["hello"] and fake.reactions[-1][1] == "eyes"
    fake.approve(number, "carol")
    assert forge.approvals(number) == ("carol",)
    assert forge.can_write("alice") and not forge.can_write("mallory") and not forge.can_write("nobody")
    assert not forge.diverged(mr)
    forge.merge(mr, "merge")
    assert forge.get_pr(number).state == "merged"
    assert lab.remote.message("refs/heads/main").startswith("Merge branch 'feature' into 'main'")


def test_gitlab_refusals_are_forge_errors_without_the_token(lab: World) -> None:
    forge = lab.bot().forge
    number = lab.push_pr("feature", "main.tf", "# changed\n")
    old = forge.get_pr(number)
    lab.git("checkout", "-q", "feature")
    (lab.root / "main.tf").write_text("# moved on\n")
    lab.git("commit", "-qam", "moved")
    lab.git("push", "-q", "origin", "HEAD:refs/heads/feature")
    with pytest.raises(ForgeError, match="GitLab answered 409 to PUT merge of !1: SHA does not match"):
        forge.merge(old, "merge")
    wrong = GitLabForge("octo/infra", "glpat-wrong-token-value", _fake(lab).url)
    with pytest.raises(ForgeError, match="GitLab answered 401 to GET project") as caught:
        wrong.default_branch()
    assert "glpat-wrong-token-value" not in str(caught.value)
    down = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(ForgeError, match=f"GitLab at {down} could not be reached for GET project: .*refused"):
        GitLabForge("octo/infra", "glpat-wrong-token-value", down).default_branch()


def test_the_bot_on_gitlab_opens_a_merge_request_plans_it_and_lets_go_when_it_closes(
    ws: Workspace, cloud: Cloud
) -> None:
    pips = client(NetworkManagementClient, cloud.endpoint(upn="alice@contoso.com", appid=apps.AZURE_PORTAL))
    pip = pips.public_ip_addresses.get("rg-apply", "pip-a")
    pip.idle_timeout_in_minutes = 12
    pips.public_ip_addresses.begin_create_or_update("rg-apply", "pip-a", pip).result()
    with forge_world(ws.root, ws.env, "gitlab") as world:
        fake = _fake(world)
        assert [(w.action, w.pull_request) for w in world.sync().workspaces] == [("opened", 1)]
        assert "alice@contoso.com via portal" in fake.pulls[1]["description"]
        with world.serving():
            [planned] = world.tell(1, "alice", "/reconcile plan")
            assert planned.startswith("**Planned** `root`") and "no changes" in planned
            assert [r for _, r in fake.reactions] == ["eyes"]
            with SqliteStore(ws.root / ".reconcile" / "state.db") as store:
                held = store.lock(str(ws.root))
            assert held is not None and held.holder.pr == "gitlab:octo/infra#1"
            fake.pulls[1]["state"] = "closed"
            assert world.deliver(fake.closed_event(1, SECRET)).status_code == 202
            world.wait_idle()
            with SqliteStore(ws.root / ".reconcile" / "state.db") as store:
                assert store.lock(str(ws.root)) is None
            wrong = fake.user_comments(1, "alice", "/reconcile plan", "not-the-secret")
            assert world.deliver(wrong).status_code == 401
