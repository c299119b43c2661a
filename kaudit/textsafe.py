"""Untrusted text with every character that could rewrite a line written as its escape.

Below every layer (the report formats and the graph renderers both need it); why each
character is unsafe is in ``kaudit.report.printable``.
"""

from __future__ import annotations

import re

# C0 controls (with TAB, LF, CR), DEL, C1 controls, line/paragraph separators and the
# bidirectional embedding, override and isolate characters.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every character that could rewrite a line shown as its escape."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text
