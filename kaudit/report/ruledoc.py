"""A rule's docstring for readers outside the terminal: plain text and Markdown.

Docstrings are written in reST habits (````code````, a ``Fix:`` paragraph); SARIF viewers and
pull-request comments render Markdown, where double backticks would show literally.
"""

from __future__ import annotations

import re

_LITERAL = re.compile(r"``(.+?)``", re.DOTALL)
_FIX = re.compile(r"(^|\n)Fix:", re.MULTILINE)


def to_text(doc: str) -> str:
    """Plain text: ````x```` becomes ``'x'``-free ```x```, readable as is."""
    return _LITERAL.sub(r"`\1`", doc).strip()


def to_markdown(doc: str) -> str:
    """Markdown: inline code in single backticks, the ``Fix:`` paragraph its own paragraph
    with a bold lead (a single newline would run it into the text before)."""
    return _FIX.sub(lambda m: "\n\n**Fix:**" if m.group(1) else "**Fix:**", to_text(doc))


def description(doc: str) -> str:
    """The body after the summary line (SARIF ``fullDescription``), or the summary itself
    when the docstring has only one line."""
    head, _, body = doc.strip().partition("\n")
    return to_text(body) or to_text(head)
