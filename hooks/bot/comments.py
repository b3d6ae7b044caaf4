"""Writing to a pull request: Markdown that cloud values cannot subvert, and comments that fit.

Values that come from the cloud or from comments (tags, names, callers, plan output) are untrusted:
they appear in code spans and fenced blocks (no links, HTML or mentions render there) or, as text,
with Markdown punctuation escaped and ``@`` mentions broken by a zero-width space. Plan output goes in a
``<details>`` block under a fence longer than any run of backticks in it.

A forge refuses comments over its limit (GitHub: 65,536 characters), so a long answer is split: the
first comment holds the summary and as much of the output as fits, the next ones the rest, each saying
which part it is. Nothing is ever cut silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hooks.bot.forge import Forge
from reconciler.report import markdown
from reconciler.report.text import visible

# Room for a part's heading, the <details> wrapper and the fence (generous: never computed too small).
_OVERHEAD = 400


def escape(value: str) -> str:
    """Plain text from an untrusted source: Markdown punctuation escaped, on one line, no mentions."""
    return markdown.text(value)


def code(value: str) -> str:
    """An untrusted value as an inline code span."""
    return markdown.code(value)


def fenced(text: str) -> str:
    """``text`` in a fenced block no line of it can close; control characters shown as escapes."""
    lines = [visible(line) for line in text.splitlines()]
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n" + "\n".join(lines) + f"\n{fence}"


def details(summary: str, text: str) -> str:
    # GitHub renders Markdown inside <details> only after a blank line.
    return f"<details><summary>{summary}</summary>\n\n{fenced(text)}\n\n</details>"


def parts(summary: str, title: str, output: str, limit: int) -> list[str]:
    """``summary`` with ``output`` folded under ``title``, as comments of at most ``limit`` characters."""
    output = "\n".join(visible(line) for line in output.splitlines())  # final lengths before measuring
    whole = f"{summary}\n\n{details(title, output)}" if output else summary
    if len(whole) <= limit:
        return [whole]
    budget = limit - _OVERHEAD - 2 * _longest_fence(output)
    first = budget - len(summary)
    chunks = _chunks(output, first if first > budget // 4 else 0, budget)
    n = len(chunks)
    out = [summary if not chunks[0] else f"{summary}\n\n{details(f'{title} (part 1 of {n})', chunks[0])}"]
    out += [details(f"{title} (part {i} of {n})", chunk) for i, chunk in enumerate(chunks[1:], 2)]
    if len(out[0]) > limit:  # a summary too long by itself: its tail goes, said so
        out[0] = out[0][: limit - 80] + "\n\n*(the summary was cut here: it is longer than a comment may be)*"
    return out


def post(forge: Forge, number: int, comments: Sequence[str]) -> None:
    for body in comments:
        forge.comment(number, body)


def _chunks(text: str, first: int, budget: int) -> list[str]:
    """``text`` in pieces by lines: the first at most ``first`` long (0: an empty first piece), the rest
    at most ``budget``; a line longer than a piece is cut into several."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    limit = first
    for line in _lines(text, budget):
        if size + len(line) + 1 > limit and (current or limit == 0):
            pieces.append("\n".join(current))
            current, size, limit = [], 0, budget
        current.append(line)
        size += len(line) + 1
    pieces.append("\n".join(current))
    return pieces


def _lines(text: str, width: int) -> list[str]:
    out = []
    for line in text.splitlines():
        while len(line) > width:
            out.append(line[:width])
            line = line[width:]
        out.append(line)
    return out


def _longest_fence(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)
