"""Guardrails: a proposal is judged by built-in rules and the user's Rego policies before anyone sees it.

Before any Terraform process runs on a proposal, its text (static.py); after its validating plan, the
plan and the edits (guardrails.py and the rules below).

static.py      the static guardrails: data sources, functions, provider/terraform/module/check blocks,
               provisioners, and the locality of the edits (static.check, Scope)
scope.py       what a proposal may change, by strategy
expressions.py function calls that read files or the environment, found in configuration values

guardrails.py  evaluate(plan, edits, settings, root): every violation, built-in first
settings.py    PolicySettings, the [policy] table of reconcile.toml
plan.py        the resource changes of a ``show -json`` plan, as the built-in rules read them
protection.py  builtin.no_destroy_protected: tags, prevent_destroy, address globs
planned.py     builtin.required_tags, builtin.allowed_locations, builtin.allowed_vm_sizes
edits.py       a proposal's before/after texts as configuration blocks, and their modules
execution.py   builtin.no_code_execution: provisioners, external programs, scripts
rego.py        user policies through regopy; PolicyError
"""

from __future__ import annotations

from reconciler.errors import PolicyError
from reconciler.policy.guardrails import BUILTIN_RULES
from reconciler.policy.guardrails import evaluate
from reconciler.policy.settings import PolicySettings

__all__ = ["BUILTIN_RULES", "PolicyError", "PolicySettings", "evaluate"]
