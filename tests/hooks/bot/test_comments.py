"""What the bot writes: cloud values cannot inject Markdown, and long answers are split, summary first."""

from __future__ import annotations

import re

from hooks.bot.comments import code
from hooks.bot.comments import details
from hooks.bot.comments import escape
from hooks.bot.comments import parts


def test_cloud_values_cannot_mention_link_or_inject_html() -> None:
    hostile = "@octo-org/admins see [this](https://evil.example) <img src=x onerror=alert(1)>"
    shown = escape(hostile)
    assert "@octo-org" not in shown.replace("@&#8203;octo-org", "")
    assert "[this](" not in shown and not re.search(r"(?<!\\)<img", shown) and "\\<img" in shown
    assert escape("alice@contoso.com") == "alice@contoso.com"  # an e-mail address mentions nobody
    assert code("a|b`c") == "``a\\|b`c``"


def test_plan_output_cannot_close_its_fence() -> None:
    block = details("Plan", "line\n````\n</details>\n\u202etxt.exe")
    fence = "`````"
    assert block.count(fence) == 2 and block.startswith("<details><summary>Plan</summary>\n\n`````")
    assert "\\u202e" in block and "\u202e" not in block


def test_a_short_answer_is_one_comment() -> None:
    [only] = parts("**Planned**", "Plan output", "+ create\n", 65_536)
    assert only.startswith("**Planned**\n\n<details><summary>Plan output</summary>")


def test_a_200000_character_plan_is_split_summary_first_each_within_the_limit() -> None:
    plan = "\n".join(f"  + resource {n:06d} " + "x" * 80 for n in range(2200))
    assert len(plan) > 200_000
    comments = parts("**Plan: 2200 to add** (summary)", "Plan output", plan, 65_536)
    assert len(comments) == 4 and all(len(c) <= 65_536 for c in comments)
    assert comments[0].startswith("**Plan: 2200 to add** (summary)")
    assert [c.count("(part ") for c in comments] == [1, 1, 1, 1]
    assert "Plan output (part 4 of 4)" in comments[3]
    # Nothing is lost: every line of the plan is in exactly one comment, in order.
    seen = [line for c in comments for line in c.splitlines() if line.startswith("  + resource ")]
    assert seen == plan.splitlines()
