"""Redaction by value: every spelling of every secret, nothing shorter than the threshold."""

from __future__ import annotations

import json

from state.redaction import MIN_SECRET
from state.redaction import Redactor
from state.redaction import masked
from state.report import MASK

SECRET = 'pa"ss\\word-${x}'


def test_every_spelling_is_redacted() -> None:
    hcl = SECRET.replace("\\", "\\\\").replace('"', '\\"').replace("${", "$${")
    text = f"raw {SECRET} json {json.dumps(SECRET)} nested {json.dumps(json.dumps(SECRET))} hcl {hcl}"
    out = Redactor([SECRET]).redact(text)
    assert "pa" not in out.replace("(sensitive)", "")
    assert out.count(MASK) == 4


def test_short_values_are_left_alone() -> None:
    assert Redactor(["dev", "x" * (MIN_SECRET - 1)]).redact("dev devops xxxxx") == "dev devops xxxxx"
    assert not Redactor(["dev"])


def test_a_longer_secret_is_replaced_whole() -> None:
    assert Redactor(["secret-1", "secret-1-and-more"]).redact("[secret-1-and-more]") == f"[{MASK}]"


def test_json_values_are_scrubbed_keys_and_numbers_included() -> None:
    r = Redactor(["hunter22", "123456"])
    value = {"a": ["x hunter22 y", 123456, 12, True], "hunter22": None}
    assert r.scrub(value) == {"a": [f"x {MASK} y", MASK, 12, True], MASK: None}


def test_the_repr_shows_no_secret() -> None:
    assert "hunter22" not in repr(Redactor(["hunter22"]))


def test_masked_hides_values_at_paths_and_returns_them() -> None:
    values = {"admin_password": "p", "tags": {"t": "v", "u": "w"}, "os": [{"key": "k"}], "none": None}
    shown, hidden = masked(values, ["admin_password", "tags.t", "os.0.key", "none", "missing.path"])
    assert shown == {
        "admin_password": MASK,
        "tags": {"t": MASK, "u": "w"},
        "os": [{"key": MASK}],
        "none": None,
    }
    assert hidden == {"admin_password": "p", "tags.t": "v", "os.0.key": "k"}
    assert values["admin_password"] == "p"  # a copy
