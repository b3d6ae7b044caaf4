"""Applying: proposals, reverts and the committed configuration through one locked, verified path.

session.py   what an apply holds open: settings, git, the store, Terraform, the workspace lock
lock.py      the workspace lock: wait, break a dead holder (audited), heartbeat
repo.py      git through GitPython: clean checks, commits with trailers, reverts, worktrees
plan.py      the saved plan, its hash, and what it may change
deliver.py   backup → plan → intent → policy → confirm → commit → apply → verify; the rollback
verify.py    after an apply: a live re-read and a plan that changes nothing
run.py       `reconcile apply`: proposals, --revert, or HEAD; the audit
rollback.py  `reconcile rollback`: an earlier commit's configuration, previewed in a worktree
model.py     the report, its JSON form and the exit codes
render.py    the report as a table or JSON
"""
