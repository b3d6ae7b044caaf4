from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reconciler.errors import DiagnosticsError
from reconciler.errors import TerraformError
from reconciler.terraform.engine import BinaryEngine
from reconciler.terraform.engine import EmbeddedEngine
from reconciler.terraform.engine import Engine
from reconciler.terraform.terraform import Terraform
from reconciler.terraform.terraform import check_format_version

MAIN_TF = """\
variable "greeting" {
  default = "hello"
}

resource "terraform_data" "note" {
  input = var.greeting
}

output "note" {
  value = terraform_data.note.output
}
"""


@pytest.fixture
def tf() -> Iterator[Terraform]:
    with Terraform(EmbeddedEngine()) as terraform:
        yield terraform


def _project(path: Path, source: str = MAIN_TF) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "main.tf").write_text(source)
    return path


def test_version_is_the_embedded_terraform(tf: Terraform) -> None:
    major, minor, _ = tf.version().split(".")
    assert (major, minor) == ("1", "15")


@pytest.mark.parametrize("session", [False, True], ids=["a-process-each", "one-session"])
def test_plan_apply_plan_cycle(tf: Terraform, tmp_path: Path, session: bool) -> None:
    project = _project(tmp_path / "proj")
    with tf.session(project) if session else contextlib.nullcontext():
        _cycle(tf, project)


def _cycle(tf: Terraform, project: Path) -> None:
    tf.init(project)

    first = tf.plan(project, out=Path("changes.tfplan"))
    assert first.changed
    assert first.summary.add == 1
    assert first.planfile == project / "changes.tfplan"
    assert first.planfile.is_file()
    plan = tf.show_plan_json(first.planfile)
    assert [(c["address"], c["change"]["actions"]) for c in plan["resource_changes"]] == [
        ("terraform_data.note", ["create"])
    ]

    applied = tf.apply(project, first.planfile)
    assert applied.summary.add == 1

    assert not tf.plan(project).changed
    state = tf.show_state_json(project)
    [resource] = state["values"]["root_module"]["resources"]
    assert resource["address"] == "terraform_data.note"
    assert resource["values"]["output"] == "hello"
    assert state["values"]["outputs"]["note"]["value"] == "hello"

    assert tf.destroy(project).summary.remove == 1
    assert "values" not in tf.show_state_json(project)


def test_a_command_from_another_thread_runs_beside_a_busy_session(tf: Terraform, tmp_path: Path) -> None:
    project = _project(tmp_path / "proj")
    tf.init(project)
    greetings = ["hello", "bonjour", "hola", "ciao"]

    def planned_input(greeting: str) -> str:
        out = Path(f"{greeting}.tfplan")
        planned = tf.plan(project, out=out, extra_args=["-lock=false", f"-var=greeting={greeting}"])
        assert planned.planfile is not None
        [change] = tf.show_plan_json(planned.planfile, project)["resource_changes"]
        return str(change["change"]["after"]["input"])

    # Each thread gets the answer to its own question, whether the session's Terraform ran it or not.
    with tf.session(project), ThreadPoolExecutor(len(greetings)) as pool:
        assert list(pool.map(planned_input, greetings * 2)) == greetings * 2


def test_apply_without_a_plan_and_extra_args(tf: Terraform, tmp_path: Path) -> None:
    project = _project(tmp_path / "proj")
    tf.init(project)
    tf.apply(project, extra_args=["-var=greeting=bonjour"])
    assert tf.show_state_json(project)["values"]["outputs"]["note"]["value"] == "bonjour"
    # The config still says "hello": an ordinary plan would change it back, refresh-only sees nothing.
    assert tf.plan(project).changed
    assert not tf.plan(project, refresh_only=True, extra_args=["-var=greeting=bonjour"]).changed


def test_syntax_error_names_file_and_line(tf: Terraform, tmp_path: Path) -> None:
    project = _project(tmp_path / "proj", 'resource "terraform_data" "a" {\n  input = \n}\n')
    with pytest.raises(DiagnosticsError) as info:
        tf.init(project)
    first_line = info.value.message.splitlines()[0]
    assert first_line.startswith("main.tf:2: Invalid expression: Expected the start of an expression")
    with pytest.raises(DiagnosticsError, match=r"^main\.tf:2: Invalid expression"):
        tf.plan(project)


