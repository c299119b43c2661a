"""Text from clusters and files, made safe to show to people: the one implementation.

A condition message, an event, an object name or a file path is written by whoever controls
the cluster or the checkout. Printed raw, an escape sequence in it can rewrite the terminal
(move the cursor, recolour, set the window title, hide the lines before it), a carriage return
overwrites a line, a newline forges a finding line (``path:line: error …``) that editors and
CI parsers pick up, and a bidi control can make text read differently from what it is (Trojan
Source, CVE-2021-42574). So every such text is shown with those characters as visible escapes
(``\\x1b``, ``\\n``, ``\\u202e``):

- ``printable`` escapes all of them, ``\\n``, ``\\r`` and ``\\t`` by name: one field of a
  report line (the human report formats, through ``kaudit.report.printable``);
- ``safe_text`` keeps ``\\t`` (and ``\\n`` when ``multiline``) and writes the others by code
  (``\\x0a``): a message or block of text for the terminal (errors, notices, diffs, diagrams).

Rich markup is a separate danger (``[/]`` in a path makes rich raise); callers print these
strings as ``rich.text.Text`` or with ``markup=False``, never as markup.
"""

from __future__ import annotations

import re

# C0 controls (with TAB, LF, CR), DEL, C1 controls, line/paragraph separators, the Arabic
# letter mark and left/right marks, and the bidi embedding, override and isolate characters.
_UNSAFE = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_ALL = re.compile(f"[{_UNSAFE}]")
_BUT_TAB = re.compile(f"(?!\t)[{_UNSAFE}]")
_BUT_TAB_NEWLINE = re.compile(f"(?![\t\n])[{_UNSAFE}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _by_code(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _by_name(match: re.Match[str]) -> str:
    return _NAMED.get(match.group()) or _by_code(match)


def printable(text: str) -> str:
    """``text`` with every character that could rewrite a line shown as its escape."""
    return _ALL.sub(_by_name, text) if _ALL.search(text) else text


def safe_text(text: object, *, multiline: bool = False) -> str:
    """``text`` with every control character escaped (``\\n`` kept when ``multiline``; ``\\t``
    always kept), so printing it cannot drive the terminal or fake a line of output."""
    value = text if isinstance(text, str) else str(text)
    return (_BUT_TAB_NEWLINE if multiline else _BUT_TAB).sub(_by_code, value)
