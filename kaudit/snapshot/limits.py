"""The bounds every file input is held to, so that no file can take unbounded time or memory.

Each bound that trips becomes a KA001 naming the file, the line and the bound, and the other
inputs are still audited. The numbers sit far above anything a real cluster produces:

- ``max_input_bytes``: the bytes one file (after gunzip) or stdin may hold. A 100k-object
  ``kubectl get -o json`` dump is about 160 MB; a gzip bomb is stopped while it is streamed.
  Raised with ``--max-input-bytes`` / ``KAUDIT_MAX_INPUT_BYTES``.
- Alias expansion: a YAML alias re-uses a node, and nested aliases multiply (the "billion
  laughs": 440 bytes that expand to 10^9 nodes). Like go-yaml (kubectl's parser), which refuses
  documents whose aliases expand out of proportion, a document's aliases may add at most
  ``ALIAS_EXPANSION_RATIO`` times its own size, and always ``ALIAS_EXPANSION_FLOOR`` nodes.
- ``MAX_DEPTH``: nesting of maps and lists in one object. libyaml stops at 1000 levels,
  orjson (which reports, diffs and saved snapshots use) at 255; 200 leaves room for the
  wrappers around an object in a saved snapshot or a patch. No Kubernetes schema comes close
  (the deepest CRD schemas in the corpus nest about 60 levels).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import orjson

ALIAS_EXPANSION_FLOOR = 100_000
ALIAS_EXPANSION_RATIO = 10
MAX_DEPTH = 200
DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024
ENV_MAX_INPUT_BYTES = "KAUDIT_MAX_INPUT_BYTES"


@dataclass(frozen=True, slots=True)
class InputLimits:
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    follow_symlinks: bool = False
    """Follow symlinks that lead out of a scanned folder (off: a pull request could point one
    at ``/proc`` or a credentials file)."""


_current = InputLimits()


def current() -> InputLimits:
    return _current


def configure(limits: InputLimits) -> None:
    """Set the limits of this run (the CLI does, from its options)."""
    global _current
    _current = limits


def max_bytes_from_env(environ: dict[str, str] | None = None) -> int | None:
    value = (os.environ if environ is None else environ).get(ENV_MAX_INPUT_BYTES)
    return parse_size(value) if value else None


_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(text: str) -> int:
    """``512M``, ``2G``, ``1048576`` -> bytes; ``ValueError`` for anything else."""
    cleaned = text.strip().lower().removesuffix("ib").removesuffix("b")
    unit = cleaned[-1:] if cleaned[-1:] in _UNITS else ""
    number = cleaned[: len(cleaned) - len(unit)]
    if not number.isdigit() or int(number) <= 0:
        raise ValueError(f"not a size: {text!r} (e.g. 512M, 2G)")
    return int(number) * _UNITS[unit]


# orjson refuses to nest deeper than 255; serialising an object at the bottom of a fixed chain
# of lists makes it refuse exactly the objects deeper than MAX_DEPTH, in C, with no walk in
# Python. The chain is built once; only its innermost list changes.
_ORJSON_DEPTH = 254
_chain_bottom: list[Any] = []
_chain: list[Any] = _chain_bottom
for _ in range(_ORJSON_DEPTH - MAX_DEPTH - 1):
    _chain = [_chain]


_CHAIN_BYTES = len(orjson.dumps(_chain))  # the brackets of the (empty) chain itself


def _chained(obj: Any, option: int | None) -> bytes | str:
    """``obj`` serialised at the bottom of the chain (``orjson.dumps`` options), or why it
    cannot be audited."""
    _chain_bottom.append(obj)
    try:
        return orjson.dumps(_chain, option=option)
    except orjson.JSONEncodeError as exc:
        if "Recursion" in str(exc):
            return f"nested deeper than {MAX_DEPTH} levels"
        return "it holds a value JSON cannot represent"
    finally:
        _chain_bottom.clear()


def serialised(obj: Any) -> memoryview | str:
    """``obj`` as compact JSON with sorted keys (a view of the bytes), or why it cannot be
    audited (as ``unrepresentable``). One serialisation answers the check every loaded object
    goes through, its size (ST005) and its fingerprint (``kaudit.snapshot.reads``)."""
    text = _chained(obj, orjson.OPT_SORT_KEYS)
    if isinstance(text, str):
        return text
    half = _CHAIN_BYTES // 2
    return memoryview(text)[half : len(text) - half]


def measured(obj: Any) -> int | str:
    """The length of ``obj`` as compact JSON, or why it cannot be audited."""
    text = serialised(obj)
    return text if isinstance(text, str) else len(text)


def unrepresentable(obj: Any) -> str | None:
    """Why ``obj`` cannot be audited (too deep, a value JSON cannot hold), or ``None``.

    Reports, diffs, size checks and saved snapshots all serialise objects; an object that
    cannot be serialised would crash them for the whole snapshot.
    """
    problem = _chained(obj, None)
    return problem if isinstance(problem, str) else None
