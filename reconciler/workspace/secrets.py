"""Which values of a run are secrets: credential variables, state's sensitive values, sensitive variables.

:func:`known_secrets` gathers them once per command into one :class:`~state.redaction.Redactor`:

- credential environment variables: ``ARM_CLIENT_SECRET``, ``ARM_ACCESS_KEY``, ``TF_TOKEN_*``, the LLM
  key's variable, and any ``*_SECRET``, ``*_PASSWORD``, ``*_TOKEN``, ``*_KEY`` or ``*_CREDENTIALS``;
- every value at a sensitive path of a state resource: the paths state marks (``sensitive = true``
  variables flowing into an attribute, the provider's sensitive attributes) and those the azurerm schema
  marks (``admin_password``, ``custom_data``), whatever state says;
- sensitive variables: their defaults, their tfvars values and their ``TF_VAR_`` variables.

:func:`sensitive_paths` gives the same paths for one resource, for masking by path (the store, reports).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

from providers.azure.mapping import MAPPINGS
from providers.azure.mapping.schema import Attr
from providers.azure.mapping.schema import Block
from providers.azure.mapping.schema import Item
from reconciler.workspace.config import Configuration
from reconciler.workspace.state import StateResource
from state.redaction import MIN_SECRET
from state.redaction import Redactor
from state.report import MASK

#: Azure's and Terraform's credential variables, besides the name patterns below.
CREDENTIAL_VARIABLES = frozenset(
    {
        "ARM_CLIENT_SECRET",
        "ARM_CLIENT_CERTIFICATE_PASSWORD",
        "ARM_ACCESS_KEY",
        "ARM_SAS_TOKEN",
        "ARM_OIDC_TOKEN",
        "ARM_OIDC_REQUEST_TOKEN",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    }
)
_CREDENTIAL_NAME = re.compile(
    r"^TF_TOKEN_|(?:^|_)(?:SECRET|PASSWORD|PASSWD|TOKEN|KEY|APIKEY|CREDENTIALS?)(?:$|_)"
)


def is_credential_variable(name: str) -> bool:
    """By name; a ``TF_VAR_`` variable is a secret when the variable it sets is sensitive, not by name."""
    if name.upper().startswith("TF_VAR_"):
        return False
    return name in CREDENTIAL_VARIABLES or bool(_CREDENTIAL_NAME.search(name.upper()))


def known_secrets(
    environ: Mapping[str, str],
    *,
    resources: Iterable[StateResource] = (),
    configuration: Configuration | None = None,
    key_variables: Iterable[str] = (),
) -> Redactor:
    """Every secret this run knows of; ``key_variables`` names more credential variables (the LLM key's)."""
    found: set[str] = set()
    extra = set(key_variables)
    for name, value in environ.items():
        if name in extra or is_credential_variable(name):
            found.add(value)
    for resource in resources:
        found.update(resource_secrets(resource))
    if configuration is not None:
        found.update(variable_secrets(configuration, environ))
    return Redactor(found)


def resource_secrets(resource: StateResource) -> Iterator[str]:
    """The values at the resource's sensitive paths (state's and the schema's)."""
    for path in sensitive_paths(resource.type, resource.values, resource.sensitive_paths):
        yield from leaves(value_at(resource.values, path.split(".")))


def variable_secrets(configuration: Configuration, environ: Mapping[str, str]) -> Iterator[str]:
    """Sensitive variables' defaults, tfvars values and ``TF_VAR_`` values."""
    for variable in configuration.variables:
        if not variable.sensitive:
            continue
        yield from leaves(variable.default)
        if not variable.module_path:
            for entry in configuration.tfvars:
                if entry.name == variable.name:
                    yield from leaves(entry.value)
            from_env = environ.get(f"TF_VAR_{variable.name}")
            if from_env:
                yield from_env


def sensitive_paths(tf_type: str, values: Any, marked: Iterable[str] = ()) -> tuple[str, ...]:
    """Dotted paths of the sensitive values of a resource: ``marked`` (state's) and the schema's."""
    paths = set(marked)
    mapping = MAPPINGS.get(tf_type)
    if mapping is not None:
        paths.update(".".join(p) for p in schema_sensitive(mapping.schema, values))
    return tuple(sorted(paths))


def schema_sensitive(
    items: tuple[Item, ...], values: Any, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    """The paths of the schema's sensitive attributes in ``values`` (each element of a nested block)."""
    for i in items:
        if isinstance(i, Block):
            elements = values.get(i.name) if isinstance(values, dict) else None
            for n, element in enumerate(elements if isinstance(elements, list) else ()):
                yield from schema_sensitive(i.items, element, (*prefix, i.name, str(n)))
        elif i.sensitive:
            yield (*prefix, i.name)


def is_sensitive(path: str, tf_type: str, state: StateResource | None) -> bool:
    """Whether dotted ``path`` of a ``tf_type`` resource is secret, by state's marks or by the schema."""
    if state is not None and state.is_sensitive(path):
        return True
    mapping = MAPPINGS.get(tf_type)
    items: tuple[Item, ...] = mapping.schema if mapping is not None else ()
    for step in path.split("."):
        if step.isdigit():
            continue
        item = next((i for i in items if i.name == step), None)
        if isinstance(item, Attr):
            return item.sensitive
        if not isinstance(item, Block):
            return False
        items = item.items
    return False


def value_at(values: Any, path: Iterable[str]) -> Any:
    for step in path:
        if isinstance(values, list) and step.isdigit() and int(step) < len(values):
            values = values[int(step)]
        elif isinstance(values, dict):
            values = values.get(step)
        else:
            return None
    return values


def leaves(value: Any) -> Iterator[str]:
    """Every scalar in ``value`` as text, those long enough to be redacted by value."""
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    elif value is not None and not isinstance(value, bool):
        text = str(value)
        if len(text) >= MIN_SECRET and text != MASK:
            yield text
