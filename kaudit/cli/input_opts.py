"""Options that bound file inputs and key Secret digests, for every command.

They sit on the root command (``kaudit --max-input-bytes 2G scan …``) and in environment
variables, so that ``scan``, ``explain``, ``graph``, ``diff`` and ``snapshot`` read inputs and
digest Secrets the same way, and a CI job sets them once (``KAUDIT_DIGEST_KEY`` from a CI
secret).
"""

from __future__ import annotations

from pathlib import Path

from kaudit.cli.common import UsageError
from kaudit.snapshot import digest, limits


def configure_run(*, digest_key_file: Path | None, max_input_bytes: str | None,
                  follow_symlinks: bool) -> None:
    """Set this run's digest key and input limits; ``UsageError`` for unusable values."""
    try:
        key = digest.key_from(digest_key_file)
    except digest.DigestKeyError as exc:
        raise UsageError(str(exc)) from None
    # No team key: a fresh random key, so digests of this run compare only within it.
    digest.use_key(key)
    try:
        cap = (limits.parse_size(max_input_bytes) if max_input_bytes
               else limits.max_bytes_from_env())
    except ValueError as exc:
        raise UsageError(f"--max-input-bytes: {exc}") from None
    limits.configure(limits.InputLimits(
        max_input_bytes=cap or limits.DEFAULT_MAX_INPUT_BYTES, follow_symlinks=follow_symlinks))
