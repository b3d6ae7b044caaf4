"""The store's key for keyed hashes of secrets, kept in a file of its own, never in the database.

A snapshot keeps a sensitive value masked, plus ``hmac-sha256:<hex>`` of it, so that a later scan can
tell that a secret changed without anyone keeping the secret. A plain hash would not do: a password is
short enough to guess, and anyone holding the database could test guesses against an unkeyed hash. With
the key elsewhere the database alone (a backup, a CI artifact, a file attached to a bug report) gives
nothing away. What it costs: whoever holds both files can still test guesses, so keep them apart
(``store.key_file`` outside the workspace) where the database travels; and a lost key only means that
the hashes of earlier scans no longer compare (a new key is made; no secret is lost).

The file holds 64 hex characters, is created with mode 0600 and linked into place (two processes
starting together agree on one key), and is read once per store.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from state.errors import StoreError

PREFIX = "hmac-sha256:"
_KEY_BYTES = 32


class StoreKey:
    """The key in ``path``, created on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: bytes | None = None

    def __repr__(self) -> str:
        return f"StoreKey({self.path})"

    def digest(self, value: Any) -> str:
        """The keyed hash of a JSON-like value (same value, same digest, whatever its key order)."""
        data = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        return PREFIX + hmac.new(self._load(), data, hashlib.sha256).hexdigest()

    def _load(self) -> bytes:
        if self._key is None:
            self._key = self._read() or self._create()
        return self._key

    def _read(self) -> bytes | None:
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as e:
            raise StoreError.at(self.path, f"cannot read the store's key: {e}") from e
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) != _KEY_BYTES:
            raise StoreError.at(self.path, f"not a store key ({_KEY_BYTES * 2} hex characters expected)")
        return key

    def _create(self) -> bytes:
        """Written next door and linked into place: nobody ever reads a half-written key."""
        key = secrets.token_bytes(_KEY_BYTES)
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.new")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(key.hex() + "\n")
            os.link(tmp, self.path)  # unlike rename, never replaces a key another process made
        except FileExistsError:
            found = self._read()  # theirs
            if found is None:
                raise StoreError.at(self.path, "the store's key vanished while it was being made") from None
            return found
        except OSError as e:
            raise StoreError.at(self.path, f"cannot create the store's key: {e.strerror or e}") from e
        finally:
            tmp.unlink(missing_ok=True)
        return key
