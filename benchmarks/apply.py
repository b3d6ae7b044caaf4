"""Wall time of applying one codified drift with ``reconcile apply`` against a plain ``terraform apply``.

Each run builds two identical estates of ``examples/azure-vm`` (24 resources) on a sandbox served from
this process, grows the data disk out of band in both, and codifies it:

- reconcile: ``reconcile drift`` and ``reconcile propose`` (not timed), then ``reconcile apply
  --proposal ID --yes`` timed: lock, git checks, the edit and its commit, a state backup, a saved plan
  checked against the validated intent and policy, the apply, and the verification (a live rescan and a
  second plan);
- plain: the same edit made by hand (``git apply`` of the proposal's diff, not timed), then ``terraform
  apply -auto-approve`` timed: one fresh embedded Terraform process, as a person runs it. (reconcile runs
  its commands in one Terraform process of its own: ``Terraform.session``.)

Target: reconcile at most 2x plain.

    .venv/bin/python benchmarks/apply.py [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from reconciler import scenario
from reconciler.cli import main as reconcile
from sandbox.az import Az
from sandbox.az import endpoint_for

TARGET_RATIO = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description="reconcile apply vs terraform apply of one codified drift")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ours: list[float] = []
    plain: list[float] = []
    for _ in range(args.runs):
        ours.append(run(reconciled=True))
        plain.append(run(reconciled=False))
    ratio = statistics.median(ours) / statistics.median(plain)
    print(f"examples/azure-vm (24 resources), one codified drift (data disk 32 → 64 GB), {args.runs} run(s)")
    print(f"{'run':<42} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, values in (
        ("reconcile apply --proposal ID --yes", ours),
        ("terraform apply -auto-approve", plain),
    ):
        print(f"{name:<42} {statistics.median(values):>9.2f} {min(values):>7.2f} {max(values):>7.2f}")
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"ratio {ratio:.2f}x (target at most {TARGET_RATIO:.0f}x: {verdict})")


def run(*, reconciled: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp, scenario.estate(Path(tmp)) as e:
        ws = e.workspace
        e.tf.init(ws)
        e.tf.apply(ws)
        _git(ws, "init", "-q", "-b", "main")
        (ws / ".gitignore").write_text(".terraform*\n*.tfstate*\n")
        _git(ws, "add", "-A")
        _git(ws, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", "vm")
        alice = Az(endpoint_for(e.sandbox.url, e.subscription, "alice@contoso.com", "portal"))
        alice.disk_update("demo-rg", "demo-web-0-data", 64)
        env = {**os.environ, **scenario.terraform_env(e.sandbox), "GIT_AUTHOR_NAME": "bench",
               "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "bench",
               "GIT_COMMITTER_EMAIL": "bench@example.com"}  # fmt: skip
        with (
            _environ(env),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            reconcile(["drift", str(ws), "--format", "json", "--output", str(ws.parent / "d.json")])
            reconcile(
                ["propose", str(ws), "--no-llm", "--format", "json", "--output", str(ws.parent / "p.json")]
            )
            proposals = json.loads((ws.parent / "p.json").read_text())["proposals"]
            [disk] = [p for p in proposals if p["address"] == "azurerm_managed_disk.data" and p["valid"]]
            started = time.perf_counter()
            if reconciled:
                code = reconcile(["apply", str(ws), "--proposal", disk["proposal_id"], "--yes"])
                if code != 0:
                    raise SystemExit(f"reconcile apply exited {code}")
                return time.perf_counter() - started
            patch = ws.parent / "disk.patch"
            patch.write_text(disk["diff"])
            _git(ws, "apply", str(patch))
            started = time.perf_counter()
            e.tf.apply(ws)
            return time.perf_counter() - started


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@contextlib.contextmanager
def _environ(env: dict[str, str]):  # type: ignore[no-untyped-def]
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


if __name__ == "__main__":
    main()
