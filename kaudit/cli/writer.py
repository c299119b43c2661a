"""Writing what kaudit produces: to stdout, or to a file atomically.

A report or snapshot that cannot be written is the user's problem to fix (a missing folder, a
full disk), not a crash: every failure here is an ``OutputError`` with a one-line reason, which
the commands turn into exit 2. A file is written to a temporary name in the same folder and
renamed over the target only once it is complete, so a failure never leaves a truncated file or
destroys the previous one (a CI job that keeps the last good snapshot keeps it).
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from kaudit.textsafe import safe_text


class OutputError(Exception):
    """Output could not be written; the message is one line and names the target."""


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def write_stdout(text: str) -> None:
    """Write and flush ``text`` to stdout; ``OutputError`` when stdout refuses it (a closed
    pipe, ``> /dev/full``)."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        _silence_stdout()
        raise OutputError(f"cannot write to stdout: {_reason(exc)}") from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's own flush at exit does not fail again
    with a traceback-like 'Exception ignored' after our one-line error."""
    with suppress(OSError, ValueError, AttributeError):
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


def write_file(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically (see ``atomic_path``)."""
    payload = data.encode() if isinstance(data, str) else data
    with atomic_path(path) as temporary, open(temporary, "wb") as fh:
        fh.write(payload)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path next to ``path`` to write to; renamed over ``path`` when the block
    ends without an error, removed otherwise. The temporary name ends with ``path``'s name, so
    writers that choose a format by suffix (``.json.gz``) choose the same one.

    A target that exists and is not a regular file (``/dev/stdout``, a FIFO, ``/dev/full``)
    cannot be replaced by a rename: the block then writes to it directly. A symlink is
    followed: the file it points to is replaced, the link kept.
    """
    shown = path
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"cannot write {safe_text(shown)}: {_reason(exc)}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {safe_text(shown)}: it is a folder")
    if mode is not None and not stat.S_ISREG(mode):
        try:
            yield path
        except OSError as exc:
            raise OutputError(f"cannot write {safe_text(shown)}: {_reason(exc)}") from None
        return
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {safe_text(shown)}: No such file or directory (no "
                          f"folder {safe_text(folder)})")
    try:
        fd, name = tempfile.mkstemp(prefix=".", suffix=f".tmp-{path.name}", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {safe_text(shown)}: {_reason(exc)}") from None
    temporary = Path(name)
    try:
        yield temporary
        _keep_mode(path, temporary)
        os.replace(temporary, path)
    except OSError as exc:
        raise OutputError(f"cannot write {safe_text(shown)}: {_reason(exc)}") from None
    finally:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)


def _keep_mode(path: Path, temporary: Path) -> None:
    """mkstemp creates files readable by the owner only; give the new file the permissions
    the old one had, or the umask's default for a new file (what ``open`` would have made)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temporary, mode)


Writer = Callable[[Path], None]


def write_with(path: Path, writer: Writer) -> None:
    """Run ``writer`` on a temporary path and move the result to ``path`` (for writers that
    stream to a file themselves, such as the saved-snapshot writer)."""
    with atomic_path(path) as temporary:
        writer(temporary)
