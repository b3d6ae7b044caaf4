"""What a proposal may change, by strategy: its :class:`Scope`, for the static guardrails' locality check.

- codify: the drifted resource's block and what it reads (:mod:`reconciler.workspace.reads`): the
  variables, locals and tfvars entries of its expressions, the module call arguments setting them;
- import: ``import`` blocks to the imported address and that resource's new block;
- accept: the deleted resource's block, replaced by a ``removed`` block;
- revert: nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from reconciler.workspace.config import Configuration
from reconciler.workspace.reads import reads


class Scope(NamedTuple):
    """What a proposal's strategy may change: ``(file, kind, name)`` of blocks, locals and tfvars entries."""

    strategy: str
    address: str  # the drifted resource (codify, accept) or the imported one (import)
    regions: frozenset[tuple[str, str, str]]

    @classmethod
    def of(cls, configuration: Configuration, strategy: str, address: str) -> Scope:
        regions = _regions(configuration, address) if strategy in ("codify", "accept") else set()
        return cls(strategy, address, frozenset(regions))

    def allows(self, file: str, kind: str, name: str) -> bool:
        return (file, kind, name) in self.regions

    def outside(self) -> str:
        """Why an edit outside the scope is refused."""
        if self.strategy == "codify":
            return (
                f"a codify proposal changes only {self.address}'s block and the variables, locals, tfvars "
                "entries and module arguments it reads"
            )
        if self.strategy == "import":
            return f"an import proposal adds only import blocks and the block of {self.address}"
        if self.strategy == "accept":
            return f"an accept proposal only replaces {self.address}'s block by a removed block"
        return "a revert changes no code"


def _regions(configuration: Configuration, address: str) -> set[tuple[str, str, str]]:
    """The drifted block and what it reads, as ``(file, kind, name)``; names as they are written in
    their file (``azurerm_x.y``, a module call's own name)."""
    texts: dict[str, list[str]] = {}

    def lines(file: str, a: int, b: int) -> str:
        if file not in texts:
            path = configuration.root / file
            texts[file] = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        return "".join(texts[file][a - 1 : b])

    found = set()
    for r in reads(configuration, address, lines) if address else ():
        if r.kind == "module":
            found.add((r.file, "module", r.name.rsplit(".", 1)[-1]))
        elif r.kind in ("managed", "data"):
            found.add((r.file, r.kind, ".".join(r.name.rsplit(".", 2)[-2:])))
        else:
            found.add((r.file, r.kind, r.name))
    return found
