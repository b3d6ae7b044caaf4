"""The workspace's git repository, through GitPython: what apply and rollback ask of it.

Every change to the configuration an apply makes is a new commit (history is never rewritten): the
proposal's edits with ``Reconcile-Proposal`` / ``Reconcile-Scan`` / ``Reconcile-Audit`` trailers, a
``git revert`` when an apply is rolled back, a restore commit when ``reconcile rollback`` brings back
older files. The author and committer come from git's own configuration, as for any commit the user
makes.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import git

from reconciler.errors import GitError


class Repo:
    """The git work tree holding the workspace ``root`` (a Terraform root directory inside it)."""

    def __init__(self, root: Path) -> None:
        try:
            self._repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitError(f"{root}: not in a git work tree; apply commits every change it makes") from None
        if self._repo.bare or self._repo.working_tree_dir is None:
            raise GitError(f"{root}: in a bare git repository; apply needs a work tree")
        self.top = Path(self._repo.working_tree_dir).resolve()
        self.root = root.resolve()
        #: the workspace directory relative to the top of the work tree ("" at the top)
        self.prefix = "" if self.root == self.top else self.root.relative_to(self.top).as_posix()

    def path(self, relative: str) -> str:
        """A workspace-relative path as git names it (relative to the top of the work tree)."""
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def head(self) -> str:
        try:
            return self._repo.head.commit.hexsha
        except ValueError:
            raise GitError(f"{self.top}: the repository has no commits yet") from None

    def author(self) -> str:
        actor = git.Actor.author(self._repo.config_reader())
        return f"{actor.name} <{actor.email}>"

    def dirty(self, paths: Sequence[str] = ()) -> list[str]:
        """Workspace files with uncommitted changes (staged or not), among ``paths`` or in the whole
        workspace; untracked Terraform files of the workspace count too (they would be applied)."""
        scope: tuple[str, ...] = tuple(self.path(p) for p in paths) or (self.prefix or ".",)
        changed = {d.a_path or "" for d in self._repo.index.diff(None, paths=scope)}
        changed |= {d.a_path or "" for d in self._repo.index.diff("HEAD", paths=scope)}
        untracked = self._repo.git.ls_files("--others", "--exclude-standard", "--", *scope).splitlines()
        changed |= {u for u in untracked if u.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json"))}
        return sorted(c for c in changed if c)

    def commit(self, paths: Sequence[str], message: str) -> str:
        """Stage exactly ``paths`` (workspace-relative; deletions too) and commit them; the new sha."""
        self._repo.git.add("--all", "--", *(self.path(p) for p in paths))
        return self._repo.index.commit(
            message,
            author=git.Actor.author(self._repo.config_reader()),
            committer=git.Actor.committer(self._repo.config_reader()),
        ).hexsha

    def apply_patches(self, diffs: Sequence[str], scratch: Path) -> None:
        """``git apply`` each diff (paths relative to the workspace), all checked before any is applied."""
        files = []
        for n, diff in enumerate(diffs):
            written = scratch / f"proposal-{n}.patch"
            written.write_text(diff, encoding="utf-8")
            files.append(str(written))
        where = [f"--directory={self.prefix}"] if self.prefix else []
        for n in range(len(files)):
            try:
                # Checked one by one against the files as they will be: each applies after the ones before.
                self._repo.git.apply("--check", *where, *files[: n + 1])
            except git.GitCommandError as e:
                raise GitError(
                    f"proposal edit {n + 1} no longer applies to the files as they are: {_first_line(e)}; "
                    "run 'reconcile drift' and 'reconcile propose' again"
                ) from None
        self._repo.git.apply(*where, *files)

    def since(self, base: str) -> list[str]:
        """Commits after ``base`` up to HEAD that touch the workspace, newest first."""
        return self._repo.git.rev_list(f"{base}..HEAD", "--", self.prefix or ".").split()

    def revert(self, commits: Sequence[str]) -> list[str]:
        """``git revert`` each commit (newest first): one new commit each; the new shas."""
        made = []
        for sha in commits:
            try:
                self._repo.git.revert("--no-edit", sha)
            except git.GitCommandError as e:
                self._abort_revert()
                raise GitError(f"git revert {sha[:12]} failed: {_first_line(e)}") from None
            made.append(self.head())
        return made

    def changed_since(self, commit: str) -> list[str]:
        """Workspace files (workspace-relative) that differ between ``commit`` and HEAD."""
        names = self._repo.git.diff("--name-only", commit, "HEAD", "--", self.prefix or ".").splitlines()
        cut = len(self.prefix) + 1 if self.prefix else 0
        return sorted(n[cut:] for n in names)

    def restore(self, commit: str, paths: Sequence[str]) -> None:
        """Make the workspace files ``paths`` what they were at ``commit`` in the work tree (no commit)."""
        then = set(self._repo.git.ls_tree("-r", "--name-only", commit, "--", self.prefix or ".").splitlines())
        for relative in paths:
            name = self.path(relative)
            if name in then:
                self._repo.git.checkout(commit, "--", name)
            else:
                (self.top / name).unlink(missing_ok=True)

    def unstage(self, paths: Sequence[str]) -> None:
        """Take ``paths`` out of the index again (as HEAD has them)."""
        if paths:
            self._repo.git.reset("-q", "HEAD", "--", *(self.path(p) for p in paths))

    def resolve(self, rev: str) -> str:
        try:
            return self._repo.commit(rev).hexsha
        except (git.BadName, ValueError):
            raise GitError(f"{rev}: no such commit in {self.top}") from None

    def parent(self, commit: str) -> str | None:
        parents = self._repo.commit(commit).parents
        return parents[0].hexsha if parents else None

    def trailers(self, key: str) -> list[tuple[str, str]]:
        """``(commit, value)`` of every ``key:`` trailer in HEAD's history, newest first."""
        try:
            out = self._repo.git.log(
                f"--format=%H%x00%(trailers:key={key},valueonly,separator=%x01)%x00", "HEAD"
            )
        except git.GitCommandError:
            return []  # no commits yet
        found = []
        fields = out.split("\x00")
        for sha, values in zip(fields[0::2], fields[1::2], strict=False):
            found += [(sha.strip(), v.strip()) for v in values.split("\x01") if v.strip()]
        return found

    def subject(self, commit: str) -> str:
        return str(self._repo.commit(commit).summary)

    @contextmanager
    def worktree(self, commit: str, where: Path) -> Iterator[Path]:
        """A temporary detached work tree at ``commit``; yields the workspace directory inside it."""
        self._repo.git.worktree("add", "--detach", str(where), commit)
        try:
            yield where / self.prefix if self.prefix else where
        finally:
            self._repo.git.worktree("remove", "--force", str(where))

    def _abort_revert(self) -> None:
        if (Path(self._repo.git_dir) / "REVERT_HEAD").exists():
            self._repo.git.revert("--abort")


def _first_line(e: git.GitCommandError) -> str:
    text = (e.stderr or str(e)).strip().removeprefix("stderr:").strip(" '\n")
    return (text.splitlines() or ["git failed"])[0]
