"""The bot's git work tree, through GitPython: fetch from the remote, publish a drift branch, work at a
pull request's head.

Publishing never touches the work tree the bot runs in: the branch's one commit is made in a temporary
``git worktree`` at the default branch's head and force-pushed (the branch is the bot's own; a branch
someone else pushed to is left alone, see :mod:`hooks.bot.sync`). Working at a PR's head checks out that
exact commit (detached) for the duration and then puts back whatever was checked out before; a dirty
work tree is refused. Errors never show the remote's URL with credentials: every git message passes
through the settings' redaction.

Fetching and pushing never wait for a person (``GIT_TERMINAL_PROMPT=0``). When the remote asks who is
there over HTTPS, git's answer is the forge's credentials (a token, a GitHub App's installation token):
one credential helper, set for that git process only through ``GIT_CONFIG_*`` variables, reads them
from that process's environment, so they appear on no command line and in no file, and no helper of
the machine stores them. A remote that asks nothing (SSH, a path, credentials git already sends) is
unaffected.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import git

from hooks.bot.errors import BotError
from hooks.bot.forge import GitCredentials
from state.proposal import FileEdit

BOT_NAME = "reconcile bot"
BOT_EMAIL = "reconcile-bot@users.noreply.localhost"
FETCHED = "refs/reconcile-bot/fetched"
# A credential helper (git runs it with sh): answers "get" from the variables below, stores nothing.
HELPER = (
    '!f() { test "$1" = get || exit 0; echo "username=$RECONCILE_BOT_GIT_USERNAME";'
    ' echo "password=$RECONCILE_BOT_GIT_PASSWORD"; }; f'
)


class Checkout:
    def __init__(
        self,
        top: Path,
        remote: str,
        redact: Callable[[str], str],
        credentials: Callable[[], GitCredentials] | None = None,
    ) -> None:
        try:
            self._repo = git.Repo(top)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise BotError(f"{top}: not the top of a git work tree; the bot runs in a clone") from None
        self.top = top.resolve()
        self.remote = remote
        self._redact = redact
        self._credentials = credentials

    def fetch(self, ref: str) -> str:
        """Fetch ``ref`` (``refs/heads/main``, ``refs/pull/7/head``) from the remote; its commit."""
        self._git("fetch", "-q", "--no-tags", self.remote, f"+{ref}:{FETCHED}", env=self._remote_env())
        return self._repo.commit(FETCHED).hexsha

    def message(self, sha: str) -> str:
        return str(self._repo.commit(sha).message)

    def publish(self, branch: str, base: str, prefix: str, edits: Sequence[FileEdit], message: str) -> str:
        """One commit on ``base`` with ``edits`` (workspace-relative paths under ``prefix``), pushed as
        ``branch``; the commit's sha. No edits makes an empty commit (a PR that only offers a revert)."""
        with tempfile.TemporaryDirectory(prefix="reconcile-bot-") as tmp:
            where = Path(tmp) / "tree"
            self._git("worktree", "add", "-q", "--detach", str(where), base)
            try:
                tree = git.Repo(where)
                for edit in edits:
                    path = where / prefix / edit.path if prefix not in ("", ".") else where / edit.path
                    now = path.read_text(encoding="utf-8") if path.exists() else ""
                    if now != edit.before:
                        raise BotError(
                            f"{edit.path}: the default branch differs from the files the scan proposed"
                            " against; run the bot in a clone at the default branch's head"
                        )
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(edit.after, encoding="utf-8")
                tree.git.add("--all", "--", ".")
                with tree.git.custom_environment(**self._identity()):
                    tree.git.commit("-q", "--allow-empty", "--no-verify", "-m", message)
                sha = tree.head.commit.hexsha
                self._git(
                    "push",
                    "-q",
                    "--no-verify",
                    "--force",
                    self.remote,
                    f"{sha}:refs/heads/{branch}",
                    env=self._remote_env(),
                )
            finally:
                self._git("worktree", "remove", "--force", str(where))
        return sha

    @contextmanager
    def at(self, sha: str) -> Iterator[None]:
        """The work tree at ``sha`` (detached) for the block; then back where it was."""
        dirty = self._repo.git.status("--porcelain", "--untracked-files=no").strip()
        if dirty:
            raise BotError(
                f"{self.top}: the bot's work tree has uncommitted changes: {dirty.splitlines()[0]}"
            )
        try:
            previous = self._repo.active_branch.name
        except TypeError:  # detached already
            previous = self._repo.head.commit.hexsha
        self._git("checkout", "-q", "--detach", sha)
        try:
            yield
        finally:
            # A failed apply's rollback commits on the detached head are the bot's scratch: the PR branch
            # on the remote is untouched, and the audit has them.
            self._git("checkout", "-q", "-f", previous)

    def _identity(self) -> dict[str, str]:
        reader = self._repo.config_reader()
        name = reader.get_value("user", "name", "") or BOT_NAME
        email = reader.get_value("user", "email", "") or BOT_EMAIL
        return {
            "GIT_AUTHOR_NAME": str(name),
            "GIT_AUTHOR_EMAIL": str(email),
            "GIT_COMMITTER_NAME": str(name),
            "GIT_COMMITTER_EMAIL": str(email),
        }

    def _remote_env(self) -> dict[str, str]:
        env = {"GIT_TERMINAL_PROMPT": "0"}
        if self._credentials is None:
            return env
        username, password = self._credentials()
        return {
            **env,
            # An empty helper first: the machine's helpers are neither asked nor told (no "store").
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": "credential.helper",
            "GIT_CONFIG_VALUE_0": "",
            "GIT_CONFIG_KEY_1": "credential.helper",
            "GIT_CONFIG_VALUE_1": HELPER,
            "RECONCILE_BOT_GIT_USERNAME": username,
            "RECONCILE_BOT_GIT_PASSWORD": password,
        }

    def _git(self, *args: str, env: dict[str, str] | None = None) -> str:
        try:
            return str(self._repo.git.execute(["git", *args], env=env))
        except git.GitCommandError as e:
            text = (e.stderr or str(e)).strip().removeprefix("stderr:").strip(" '\n")
            line = (text.splitlines() or ["git failed"])[0]
            raise BotError(self._redact(f"git {args[0]} failed: {line}")) from None
