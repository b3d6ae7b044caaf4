"""Migration 3: values that earlier versions stored in cleartext, taken out of existing databases.

Before it, a snapshot kept every value of state and of the live read, secrets included (an
``admin_password``, a tag set from a sensitive variable), and which of them were sensitive was not
recorded with them. So every string and number of a snapshot written before it is masked: only the
shape (which attributes and blocks a resource had) stays; the drift history (``drifts``, which was masked
by path when it was found) is untouched. Proposals quoted files around each edit and Terraform's
messages in their attempts; they are deleted (``reconcile propose`` makes them again from the scan).

The store rewrites the file after this migration (see :attr:`state.schema.Migration.compact`), so
nothing of the old values survives in free pages or in the write-ahead log.
"""

from __future__ import annotations

import json
from typing import Any

from state.report import MASK

_BATCH = 500


def scrub_snapshots(conn: Any) -> None:
    """Mask every string and number of every snapshot (``conn``: a DB-API connection, ``?`` style)."""
    reader, writer = conn.cursor(), conn.cursor()
    reader.execute("SELECT scan_id, seq, config, state, live FROM snapshots")
    while rows := reader.fetchmany(_BATCH):
        for scan_id, seq, *views in rows:
            scrubbed = [None if v is None else json.dumps(_masked(json.loads(v))) for v in views]
            writer.execute(
                "UPDATE snapshots SET config = ?, state = ?, live = ? WHERE scan_id = ? AND seq = ?",
                (*scrubbed, scan_id, seq),
            )


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if value is None or isinstance(value, bool):
        return value
    return MASK
