"""Deterministic proposals: minimal edits of the configuration's source text.

codify.py   make the configuration describe a changed resource's live values
deleted.py  accept a resource deleted out of band: a ``removed {}`` block where its block was
imports.py  import an unmanaged resource: an ``import {}`` block and cleaned generated configuration
body.py     edits inside one block body (arguments, nested blocks)
maps.py     edits of a map argument: its literal entries, or merge() on a reader of a shared map
instances.py  one instance of a count / for_each resource: conditionals, dynamic blocks
each.py     one for_each instance: its own entry of the literal map it iterates
sources.py  where a value is written: through ``var.x``, ``local.y``, tfvars and module arguments
text.py     where things are in HCL source text (a scanner, not a parser)
values.py   HCL literals: read one, write one in the style of what it replaces
patch.py    replacements gathered per file; :class:`Decline` when rules cannot do it safely

Every function returns whole-file :class:`~state.proposal.FileEdit`\\ s (untouched bytes are
kept exactly) or a :class:`Decline` with the reason, for the LLM to take over.
"""

from __future__ import annotations

from reconciler.propose.edits.codify import codify
from reconciler.propose.edits.deleted import accept_deleted
from reconciler.propose.edits.imports import import_block
from reconciler.propose.edits.imports import import_unmanaged
from reconciler.propose.edits.imports import resource_name
from reconciler.propose.edits.patch import Decline

__all__ = ["Decline", "accept_deleted", "codify", "import_block", "import_unmanaged", "resource_name"]
