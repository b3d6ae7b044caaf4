"""HCL expressions evaluated statically as Terraform would, or left unknown: never a wrong value."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.guard.terms import evaluate
from reconciler.guard.values import Unknown

VALUES: dict[str, dict[str, Any]] = {"var": {"a": 1, "m": {"x": "y"}}, "local": {}}


def _resolve(kind: str, name: str) -> Any:
    return VALUES.get(kind, {}).get(name, Unknown(f"{kind}.{name}"))


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 / 4", 2.5),
        ("-var.a", -1),
        ("var.a > 0 && var.a < 2", True),
        ('var.m["x"]', "y"),
        ("{ a = 1 }.a", 1),
        ('"x${var.a}y"', "x1y"),
        ('"a\\"b"', 'a"b'),
        ('"$${not} interpolated"', "${not} interpolated"),
        ("true ? 1 : azurerm_x.y.z", 1),  # the branch not taken is never evaluated
        ('1 == "1"', False),  # typed equality
        ("1 == 1.0", True),
        ('lookup(var.m, "z", "d")', "d"),
        ('coalesce("", "b")', "b"),
        ("concat([1], [2, 3])", [1, 2, 3]),
        ("tostring(1.0)", "1"),
    ],
)
def test_what_terraform_would_compute(expression: str, value: Any) -> None:
    assert evaluate(expression, _resolve) == value


@pytest.mark.parametrize(
    "expression",
    [
        "var.nope",  # no such value
        'lookup(var.m, "z")',  # Terraform fails the plan
        "azurerm_x.y.z == 1 ? 1 : 2",  # a condition only Terraform knows
        "[for x in [1]: x]",
        "var.m[*]",
        "timestamp()",
        "provider::x::y(1)",
        "1 / 0",
        "upper(1)",
        "var.a +",  # not even HCL
    ],
)
def test_what_only_terraform_knows_is_unknown_with_its_text(expression: str) -> None:
    assert evaluate(expression, _resolve) == Unknown(expression)
