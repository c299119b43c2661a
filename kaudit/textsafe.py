"""Text from clusters and files, made safe to print on a terminal.

A condition message, an event, an object name or a file path is written by whoever controls
the cluster or the checkout. Printed raw, an escape sequence in it can rewrite the terminal
(move the cursor, recolour, set the window title, hide the lines before it) and a bidi override
can make text read differently from what it is. So every such text is printed through
``safe_text``: control characters and bidi controls become visible ``\\x1b``/``\\u202e``
escapes. Rich markup is a separate danger (``[/]`` in a path makes rich raise); callers print
these strings as ``rich.text.Text`` or with ``markup=False``, never as markup.
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL, plus the Unicode bidi controls (Trojan Source, CVE-2021-42574).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_ONE_LINE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: object, *, multiline: bool = False) -> str:
    """``text`` with every control character escaped (``\\n`` kept when ``multiline``; ``\\t``
    always kept), so printing it cannot drive the terminal or fake a line of output."""
    value = text if isinstance(text, str) else str(text)
    return (_UNSAFE if multiline else _UNSAFE_ONE_LINE).sub(_escape, value)

