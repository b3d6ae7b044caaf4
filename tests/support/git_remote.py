"""A real bare git repository as a forge's remote: what the fake forges need to know about it.

The fakes read branches, compare and merge in it with git's own plumbing (``merge-tree --write-tree``,
``commit-tree``), so a push the bot makes, a push a person makes and a merge are all real commits.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

FORGE_ENV = {
    "GIT_AUTHOR_NAME": "Forge",
    "GIT_AUTHOR_EMAIL": "noreply@forge.test",
    "GIT_COMMITTER_NAME": "Forge",
    "GIT_COMMITTER_EMAIL": "noreply@forge.test",
}


class BareRemote:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, path: Path, default_branch: str = "main") -> BareRemote:
        subprocess.run(["git", "init", "-q", "--bare", "-b", default_branch, str(path)], check=True)
        return cls(path)

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            check=check,
            env={**os.environ, **FORGE_ENV},
        )

    def sha(self, ref: str) -> str | None:
        done = self.git("rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False)
        return done.stdout.strip() or None

    def branch(self, name: str) -> str | None:
        return self.sha(f"refs/heads/{name}")

    def set_ref(self, ref: str, sha: str) -> None:
        self.git("update-ref", ref, sha)

    def delete_ref(self, ref: str) -> None:
        self.git("update-ref", "-d", ref, check=False)

    def behind_ahead(self, base: str, head: str) -> tuple[int, int]:
        """Commits only the base has, and commits only the head has."""
        left, right = self.git("rev-list", "--left-right", "--count", f"{base}...{head}").stdout.split()
        return int(left), int(right)

    def merge_tree(self, base: str, head: str) -> str | None:
        """The merged tree, or None when the two conflict."""
        done = self.git("merge-tree", "--write-tree", base, head, check=False)
        return done.stdout.split()[0] if done.returncode == 0 else None

    def merge(self, base_branch: str, head: str, message: str) -> str | None:
        """A merge commit of ``head`` into ``base_branch`` (moved to it); None when they conflict."""
        base = self.branch(base_branch)
        assert base is not None, base_branch
        tree = self.merge_tree(base, head)
        if tree is None:
            return None
        sha = self.git("commit-tree", tree, "-p", base, "-p", head, "-m", message).stdout.strip()
        self.set_ref(f"refs/heads/{base_branch}", sha)
        return sha

    def message(self, ref: str) -> str:
        return self.git("log", "-1", "--format=%B", ref).stdout

    def files(self, ref: str, path: str) -> str:
        return self.git("show", f"{ref}:{path}").stdout


def first_clone(remote: BareRemote, clone: Path) -> Path:
    """A clone of ``remote`` (a person's, Pat's) that pushed ``main`` with one commit: main.tf."""
    subprocess.run(["git", "clone", "-q", str(remote.path), str(clone)], check=True, capture_output=True)
    for key, value in (("user.name", "Pat"), ("user.email", "pat@example.com")):
        subprocess.run(["git", "config", key, value], cwd=clone, check=True)
    (clone / "main.tf").write_text("# empty\n")
    subprocess.run(["git", "add", "."], cwd=clone, check=True)
    subprocess.run(["git", "commit", "-qm", "first"], cwd=clone, check=True)
    subprocess.run(["git", "push", "-q", "origin", "HEAD:main"], cwd=clone, check=True)
    subprocess.run(["git", "fetch", "-q"], cwd=clone, check=True)
    return clone
