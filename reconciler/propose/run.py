"""Everything ``reconcile propose`` does: pick the scan, refuse a stale one, make and validate proposals.

Per drift item: the deterministic rules first; when they decline and an LLM is configured, the LLM,
with each failed validation fed back, for a bounded number of attempts. Nothing is shown as a valid
proposal unless real Terraform and the policies accepted it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import Literal
from typing import NamedTuple

from reconciler.config import Config
from reconciler.config import load_config
from reconciler.drift.run import DriftOptions
from reconciler.drift.run import run_drift
from reconciler.drift.run import state_snapshot
from reconciler.errors import LlmError
from reconciler.errors import ReconcileError
from reconciler.errors import StaleScanError
from reconciler.policy import PolicySettings
from reconciler.policy import evaluate
from reconciler.propose import edits as rules
from reconciler.propose.advisories import advisories
from reconciler.propose.llm import LlmProposer
from reconciler.propose.llm import LlmSettings
from reconciler.propose.llm import task_for
from reconciler.propose.validate import Intent
from reconciler.propose.validate import Outcome
from reconciler.propose.validate import PolicyCheck
from reconciler.propose.validate import baseline
from reconciler.propose.validate import validate
from reconciler.terraform import Terraform
from reconciler.terraform import engine_from_config
from reconciler.terraform.sealed import sealed_environ
from reconciler.workspace import Configuration
from reconciler.workspace import StateSnapshot
from reconciler.workspace import load_config as load_workspace
from reconciler.workspace.secrets import known_secrets
from state.proposal import Attempt
from state.proposal import FileEdit
from state.proposal import Origin
from state.proposal import Proposal
from state.proposal import Step
from state.proposal import Strategy
from state.proposal import to_json
from state.redaction import Redactor
from state.report import Drift
from state.report import ScanReport
from state.sqlite import SqliteStore

Choice = Literal["codify", "revert", "auto"]


class ProposeOptions(NamedTuple):
    directory: Path
    strategy: Choice = "auto"
    scan_id: str | None = None
    llm: bool = True
    environ: Mapping[str, str] | None = None


class ProposalSet(NamedTuple):
    scan: ScanReport
    proposals: tuple[Proposal, ...]
    #: every secret this run knew of; reports are redacted with it (the edits themselves are not, so that
    #: ``--patch`` applies to the real files)
    redactor: Redactor = Redactor()


def run_propose(options: ProposeOptions) -> ProposalSet:
    root = options.directory.resolve()
    environ = dict(os.environ if options.environ is None else options.environ)
    settings = load_config(root, env=environ)
    store_path = settings.store_path(root)
    scan: ScanReport | None = None
    scanned_serial: int | None = None
    if store_path.exists():
        with SqliteStore(store_path) as store:
            scan = store.report(options.scan_id) if options.scan_id else store.latest(str(root))
            if options.scan_id and scan is None:
                raise ReconcileError(f"{store_path}: no scan {options.scan_id!r}")
            if scan is not None:
                scanned_serial, _ = store.scan_state(scan.scan_id)
    elif options.scan_id:
        raise ReconcileError(f"{store_path}: no scans yet; run 'reconcile drift' first")
    state = state_snapshot(settings, root, None, environ)
    if scan is None:
        scan = run_drift(DriftOptions(directory=root, environ=environ))
        scanned_serial = state.serial
    if scanned_serial is not None and state.serial is not None and scanned_serial != state.serial:
        raise StaleScanError(
            f"scan {scan.scan_id} is stale: the state's serial is {state.serial} now, the scan saw "
            f"{scanned_serial}; run 'reconcile drift' again"
        )
    configuration = load_workspace(root)
    key_variable = settings.get_str("llm.api_key_env")
    redactor = known_secrets(
        environ, resources=state.resources, configuration=configuration, key_variables=(key_variable,)
    )
    # Validation runs Terraform on untrusted edits: it sees only what it needs (never the LLM's key).
    sealed = sealed_environ(environ, drop=(key_variable,))
    with Terraform(engine_from_config(settings), base_env=sealed) as tf:
        policy, llm = _policy(settings, root), _llm(settings, options.llm)
        maker = _Maker(root, configuration, state, tf, policy, llm, redactor)
        proposals = tuple(p for d in scan.drifts if (p := maker.make(scan, d, options.strategy)) is not None)
    with SqliteStore(store_path, redactor=redactor) as store:
        store.save_proposals(scan.scan_id, [to_json(p) for p in proposals])
    return ProposalSet(scan, proposals, redactor)


class _Maker:
    def __init__(
        self,
        root: Path,
        configuration: Configuration,
        state: StateSnapshot,
        tf: Terraform,
        policy: PolicyCheck | None,
        llm: Any,
        redactor: Redactor,
    ) -> None:
        self.root = root
        self.redactor = redactor
        self.configuration = configuration
        self.values = {r.address: r for r in state.resources}
        self.managed = {
            r.address: {k: v for k, v in r.values.items() if not r.is_sensitive(k)} for r in state.managed
        }
        self.tf = tf
        self.policy = policy
        self.llm = llm
        self.paths: frozenset[str] = frozenset()
        self.baseline = baseline(root, tf)

    def make(self, scan: ScanReport, drift: Drift, choice: Choice) -> Proposal | None:
        strategy = _strategy(drift, choice)
        if strategy is None:
            return None
        scan_id = scan.scan_id
        self.paths = frozenset(c.attribute for c in drift.changes)
        attempts: list[Attempt] = []
        edits: tuple[FileEdit, ...] = ()
        outcome: Outcome | None = None
        explanation = ""
        address = drift.address or ""
        produced = self._rules(drift, strategy)
        if isinstance(produced, str):
            explanation = f"The rules declined: {produced}."
            attempts.append(Attempt("rules", (Step("apply", False, produced),)))
            if self.llm is not None and strategy == "codify":
                edits, outcome, llm_attempts, explanation = self._ask_llm(drift, produced)
                attempts += llm_attempts
        else:
            edits, address = produced
            intent = Intent(strategy, address, self.paths)
            outcome = self._validate(edits, intent, "rules")
            attempts.append(outcome.attempt)
            edits = outcome.edits or edits
            explanation = _explain(drift, strategy, edits)
        if outcome is not None and outcome.formatting:
            explanation += " " + " ".join(f"{note}." for note in outcome.formatting)
        will_change_cloud = strategy == "revert"
        notes = advisories(
            drift, outcome.replacements if outcome else {}, self.configuration, will_change_cloud
        )
        return Proposal(
            proposal_id=_proposal_id(scan_id, drift, strategy),
            scan_id=scan_id,
            address=drift.address,
            resource_id=drift.resource_id,
            drift_kind=drift.kind,
            strategy=strategy,
            edits=edits,
            explanation=explanation,
            advisories=notes,
            attempts=tuple(attempts),
            violations=outcome.violations if outcome else (),
            plan=outcome.plan if outcome else None,
        )

    def _validate(self, edits: Sequence[FileEdit], intent: Intent, origin: Origin) -> Outcome:
        return validate(
            self.root,
            edits,
            intent,
            self.tf,
            origin,
            self.policy,
            self.baseline,
            configuration=self.configuration,
            redactor=self.redactor,
        )

    def _rules(self, drift: Drift, strategy: Strategy) -> tuple[tuple[FileEdit, ...], str] | str:
        """The deterministic edits and the address the plan is checked at, or why the rules decline."""

        if strategy == "revert":
            return (), drift.address or ""
        if strategy == "accept":
            accepted = rules.accept_deleted(self.configuration, drift)
            if isinstance(accepted, rules.Decline):
                return accepted.reason
            return tuple(accepted), drift.address or ""
        if strategy == "import":
            return self._import(drift)
        resource = self.values.get(drift.address or "")
        result = rules.codify(self.configuration, drift, resource.values if resource else {})
        if isinstance(result, rules.Decline):
            return result.reason
        return tuple(result), drift.address or ""

    def _import(self, drift: Drift) -> tuple[tuple[FileEdit, ...], str] | str:
        """An import block, the configuration Terraform generates for it, cleaned up."""

        name = rules.resource_name(self.configuration, drift)
        address = f"{drift.type}.{name}"
        with tempfile.TemporaryDirectory(prefix="reconcile-import-") as tmp:
            copy = Path(tmp) / "ws"
            shutil.copytree(
                self.root, copy, ignore=shutil.ignore_patterns(".reconcile", ".git"), symlinks=True
            )
            (copy / "reconcile_import.tf").write_text(rules.import_block(address, drift.resource_id))
            result = self.tf.run(
                ["plan", "-input=false", "-lock=false", "-no-color", "-generate-config-out=generated.tf"],
                copy,
            )
            generated = copy / "generated.tf"
            if not generated.exists():
                detail = (result.stderr or result.stdout).strip().splitlines()
                return f"terraform could not generate configuration: {detail[-1] if detail else 'no output'}"
            text = generated.read_text()
        edits = rules.import_unmanaged(self.configuration, drift, text, self.managed, self.root)
        if isinstance(edits, rules.Decline):
            return edits.reason
        return tuple(edits), address

    def _ask_llm(
        self, drift: Drift, declined: str
    ) -> tuple[tuple[FileEdit, ...], Outcome | None, list[Attempt], str]:
        state = self.values.get(drift.address or "")
        task = task_for(self.root, self.configuration, drift, state, declined, self.redactor.secrets)
        attempts: list[Attempt] = []
        outcome: Outcome | None = None
        edits: tuple[FileEdit, ...] = ()
        explanation = ""

        for _ in range(self.llm.settings.max_attempts):
            try:
                answer = self.llm.propose(task)
            except LlmError as e:
                # The endpoint failed (refused key, timeout): this drift gets no LLM proposal, the rest go on.
                attempts.append(Attempt("llm", (Step("apply", False, e.message),)))
                break
            if answer.strategy == "decline":
                attempts.append(
                    Attempt("llm", (Step("apply", False, f"the LLM declined: {answer.explanation}"),))
                )
                break
            if answer.rejection:
                attempts.append(Attempt("llm", (Step("apply", False, answer.rejection),)))
                task = task.with_feedback(answer, answer.rejection)
                continue
            edits, explanation = tuple(answer.edits), answer.explanation
            outcome = self._validate(edits, Intent("codify", drift.address or "", self.paths), "llm")
            attempts.append(outcome.attempt)
            edits = outcome.edits or edits
            if outcome.attempt.ok and not outcome.violations:
                break
            failed = next((s for s in outcome.attempt.steps if not s.ok), None)
            task = task.with_feedback(answer, failed.detail if failed else "the policies refused it")
        return edits, outcome, attempts, explanation or "The LLM did not produce a valid proposal."


def _strategy(drift: Drift, choice: Choice) -> Strategy | None:
    if drift.kind == "unknown":
        return None
    if drift.kind == "changed":
        return "revert" if choice == "revert" else "codify"
    if drift.kind == "deleted":
        return "accept" if choice == "codify" else "revert"
    return "import" if choice != "revert" else None  # deleting an unmanaged resource is not Terraform's job


def _explain(drift: Drift, strategy: Strategy, edits: Sequence[FileEdit]) -> str:
    who = ""
    if drift.attribution:
        a = drift.attribution
        who = f" made by {a.caller} via {a.modality}"
    changes = ", ".join(_change(c.path, c.state, c.live) for c in drift.changes)
    files = ", ".join(sorted({e.path for e in edits}))
    if strategy == "codify":
        return f"Codify the change{who} ({changes}) in {files}; the plan then shows no change."
    if strategy == "revert":
        if drift.kind == "deleted":
            return f"Re-create {drift.address}, deleted out of band{who}: no code change; apply the plan."
        return f"Revert the change{who} ({changes}): no code change; applying the plan restores the code."
    if strategy == "accept":
        return (
            f"Accept that {drift.address} was deleted{who}: remove its block; Terraform forgets it ({files})."
        )
    return (
        f"Bring the unmanaged {drift.type} {drift.resource_id}{who} under Terraform: an import block and "
        f"its configuration in {files}."
    )


def _change(path: str, state: Any, live: Any) -> str:
    """``size: B1s → B2s``; a list or block is named, not printed (the diff shows it)."""
    if isinstance(state, list | dict) or isinstance(live, list | dict):
        return f"{path} changed"
    return f"{path}: {_show(state)} → {_show(live)}"


def _show(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else value


def _proposal_id(scan_id: str, drift: Drift, strategy: str) -> str:
    key = f"{scan_id}|{drift.address or drift.resource_id}|{strategy}".encode()
    return "p-" + hashlib.sha256(key).hexdigest()[:12]


def _policy(settings: Config, root: Path) -> PolicyCheck | None:
    policy_settings = PolicySettings.from_config(settings)

    def check(plan: dict[str, Any], edits: Sequence[FileEdit], workspace: Path) -> list[Any]:
        return evaluate(plan, edits, policy_settings, root)

    return check


def _llm(settings: Config, enabled: bool) -> Any:
    if not enabled:
        return None

    llm_settings = LlmSettings.from_config(settings)
    return LlmProposer(llm_settings) if llm_settings else None


__all__ = ["ProposalSet", "ProposeOptions", "StaleScanError", "run_propose"]
