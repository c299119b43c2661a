"""One escaping of untrusted text for people (``kaudit.textsafe``), used by the report formats
(``printable``) and the CLI's messages, diffs and diagrams (``safe_text``)."""

from __future__ import annotations

from kaudit.report import printable as report_printable
from kaudit.textsafe import printable, safe_text

HOSTILE = "a\tb\nc\rd\x1b[2J\x00\x7f\x85\u061c\u200e\u2028\u202e\u2066"


def test_the_report_formats_use_the_one_implementation() -> None:
    assert report_printable.printable is printable


def test_both_escape_the_same_set_but_for_tab_and_newline() -> None:
    assert printable(HOSTILE) == ("a\\tb\\nc\\rd\\x1b[2J\\x00\\x7f\\x85\\u061c\\u200e"
                                  "\\u2028\\u202e\\u2066")
    by_code = printable(HOSTILE).replace("\\n", "\\x0a").replace("\\r", "\\x0d")
    assert safe_text(HOSTILE) == by_code.replace("\\t", "\t")
    assert safe_text(HOSTILE, multiline=True) == \
        by_code.replace("\\t", "\t").replace("\\x0a", "\n")


def test_plain_text_and_non_strings_pass_through() -> None:
    assert printable("plain ünïcode → ok") == "plain ünïcode → ok"
    assert safe_text(42) == "42"
