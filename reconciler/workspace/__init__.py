"""A Terraform workspace: its configuration with source spans, and its state.

addresses.py  resource addresses exactly as Terraform writes them (parse, format, instance keys)
syntax.py     what one file says, whatever its syntax: blocks, arguments and their lines
hclfile.py    .tf / .tfvars through python-hcl2
jsonfile.py   .tf.json / .tfvars.json / CDK's cdk.tf.json, with line numbers
config.py     ConfigBlock, Variable, Local, TfvarsEntry, ModuleCall, Configuration
loader.py     load_config: files, local and installed modules, variable files, CDK stacks
state.py      StateSnapshot / StateResource from ``terraform show -json`` or a v4 state file
"""

from __future__ import annotations

from reconciler.workspace.addresses import ModuleStep
from reconciler.workspace.addresses import ResourceAddress
from reconciler.workspace.addresses import format_address
from reconciler.workspace.addresses import parse_address
from reconciler.workspace.config import ConfigBlock
from reconciler.workspace.config import Configuration
from reconciler.workspace.config import Local
from reconciler.workspace.config import ModuleCall
from reconciler.workspace.config import TfvarsEntry
from reconciler.workspace.config import Variable
from reconciler.workspace.config import attribute_path
from reconciler.workspace.loader import load_config
from reconciler.workspace.state import StateResource
from reconciler.workspace.state import StateSnapshot
from reconciler.workspace.state import read_state_file
from reconciler.workspace.state import state_from_document
from reconciler.workspace.state import state_from_show_json
from reconciler.workspace.syntax import Span

__all__ = [
    "ConfigBlock",
    "Configuration",
    "Local",
    "ModuleCall",
    "ModuleStep",
    "ResourceAddress",
    "Span",
    "StateResource",
    "StateSnapshot",
    "TfvarsEntry",
    "Variable",
    "attribute_path",
    "format_address",
    "load_config",
    "parse_address",
    "read_state_file",
    "state_from_document",
    "state_from_show_json",
]
