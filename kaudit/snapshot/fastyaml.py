"""A fast path for YAML documents that read the same in YAML 1.1 (kubectl) and in yaml-rs.

PyYAML's ``CSafeLoader`` parses in C but resolves and constructs every node in Python: 87 % of
a YAML scan. ``yaml-rs`` (Rust) builds the same Python objects about ten times faster, but it
reads YAML 1.2, and kubectl reads YAML 1.1: unquoted ``yes``/``on``/``off`` are booleans,
``0755`` is octal, ``1:30`` is sexagesimal, ``<<`` merges, tags construct other types. So a
document takes the fast path only when nothing in it could read differently, and every other
document goes to ``CSafeLoader`` (``yamlparse.parse_document``), which stays the reference:

- before parsing, a scan of the text for a missing final line break in a document that may
  end in a block scalar (yaml-rs then adds one to it; without a ``|`` or ``>`` anywhere the
  line break is added and changes nothing), tags (a ``!`` where a node can start,
  ``_may_be_tag``, confirmed by libyaml's scanner, which finds exactly the tags the
  reference reads), merge keys (``<<``), integers written with a leading ``0`` (octal in 1.1,
  decimal in 1.2), directives and the line breaks only YAML 1.1 knows (NEL, LS, PS);
- aliases (``may_have_aliases``: an alias ``*name`` and an anchor ``&name`` of the same name,
  each starting a token, since an alias can only name an anchor of its own document), so the
  reference path bounds alias bombs. ``*`` and ``&`` are common in CRD descriptions (Markdown
  lists, "a & b"): looking for any of them sent 128 corpus documents, 12 MB and most of the
  corpus's YAML bytes, to ``CSafeLoader`` for no alias. An anchor without an alias names a
  node and changes nothing. yaml-rs is also told to refuse any alias expansion, but that is
  not relied on: it reads an alias to its own enclosing anchor (``a: &a [1, *a]``) as null;
- yaml-rs itself refuses duplicate keys (PyYAML keeps the last; the reference path decides);
- after parsing, a walk of the result: any float (the two versions' float grammars differ),
  any key that is not a string (the reference turns keys into strings, as kubectl does), any
  integer beyond 64 bits (the reference widens it to a float), and any string that YAML 1.1
  would have resolved to something else (``yes``, ``off``, ``1_000``, ``0b101``, ``1:30``…)
  sends the document back to ``CSafeLoader``;
- documents holding a list of objects (``items:`` or a top-level sequence) also go back, since
  their per-item line numbers come from PyYAML's nodes.

``tests/snapshot/test_fastyaml.py`` parses every document of ``../shared/corpus`` both ways and
requires identical objects, and checks each routing reason on its own. Without ``yaml-rs``
installed every document simply takes the reference path.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

_SCANNER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

try:  # an optional speed-up: the reference path needs only PyYAML
    import yaml_rs
    _DUPLICATES_ARE_ERRORS = yaml_rs.DuplicateKeyPolicy.Error
    _NO_ALIASES = yaml_rs.AliasLimits(max_total_replayed_events=0,
                                      max_alias_expansions_per_anchor=0)
except ImportError:  # pragma: no cover - exercised only without the dependency
    yaml_rs = None

_ZERO_INT = re.compile(r"0(?:[0-9_]+|[oObBxX][0-9a-fA-F_]*)"
                       r"(?=[ \t]*(?:\r?$|[,\]}#]|:(?:[ \t]|\r?$)))", re.MULTILINE)
"""A number with a leading zero ending a scalar (a value or a key): ``0755`` is 493 in YAML 1.1
and 755 in 1.2.
The pattern starts with a literal so the regex engine skips ahead in C; whether the ``0``
starts a token is checked on each (rare) match (an alternation in front cost 50x more)."""
_BEFORE_TOKEN = frozenset(" \t\n[,{:")
_TOKEN_START = frozenset(" \t\n\r[{,:")
"""Characters a token may follow. ``:`` too: in a flow mapping libyaml reads ``{"a":0755}``
as the value 493 and ``{"a":!!binary aGk=}`` as a tagged value (yaml-rs: 755 and the text)."""
_ANCHOR = re.compile(r"&([0-9A-Za-z_-]+)")
_ALIAS = re.compile(r"\*([0-9A-Za-z_-]+)")
"""Anchors and aliases with the name libyaml reads (it stops at the first character outside
``[0-9A-Za-z_-]``, and refuses the token if that is not a break); ``_names`` keeps those
starting a token. Literal first, as ``_ZERO_INT``."""
_BEFORE_PROPERTY = frozenset(" \t\r\n[{,:")
_NODE_BEFORE = frozenset(":-?[{,")
"""Indicators a node (and so a tag) can follow on its line: a value, a sequence entry, a
complex key, a flow collection's start or separator."""
_YAML11_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")

