"""Keyed digests of Secret values: equal values compare equal, guessing a value does not work.

An unkeyed ``sha256`` of a Secret value lets whoever holds a report or a saved snapshot test
guesses offline (``sha256("x")`` is one hash away). So every digest is an HMAC-SHA256 under a
key that is never written anywhere:

- by default a random key made for each run: values compare equal within that run (the
  unique-field rules, ``diff`` of two inputs read together), and nowhere else;
- a team key from ``KAUDIT_DIGEST_KEY`` (the key text) or a key file (``--digest-key-file``,
  ``KAUDIT_DIGEST_KEY_FILE``): snapshots saved by one team compare with each other and with
  later scans that use the same key.

A digest names the key it was made with, by an identifier derived from the key
(``hmac-sha256:<key id>:<hex>``), never the key. Two digests made under different keys are
"not comparable": comparing code must ask ``comparable`` instead of calling them different.
Digests of kaudit before keyed digests (``sha256:<hex>``) are still read; they compare only
with each other.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from pathlib import Path

ALGORITHM = "hmac-sha256"
LEGACY_PREFIX = "sha256:"
LEGACY_KEY_ID = "unkeyed"
ENV_KEY = "KAUDIT_DIGEST_KEY"
ENV_KEY_FILE = "KAUDIT_DIGEST_KEY_FILE"
MIN_KEY_BYTES = 16
"""A short team key could itself be guessed from the key id; 16 bytes is the floor."""

_DIGEST = re.compile(r"(?:hmac-sha256:([0-9a-f]{16})|sha256):[0-9a-f]{64}")
SHOWN = "<secret value digest>"
"""What reports print where a digest would appear: digests under a per-run key differ from
run to run, and output must not."""


class DigestKeyError(ValueError):
    """The team key given cannot be used (missing file, too short)."""


@dataclass(frozen=True, slots=True)
class Digester:
    key: bytes
    key_id: str
    """Identifies the key among keys; derived one-way, so it gives nothing about values."""
    shared: bool
    """The key came from the user (a team key), not made for this run."""

    @classmethod
    def with_key(cls, key: bytes, *, shared: bool) -> Digester:
        key_id = hmac.new(key, b"kaudit digest key id", hashlib.sha256).hexdigest()[:16]
        return cls(key, key_id, shared)

    @classmethod
    def random(cls) -> Digester:
        return cls.with_key(os.urandom(32), shared=False)

    def digest(self, value: bytes) -> str:
        mac = hmac.new(self.key, value, hashlib.sha256).hexdigest()
        return f"{ALGORITHM}:{self.key_id}:{mac}"


_current = Digester.random()


def current() -> Digester:
    """The digester of this run."""
    return _current


def use_key(key: bytes | None) -> Digester:
    """Digest under ``key`` from now on; ``None`` makes a fresh random key (a new run)."""
    global _current
    _current = Digester.random() if key is None else Digester.with_key(key, shared=True)
    return _current


def key_from(file: Path | None = None, environ: dict[str, str] | None = None) -> bytes | None:
    """The team key: ``file``, else ``$KAUDIT_DIGEST_KEY_FILE``, else ``$KAUDIT_DIGEST_KEY``;
    ``None`` when none is set. Surrounding whitespace (a trailing newline) is not key."""
    env = os.environ if environ is None else environ
    path = file or (Path(env[ENV_KEY_FILE]) if env.get(ENV_KEY_FILE) else None)
    if path is not None:
        try:
            key = path.read_bytes().strip()
        except OSError as exc:
            raise DigestKeyError(f"cannot read the digest key file {path}: "
                                 f"{exc.strerror or exc}") from None
        origin = f"the digest key file {path}"
    elif env.get(ENV_KEY):
        key = env[ENV_KEY].strip().encode()
        origin = f"${ENV_KEY}"
    else:
        return None
    if len(key) < MIN_KEY_BYTES:
        raise DigestKeyError(f"{origin} holds {len(key)} bytes; a digest key needs at least "
                             f"{MIN_KEY_BYTES} (make one with: openssl rand -hex 32)")
    return key


def is_digest(value: object) -> bool:
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


def key_id(value: str) -> str | None:
    """The key a digest was made with (``unkeyed`` for old plain ones); ``None`` for text
    that is not a digest."""
    found = _DIGEST.fullmatch(value)
    if found is None:
        return None
    return found.group(1) or LEGACY_KEY_ID


def comparable(a: str, b: str) -> bool:
    """Whether two digests were made under one key, so that equal means equal values."""
    left, right = key_id(a), key_id(b)
    return left is not None and left == right
