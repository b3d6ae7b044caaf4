"""Judge a proposal: its validating plan and its edits against the built-in rules and the user's Rego.

=============================  ================================================================
rule                           refuses
=============================  ================================================================
builtin.no_destroy_protected   a delete or replace of a resource tagged protected, under
                               ``prevent_destroy``, or matched by ``policy.protected``
builtin.required_tags          a created, updated or codified taggable resource lacking a tag
builtin.allowed_locations      such a resource outside ``policy.allowed_locations``
builtin.allowed_vm_sizes       such a virtual machine with a size outside ``policy.allowed_vm_sizes``
builtin.no_code_execution      an edit adding a provisioner, an external program or a script
builtin.no_inline_managed_     an edit writing inline (a subnet, an NSG rule, a route) what a
children                       resource of its own manages
<package>.deny                 whatever a user policy's ``deny`` says
=============================  ================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reconciler.policy import children
from reconciler.policy import execution
from reconciler.policy import planned
from reconciler.policy import protection
from reconciler.policy import rego
from reconciler.policy.edits import Modules
from reconciler.policy.plan import changes
from reconciler.policy.settings import PolicySettings
from reconciler.policy.settings import resolve_paths
from reconciler.workspace.loader import load_config
from state.proposal import FileEdit
from state.proposal import Violation

BUILTIN_RULES = (
    protection.RULE,
    planned.REQUIRED_TAGS,
    planned.ALLOWED_LOCATIONS,
    planned.ALLOWED_VM_SIZES,
    execution.RULE,
    children.RULE,
)


def evaluate(
    plan: Mapping[str, Any], edits: Sequence[FileEdit], settings: PolicySettings, root: Path
) -> list[Violation]:
    """Every violation of ``plan`` (``show -json`` of the saved validating plan) and ``edits``.

    ``root`` is the workspace as the proposal found it: its ``lifecycle`` blocks protect resources and
    its ``policy/`` directory is the default home of user policies. Built-in violations come first, in
    the order of :data:`BUILTIN_RULES`, then the user's by package. Raises
    :class:`~reconciler.policy.rego.PolicyError` for a user policy that cannot be loaded or evaluated,
    :class:`~reconciler.errors.WorkspaceError` for an unreadable workspace.
    """
    planned_changes = changes(plan)
    workspace = load_config(root)
    modules = Modules(workspace)
    found = protection.check(planned_changes, settings.protected, protection.Guards(workspace, edits))
    found += planned.required_tags(planned_changes, settings.required_tags)
    found += planned.allowed_locations(planned_changes, settings.allowed_locations)
    found += planned.allowed_vm_sizes(planned_changes, settings.allowed_vm_sizes)
    found += execution.check(edits, modules)
    found += children.check(planned_changes, edits, modules)
    files = rego.policy_files(resolve_paths(settings, root))
    found += rego.evaluate(files, plan, root)
    return found
