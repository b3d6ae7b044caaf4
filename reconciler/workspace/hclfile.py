"""HCL native syntax (``.tf``, ``.tfvars``) through python-hcl2.

python-hcl2 8.x gives values with their quotes (``'"azurerm_x"'``) unless asked to strip them, and line
numbers only on its rule tree (``_meta``), not in ``loads`` output; so one parse feeds both: the tree's
top-level blocks and attributes give spans, and each body is serialized on its own with quotes stripped.
Heredocs are read from the source text: python-hcl2 drops their final newline and, inside a function
call, their delimiters.
"""

from __future__ import annotations

import re
from typing import Any

import hcl2
from hcl2.query.body import DocumentView
from lark.exceptions import LarkError
from lark.exceptions import UnexpectedCharacters
from lark.exceptions import UnexpectedEOF
from lark.exceptions import UnexpectedToken

from reconciler.errors import WorkspaceError
from reconciler.workspace.syntax import Lines
from reconciler.workspace.syntax import ParsedFile
from reconciler.workspace.syntax import RawAttribute
from reconciler.workspace.syntax import RawBlock
from reconciler.workspace.syntax import Span

_OPTIONS = hcl2.SerializationOptions(
    with_comments=False,
    explicit_blocks=False,
    preserve_heredocs=False,
    preserve_scientific_notation=False,
    strip_string_quotes=True,
)

_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][\w.-]*)[ \t]*\r?\n(.*\n)?[ \t]*\2", re.S)
_HAS_HEREDOC = re.compile(r"<<-?[A-Za-z_][\w.-]*[ \t]*\r?\n")


def parse_hcl(text: str, shown: str) -> ParsedFile:
    """Parse one HCL file; ``shown`` is its path relative to the workspace root."""
    try:
        tree = hcl2.parses(text)
    except LarkError as e:
        raise _syntax_error(e, shown, text.count("\n") + (not text.endswith("\n"))) from e
    lines = Lines(text)
    doc = DocumentView(tree)
    blocks: list[RawBlock] = []
    view: Any
    for view in doc.blocks():
        rule: Any = view.raw
        span = _span(rule, text, lines)
        try:
            body = rule.body.serialize(_OPTIONS)
        except (RuntimeError, ValueError, LarkError) as e:
            raise WorkspaceError.at(shown, span.line, f"{str(e).rstrip('.')}") from e
        arguments: dict[str, Span] = {}
        for attr in view.attributes():
            where = _span(attr.raw, text, lines)
            # python-hcl2 keeps the last of two equal arguments; Terraform refuses the file.
            if attr.name in arguments:
                first = arguments[attr.name].line
                raise WorkspaceError(
                    f'{shown}:{where.line}: duplicate argument "{attr.name}" (first at line {first})'
                )
            arguments[attr.name] = where
            if attr.name in body:
                body[attr.name] = _with_heredocs(attr.raw.expression, body[attr.name], text)
        labels = view.labels
        blocks.append(RawBlock(labels[0], tuple(labels[1:]), body, span, arguments))
    attributes: list[RawAttribute] = []
    for view in doc.attributes():
        span = _span(view.raw, text, lines)
        try:
            value: Any = view.raw.expression.serialize(_OPTIONS)
            value = _with_heredocs(view.raw.expression, value, text)
        except (RuntimeError, ValueError, LarkError) as e:
            raise WorkspaceError.at(shown, span.line, f"{e}") from e
        attributes.append(RawAttribute(view.name, value, span))
    return ParsedFile(shown, tuple(blocks), tuple(attributes))


def _with_heredocs(expression: Any, value: Any, text: str) -> Any:
    meta = expression._meta
    source = text[meta.start_pos : meta.end_pos].strip()
    if not _HAS_HEREDOC.search(source):
        return value
    heredoc = _HEREDOC.fullmatch(source)
    if heredoc is None:
        return f"${{{source}}}"  # an expression with a heredoc inside: its source text
    trim, _, content = heredoc.groups()
    lines = (content or "").splitlines(keepends=True)
    if trim:
        # <<- removes the indentation of the least indented line from every line.
        indents = [len(s) - len(s.lstrip(" \t")) for s in lines if s.strip()]
        cut = min(indents, default=0)
        lines = [s[cut:] if s.strip() else s.lstrip(" \t") for s in lines]
    return "".join(lines)


def _span(rule: Any, text: str, lines: Lines) -> Span:
    # A rule's end can take in the newline after it (and so the next line): end at its last visible character.
    meta = rule._meta
    end = meta.end_pos
    while end > meta.start_pos and text[end - 1] in " \t\r\n":
        end -= 1
    return Span(meta.line, lines.line(max(end - 1, meta.start_pos)))


def _syntax_error(e: LarkError, shown: str, last_line: int) -> WorkspaceError:
    line = getattr(e, "line", None)
    if isinstance(line, int):
        line = min(line, max(last_line, 1))  # the end of the file is on its last line, not after it
    if isinstance(e, UnexpectedToken):
        if e.token.type == "$END":
            what = "unexpected end of file (unclosed block, bracket or string?)"
        else:
            what = f"unexpected {_show(str(e.token))}"
    elif isinstance(e, UnexpectedCharacters):
        what = f"unexpected character {_show(e.char)}"
    elif isinstance(e, UnexpectedEOF):
        what = "unexpected end of file (unclosed block, bracket or string?)"
    else:
        what = str(e).splitlines()[0] if str(e) else type(e).__name__
    return WorkspaceError.at(
        shown, line if isinstance(line, int) and line > 0 else None, f"HCL syntax error: {what}"
    )


def _show(token: str) -> str:
    # Lark's tokens can run on past the offending character: show the first word.
    words = token.split()
    return repr(words[0][:40]) if words else "newline"
