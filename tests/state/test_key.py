"""The key of the store's hashes of secrets: its own file, made once, owner-only, shared by processes."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from state.errors import StoreError
from state.key import PREFIX
from state.key import StoreKey


def test_the_key_file_is_made_on_first_use_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "state.db.key"
    key = StoreKey(path)
    assert not path.exists()  # nothing is made until a secret needs hashing
    digest = key.digest("Pa55word!")
    assert digest.startswith(PREFIX) and len(digest) == len(PREFIX) + 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(bytes.fromhex(path.read_text().strip())) == 32
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.db.key"]


def test_same_value_same_digest_with_one_key_and_another_with_another(tmp_path: Path) -> None:
    one, again, other = (
        StoreKey(tmp_path / "a.key"),
        StoreKey(tmp_path / "a.key"),
        StoreKey(tmp_path / "b.key"),
    )
    assert one.digest({"b": 1, "a": "x"}) == again.digest({"a": "x", "b": 1})
    assert one.digest("Pa55word!") != one.digest("Pa55word?")
    assert one.digest("Pa55word!") != other.digest("Pa55word!")  # keyed: a guess needs the key


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "state.db.key"
    with ThreadPoolExecutor(8) as pool:
        digests = set(pool.map(lambda _: StoreKey(path).digest("x"), range(16)))
    assert len(digests) == 1


def test_a_damaged_key_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db.key"
    path.write_text("not hex")
    with pytest.raises(StoreError, match=r"state\.db\.key: not a store key \(64 hex characters expected\)$"):
        StoreKey(path).digest("x")
