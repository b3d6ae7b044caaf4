"""The GitOps PR bot: drift becomes a pull request; comment commands plan and apply it.

forge.py     the Protocol of what the bot asks of a forge, and the PullRequest record
github.py    GitHub / GitHub Enterprise through githubkit
gitlab.py    GitLab through python-gitlab
settings.py  the [bot] table, secrets hidden
context.py   the settings, the forge, the git work tree and the stores, together
checkout.py  git: fetch, publish a drift branch (in a temporary worktree), work at a PR's head
sync.py      `reconcile bot sync`: one cycle, one PR per drifted workspace; locks made to agree with PRs
body.py      a drift PR's body and the fingerprint that keeps one PR per drift
commands.py  the comment grammar (strict: comments are untrusted)
comments.py  Markdown that cloud values cannot subvert; long answers split, summary first
webhooks.py  signatures, delivery ids, and the job each delivery asks for
server.py    `reconcile bot serve`: Starlette on uvicorn, the worker taking jobs from the store
jobs.py      one job: a command (checks, then the verb) or a PR that merged or closed
actions.py   plan, apply, revert, unlock: through reconciler/apply, under the PR's lock
locks.py     the workspace lock a pull request holds
cli.py       the `reconcile bot` command line (an entry point of `reconcile.commands`)
errors.py    BotError, ForgeError, Refusal
"""
