"""Reading one input reads its size, not the limit: ``_read_capped`` asks a regular file for
the bytes it holds, and still enforces the cap when the file holds more than it said."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kaudit.snapshot.limits import InputLimits
from kaudit.snapshot.reader import ReadError, _read_capped, read_input


def test_a_file_is_read_whole() -> None:
    assert _read_capped(io.BytesIO(b"abcdef"), 100, "the file", expected=6) == b"abcdef"


def test_a_file_that_grew_since_it_was_measured_is_read_on() -> None:
    assert _read_capped(io.BytesIO(b"abcdef"), 100, "the file", expected=2) == b"abcdef"


def test_a_file_that_grew_past_the_cap_is_refused() -> None:
    with pytest.raises(ReadError, match="input limit"):
        _read_capped(io.BytesIO(b"x" * 20), 10, "the file", expected=4)


def test_the_cap_holds_without_a_size() -> None:
    with pytest.raises(ReadError, match="input limit"):
        _read_capped(io.BytesIO(b"x" * 20), 10, "stdin")
    assert _read_capped(io.BytesIO(b"x" * 10), 10, "stdin") == b"x" * 10


def test_read_input_returns_every_byte(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"kind: A\n" * 1000)
    assert read_input(str(path), None, InputLimits()) == b"kind: A\n" * 1000