def test_unknown_argument_names_file_and_line(tf: Terraform, tmp_path: Path) -> None:
    project = _project(tmp_path / "proj", 'resource "terraform_data" "a" {\n  input = 1\n\n  bogus = 2\n}\n')
    [diagnostic] = tf.validate(project)
    assert diagnostic.is_error
    assert (
        diagnostic.format()
        == 'main.tf:4: Unsupported argument: An argument named "bogus" is not expected here.'
    )
    tf.init(project)  # init does not evaluate resource arguments
    with pytest.raises(DiagnosticsError) as info:
        tf.plan(project)
    assert info.value.message == diagnostic.format()


def test_valid_configuration_validates_clean(tf: Terraform, tmp_path: Path) -> None:
    assert tf.validate(_project(tmp_path / "proj")) == []


def test_failure_without_diagnostics_says_what_failed(tf: Terraform, tmp_path: Path) -> None:
    with pytest.raises(TerraformError) as info:
        tf.show_plan_json(tmp_path / "missing.tfplan")
    assert info.value.message.startswith(
        f"embedded show failed in {tmp_path} (exit 1): Error: Failed to read"
    )
    assert "missing.tfplan: no such file or directory" in info.value.message


def test_fmt_rewrites_only_the_files_named(tf: Terraform, tmp_path: Path) -> None:
    messy = 'variable "a" {\n  default = 1\n  type = number\n}\n'
    project = _project(tmp_path / "proj", messy)
    (project / "other.tf").write_text(messy)
    (project / "values.tfvars").write_text("a = 1\nbbb = 2\n")
    tf.fmt(project, [Path("main.tf"), Path("values.tfvars")])
    assert (project / "main.tf").read_text() == messy.replace("type = number", "type    = number")
    assert (project / "values.tfvars").read_text() == "a   = 1\nbbb = 2\n"
    assert (project / "other.tf").read_text() == messy
    (project / "main.tf").write_text('variable "a" {\n  default =\n}\n')
    with pytest.raises(TerraformError, match=r"fmt failed in .*Error: Invalid expression"):
        tf.fmt(project, [Path("main.tf")])


def test_missing_cli_config_file_is_replaced_by_ours(tmp_path: Path) -> None:
    base = {**os.environ, "TF_CLI_CONFIG_FILE": str(tmp_path / "nowhere.rc")}
    with Terraform(EmbeddedEngine(), base_env=base) as tf:
        result = tf.run(["version"], tmp_path)
        used = Path(tf.environ()["TF_CLI_CONFIG_FILE"])
        assert used.is_file()
    assert result.rc == 0
    # Terraform would warn "Unable to open CLI configuration file" on every command.
    assert result.stderr == ""
    assert not used.exists(), "close() removes the CLI config it wrote"


def test_extra_env_reaches_terraform_per_call(tmp_path: Path) -> None:
    project = _project(tmp_path / "proj", 'variable "who" {}\noutput "who" { value = var.who }\n')
    with Terraform(EmbeddedEngine(), env={"TF_VAR_who": "alice"}) as alice:
        alice.apply(project)
        assert alice.show_state_json(project)["values"]["outputs"]["who"]["value"] == "alice"
    assert "TF_VAR_who" not in os.environ


def test_unsupported_format_version_is_refused() -> None:
    check_format_version({"format_version": "1.2"}, "show -json")
    with pytest.raises(TerraformError, match=r"show -json: unsupported format_version '2\.0'"):
        check_format_version({"format_version": "2.0"}, "show -json")


TERRAFORM_BINARY = Path("/usr/local/bin/terraform")


@pytest.mark.skipif(not TERRAFORM_BINARY.is_file(), reason=f"no Terraform binary at {TERRAFORM_BINARY}")
def test_binary_engine_runs_the_same_verbs(tmp_path: Path) -> None:
    engine: Engine = BinaryEngine(TERRAFORM_BINARY)
    project = _project(tmp_path / "proj")
    with Terraform(engine) as tf:
        assert tf.version()[0] == "1"
        tf.init(project)
        assert tf.plan(project).changed
        tf.apply(project)
        assert not tf.plan(project).changed
        [diagnostic] = tf.validate(_project(tmp_path / "bad", 'output "x" {\n  value = \n}\n'))
    assert diagnostic.format().startswith("main.tf:2: Invalid expression")