_BOOL11 = frozenset({"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
                     "on", "On", "ON", "off", "Off", "OFF"})
"""Booleans in YAML 1.1 that are strings in 1.2 (``true``/``false`` are booleans in both)."""
_NUMBER11 = re.compile(  # after PyYAML's resolver.py (int and float, YAML 1.1)
    r"[-+]?(?:0b[0-1_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+"
    r"|[1-9][0-9_]*(?::[0-5]?[0-9])+"
    r"|(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?|[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*"
    r"|\.(?:inf|Inf|INF))|\.(?:nan|NaN|NAN)")
"""PyYAML's YAML 1.1 int and float resolvers: a string matching them may have been written
unquoted (a string to yaml-rs, ``1:30``, but a number to kubectl) unless ``_ambiguous`` can
tell it was quoted."""
_NUMBER_START = frozenset("0123456789+-.")
_INT_MIN, _UINT_MAX = -(2**63), 2**64 - 1
"""Integers the reference reads as integers; beyond them it reads floats (what JSON and the
API server keep)."""


def fast_load(text: str) -> tuple[bool, Any]:
    """``(True, data)`` when ``text`` (one document) reads the same in YAML 1.1 and was parsed
    by yaml-rs; ``(False, None)`` when the reference parser must read it."""
    if yaml_rs is None or _needs_reference(text):
        return False, None
    if not text.endswith("\n"):
        text += "\n"  # no block scalar to end (``_needs_reference``): the break changes nothing
    try:
        data = yaml_rs.loads(text, parse_datetime=False, alias_limits=_NO_ALIASES,
                             duplicate_key_policy=_DUPLICATES_ARE_ERRORS)
    except Exception:  # any refusal (syntax, duplicates, depth): the reference path reports it
        return False, None
    if not _plain(data):
        return False, None
    return True, data


def may_have_aliases(text: str) -> bool:
    """Whether ``text`` may hold an alias: an alias (``*name``) and an anchor (``&name``) of
    the same name, each starting a token. A document without such a pair has none (an alias
    names an anchor of its own document; an undefined one is a parse error)."""
    if "*" not in text or "&" not in text:
        return False
    aliases = _names(_ALIAS, text)
    return bool(aliases) and not aliases.isdisjoint(_names(_ANCHOR, text))


def _names(pattern: re.Pattern[str], text: str) -> set[str]:
    return {m.group(1) for m in pattern.finditer(text)
            if m.start() == 0 or text[m.start() - 1] in _BEFORE_PROPERTY}


def _needs_reference(text: str) -> bool:
    if not text.endswith("\n") and ("|" in text or ">" in text):
        # A block scalar ending the file without a final line break: PyYAML keeps none,
        # yaml-rs adds one (the only difference the corpus showed inside block scalars).
        return True
    if "<<" in text or "%" in text[:1] or "\n%" in text:
        return True
    if any(ch in text for ch in _YAML11_ONLY_BREAKS) or may_have_aliases(text):
        return True
    for match in _ZERO_INT.finditer(text):
        at = match.start()
        if at and text[at - 1] in "+-":  # a sign belongs to the token
            at -= 1
        if at == 0 or text[at - 1] in _BEFORE_TOKEN:
            return True
    at = text.find("!")
    while at >= 0:
        if _may_be_tag(text, at):
            return _scans_a_tag(text)
        at = text.find("!", at + 1)
    return False


