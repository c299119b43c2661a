"""Find input files and read their bytes, bounded, whatever a scanned folder holds.

A folder under review is written by someone else: it may hold FIFOs and device files (opening
one blocks, reading one never ends), symlinks to ``/proc`` or to a credentials file, file names
that are not UTF-8, folders nested past ``PATH_MAX``, unreadable entries, and a gzip bomb
named ``*.yaml``. Each of those becomes a notice (``InputProblem``) naming the entry, and the
rest is read. Bytes are read with a cap (``limits.max_input_bytes``); gzip is streamed, so a
bomb stops at the cap instead of filling memory.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from kaudit.model import InputProblem, Severity, SourceLocation
from kaudit.snapshot.limits import InputLimits

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1024 * 1024


class ReadError(Exception):
    """One input could not be read; the message names why (never its content)."""


def display_name(path: str) -> str:
    """``path`` as reports print it: bytes that are not UTF-8 (kept by Python as surrogates)
    become ``\\xNN`` escapes instead of crashing the output."""
    if path == STDIN:
        return "<stdin>"
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


FolderFilter = Callable[[Path, list[str]], list[str]]


def discover(paths: Sequence[str], limits: InputLimits,
             filter_folder: FolderFilter | None = None
             ) -> tuple[list[str], list[InputProblem]]:
    """Expand folders recursively into manifest files, sorted for determinism;
    ``filter_folder`` may drop some of a folder's files (Helm charts, kustomize fragments)."""
    files: list[str] = []
    problems: list[InputProblem] = []
    for raw in paths:
        if raw == STDIN:
            files.append(STDIN)
            continue
        try:
            info = os.stat(raw)
        except FileNotFoundError:
            problems.append(InputProblem(SourceLocation(display_name(raw)),
                                         f"no such file or folder: {display_name(raw)}"))
            continue
        except OSError as exc:
            problems.append(InputProblem(SourceLocation(display_name(raw)),
                                         f"cannot read: {_why(exc)}"))
            continue
        if stat.S_ISDIR(info.st_mode):
            found: list[str] = []
            _walk(raw, found, problems, limits)
            found.sort()
            files.extend(filter_folder(Path(raw), found) if filter_folder else found)
        elif stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            # A pipe named on the command line (``<(helm template …)``) is the user's choice.
            files.append(raw)
        else:
            problems.append(_skipped(raw, f"{_kind(info.st_mode)}, not a file"))
    return files, problems


def _skipped(path: str, why: str) -> InputProblem:
    return InputProblem(SourceLocation(display_name(path)), f"skipped: {why}", Severity.WARNING)


def _walk(root: str, found: list[str], problems: list[InputProblem],
          limits: InputLimits) -> None:
    """Every manifest under ``root``; hidden entries are skipped, symlinks are followed only
    inside ``root`` (or anywhere with ``limits.follow_symlinks``; folders once each)."""
    real_root = os.path.realpath(root)
    seen = {_identity(root)}
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            problems.append(InputProblem(SourceLocation(display_name(folder)),
                                         f"cannot read folder: {_why(exc)}", Severity.WARNING))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            manifest = entry.name.lower().endswith(MANIFEST_SUFFIXES)
            try:
                link = entry.is_symlink()
                if link and not limits.follow_symlinks and not _inside(entry.path, real_root):
                    if manifest or entry.is_dir():
                        problems.append(_skipped(
                            entry.path, "a symlink that leads outside the scanned folder "
                            "(--follow-symlinks reads it)"))
                    continue
                if entry.is_dir():
                    identity = _identity(entry.path)
                    if link and not limits.follow_symlinks:
                        continue  # the folder it points at is inside and read on its own
                    if identity not in seen:
                        seen.add(identity)
                        folders.append(entry.path)
                    continue
                if not manifest:
                    continue
                mode = entry.stat().st_mode
            except OSError as exc:
                problems.append(InputProblem(SourceLocation(display_name(entry.path)),
                                             f"cannot read: {_why(exc)}", Severity.WARNING))
                continue
            if stat.S_ISREG(mode):
                found.append(entry.path)
            else:
                problems.append(_skipped(entry.path, f"{_kind(mode)}, not a file"))


def _inside(path: str, real_root: str) -> bool:
    target = os.path.realpath(path)
    return target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep)


def _identity(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_dev, info.st_ino


def read_input(path: str, stdin: BinaryIO | None, limits: InputLimits) -> bytes:
    """The bytes of one input, gunzipped; ``ReadError`` when it cannot be read in bounds."""
    cap = limits.max_input_bytes
    if path == STDIN:
        data = _read_capped(stdin or sys.stdin.buffer, cap, "stdin")
        return _gunzip(io.BytesIO(data), cap) if data[:2] == GZIP_MAGIC else data
    try:
        # O_NONBLOCK: a FIFO swapped in after the folder was listed must not block the open.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ReadError(f"cannot read: {_why(exc)}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if stat.S_ISFIFO(info.st_mode):
            os.set_blocking(fd, True)  # named on the command line: wait for its writer
        elif not stat.S_ISREG(info.st_mode):
            raise ReadError(f"skipped: {_kind(info.st_mode)}, not a file")
        elif info.st_size > cap:
            raise ReadError(_too_big(f"the file holds {info.st_size:,} bytes", cap))
        try:
            head = handle.read(2)
            if head == GZIP_MAGIC:
                return _gunzip(handle, cap, head)
            expected = info.st_size - len(head) if stat.S_ISREG(info.st_mode) else None
            return head + _read_capped(handle, cap - len(head), "the file", expected)
        except OSError as exc:
            raise ReadError(f"cannot read: {_why(exc)}") from None


def _too_big(what: str, cap: int) -> str:
    return (f"{what}, more than the {cap:,}-byte input limit; "
            "raise it with --max-input-bytes")


def _read_capped(stream: BinaryIO, cap: int, what: str, expected: int | None = None) -> bytes:
    """At most ``cap`` bytes, or ``ReadError``. With the ``expected`` size of a regular file,
    that much is asked for first: ``read(cap + 1)`` allocates the whole cap (256 MiB) before
    reading, a tenth of a second over the 2 300 files of the shared corpus. A file that grew
    since it was measured is read on, to the cap."""
    if expected is not None and 0 <= expected < cap:
        data = stream.read(expected + 1)
        if len(data) > expected:
            data += stream.read(cap - len(data) + 1)
    else:
        data = stream.read(cap + 1)
    if len(data) > cap:
        raise ReadError(_too_big(f"{what} holds more", cap))
    return data


def _gunzip(stream: BinaryIO, cap: int, head: bytes = b"") -> bytes:
    """Decompress in chunks, stopping as soon as the output passes ``cap``."""
    source: BinaryIO = _Prefixed(head, stream) if head else stream
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.GzipFile(fileobj=source, mode="rb") as unzipped:
            while chunk := unzipped.read(_CHUNK):
                total += len(chunk)
                if total > cap:
                    raise ReadError(_too_big("it decompresses to more (a gzip bomb?)", cap))
                chunks.append(chunk)
    except EOFError:
        raise ReadError("cannot decompress: the gzip stream ends early") from None
    except (OSError, zlib.error):
        raise ReadError("cannot decompress: not valid gzip data") from None
    return b"".join(chunks)


class _Prefixed(io.RawIOBase):
    """A stream with bytes already read from it put back in front."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
