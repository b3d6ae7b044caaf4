"""What one apply or rollback holds open from start to end: settings, git, the store, Terraform, the lock.

Opening checks what needs no lock (the directory, the git work tree, the settings) and then takes the
workspace's lock, so that two applies never interleave; closing releases it whatever happened.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import ExitStack
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import NamedTuple

from reconciler.apply.lock import WorkspaceLock
from reconciler.apply.lock import holder
from reconciler.apply.repo import Repo
from reconciler.config import Config
from reconciler.config import load_config
from reconciler.errors import WorkspaceError
from reconciler.terraform import Terraform
from reconciler.terraform import engine_from_config
from reconciler.workspace import load_config as load_workspace
from reconciler.workspace.secrets import known_secrets
from state.sqlite import SqliteStore


def _stderr(line: str) -> None:
    print(f"reconcile: {line}", file=sys.stderr, flush=True)


class Common(NamedTuple):
    """Options every apply-like command takes."""

    directory: Path
    yes: bool = False
    lock_timeout: float = 60.0
    command: str = "reconcile apply"
    environ: Mapping[str, str] | None = None
    #: asks the person at a terminal (the plan summary is the question); None: there is no terminal
    confirm: Callable[[str], bool] | None = None
    notify: Callable[[str], None] = _stderr
    #: the token of a lock the caller holds already (a pull request's, for the PR bot): run under it
    lock_token: str | None = None


class Session(NamedTuple):
    root: Path
    workspace: str  # as the store names it
    environ: dict[str, str]
    settings: Config
    repo: Repo
    store: SqliteStore
    tf: Terraform
    lock: WorkspaceLock
    scratch: Path  # for saved plans: outside the work tree, so nothing there is ever committed
    common: Common
    #: what one session reads once and uses twice (the state as the apply found it)
    memo: dict[str, Any]

    def principal(self) -> str:
        """The cloud identity the credential resolves to, as far as the environment says."""
        return self.environ.get("ARM_CLIENT_ID") or "the azure-identity default chain"


@contextmanager
def session(common: Common, proposals: tuple[str, ...] = ()) -> Iterator[Session]:
    root = common.directory.resolve()
    if not root.is_dir():
        raise WorkspaceError(f"{common.directory}: not a directory")
    environ = dict(os.environ if common.environ is None else common.environ)
    settings = load_config(root, env=environ)
    repo = Repo(root)
    store_path = settings.store_path(root)
    with ExitStack() as stack:
        # Known secrets (credentials, sensitive variables) never reach the audit trail; the state's join
        # them once the state is read (deliver.backup_state).
        redactor = known_secrets(
            environ,
            configuration=load_workspace(root),
            key_variables=(settings.get_str("llm.api_key_env"),),
        )
        store = stack.enter_context(
            SqliteStore(store_path, redactor=redactor, key_file=settings.store_key_file(root))
        )
        tf = stack.enter_context(Terraform(engine_from_config(settings), base_env=environ))
        # Plan, show, apply and the verifying plan run in one Terraform process: schemas load once.
        stack.enter_context(tf.session(root))
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="reconcile-apply-")))
        lock = stack.enter_context(
            WorkspaceLock(
                store,
                str(root),
                holder(common.command, proposals),
                timeout=common.lock_timeout,
                notify=common.notify,
                clock=lambda: datetime.now(UTC),
                adopt=common.lock_token,
            )
        )
        yield Session(root, str(root), environ, settings, repo, store, tf, lock, scratch, common, {})