def _scans_a_tag(text: str) -> bool:
    """Whether libyaml's scanner (the reference's) finds a tag in ``text``; an error is left
    to the reference too. Only documents where ``_may_be_tag`` saw one pay for it: CEL rules
    (``!has(self.x)`` on a line of its own) are common in CRDs, and scanning costs about a
    third of what the reference's full reading would."""
    scanner = _SCANNER(text)
    try:
        while scanner.check_token():
            if type(scanner.get_token()) is yaml.TagToken:
                return True
    except yaml.YAMLError:
        return True
    finally:
        scanner.dispose()
    return False


def _may_be_tag(text: str, at: int) -> bool:
    """Whether the ``!`` at ``at`` could start a tag: it starts a token where a node can start
    (the line's first token, or after ``:``, ``-``, ``?``, ``[``, ``{``, ``,`` or an anchor
    that starts one).
    A ``!`` inside a scalar (``self.type != 'x'``, ``|| !has(x)`` in CEL rules) cannot.
    Over-answering is safe (the reference reads the document); under-answering is not."""
    if at and text[at - 1] not in _TOKEN_START:
        return False  # inside a word: ``a!b``
    line_start = text.rfind("\n", 0, at) + 1
    before = text[line_start:at].rstrip(" \t")
    if not before or before[-1] in _NODE_BEFORE:
        return True
    word = before.rsplit(None, 1)[-1]
    if not word.startswith("&"):
        return False
    # ``&anchor !tag value``, where the anchor itself starts a node (``a && !b`` in a CEL
    # rule does not).
    before = before[: -len(word)].rstrip(" \t")
    return not before or before[-1] in _NODE_BEFORE


def _plain(node: Any) -> bool:
    """Whether every scalar of ``node`` reads the same in YAML 1.1 (see the module doc).

    Runs over every key and value of every fast-path document: the common string (one that
    neither is a 1.1 boolean word nor starts like a number) is decided inline, without a call.
    """
    kind = type(node)
    if kind is dict:
        for key in node:
            if type(key) is not str:  # the reference turns keys into strings, as kubectl does
                return False
            if key in _BOOL11 or (key and key[0] in _NUMBER_START and _ambiguous(key)):
                return False
        values: Any = node.values()
    elif kind is list:
        values = node
    elif kind is str:
        return not _ambiguous(node)
    elif kind is int:
        return _INT_MIN <= node <= _UINT_MAX
    else:
        return kind is not float
    for value in values:
        value_kind = type(value)
        if value_kind is str:
            if value in _BOOL11 or (value and value[0] in _NUMBER_START and _ambiguous(value)):
                return False
        elif value_kind is dict or value_kind is list:
            if not _plain(value):
                return False
        elif value_kind is float:
            return False
        elif value_kind is int and not _INT_MIN <= value <= _UINT_MAX:
            return False  # beyond 64 bits: the reference reads it as a float and says so
    return True


def _ambiguous(text: str) -> bool:
    """Whether a string from yaml-rs could be something else to YAML 1.1.

    Only strings YAML 1.1 resolves (booleans like ``yes``, numbers) can. One that yaml-rs
    would itself have read as a number when unquoted (``"12345"``, a resourceVersion) must
    have been quoted in the source, and a quoted scalar is a string in both versions."""
    if text in _BOOL11:
        return True
    if not text or text[0] not in _NUMBER_START or not _NUMBER11.fullmatch(text):
        return False
    if text.isdigit() and (text[0] != "0" or text == "0"):
        return False  # plain decimal: a number unquoted in both versions, so it was quoted
    return _string_when_unquoted(text)


@lru_cache(maxsize=4096)
def _string_when_unquoted(text: str) -> bool:
    try:
        return type(yaml_rs.loads(text)) is str
    except Exception:
        return True
