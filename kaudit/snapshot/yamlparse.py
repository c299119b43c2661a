"""Parse YAML streams the way kubectl reads them, one document at a time.

A stream is split on document markers before parsing so that one broken document is reported
with its file and line while every other document of the same file is still audited; PyYAML's
own ``load_all`` stops at the first error. libyaml (``CSafeLoader``) does the parsing: the
pure-Python loader is ~10x slower and never used here.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from kaudit.snapshot.fastyaml import fast_load, may_have_aliases
from kaudit.snapshot.limits import ALIAS_EXPANSION_FLOOR, ALIAS_EXPANSION_RATIO

try:
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    raise ImportError(
        "kaudit needs PyYAML built with libyaml (yaml.CSafeLoader); reinstall PyYAML from a wheel"
    ) from None


class KubeYamlLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """``CSafeLoader`` with kubectl's view of a few YAML 1.1 corners.

    - Timestamps stay strings: Kubernetes objects carry RFC 3339 strings, and turning them into
      ``datetime`` would change what a rule, a digest or a saved snapshot sees.
    - A bare ``=`` is the string ``"="`` (PyYAML resolves it to the YAML 1.1 ``value`` tag,
      which it cannot construct; Go's YAML reads a string). The kube-prometheus
      AlertmanagerConfig CRD has one in an enum.
    - Only what JSON can hold comes out, as kubectl converts YAML to JSON before sending it:
      mapping keys become strings (``1: a`` -> ``"1"``), ``!!binary`` the decoded text,
      ``!!set`` a mapping of nulls, and an integer beyond 64 bits a float (what the API
      server stores for it), noted in ``widened`` so the loader can say so.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.widened: list[int] = []
        """0-based lines (in the document) of integers read as floats."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if all(type(k) is str for k in mapping):
            return mapping  # type: ignore[no-any-return]
        return {_key_text(k): v for k, v in mapping.items()}

    def construct_kube_int(self, node: yaml.ScalarNode) -> int | float:
        value: int = SafeConstructor.construct_yaml_int(self, node)
        if _INT_MIN <= value <= _UINT_MAX:
            return value
        try:
            widened = float(value)
        except OverflowError:
            raise ConstructorError(None, None, "an integer too large for any number type",
                                   node.start_mark) from None
        self.widened.append(node.start_mark.line)
        return widened

    def construct_kube_binary(self, node: yaml.ScalarNode) -> str:
        text = self.construct_scalar(node)
        try:
            return base64.decodebytes(text.encode("ascii")).decode("utf-8", "replace")
        except (binascii.Error, UnicodeEncodeError):
            raise ConstructorError(None, None, "a !!binary value that is not base64",
                                   node.start_mark) from None


_INT_MIN = -(2**63)
_UINT_MAX = 2**64 - 1


def _key_text(key: Any) -> str:
    """A mapping key as sigs.k8s.io/yaml writes it into JSON."""
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float):
        return repr(key)
    if isinstance(key, (str, int)):
        return str(key)
    raise ConstructorError(None, None, f"a mapping key of type {type(key).__name__}", None)


KubeYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
KubeYamlLoader.add_constructor("tag:yaml.org,2002:value", SafeConstructor.construct_yaml_str)
KubeYamlLoader.add_constructor("tag:yaml.org,2002:int", KubeYamlLoader.construct_kube_int)
KubeYamlLoader.add_constructor("tag:yaml.org,2002:binary", KubeYamlLoader.construct_kube_binary)
KubeYamlLoader.add_constructor("tag:yaml.org,2002:set", SafeConstructor.construct_yaml_map)
# An explicit ``!!timestamp`` stays a string too, like every other time in an object.
KubeYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)

# A marker line may end in ``\r`` (CRLF files). The line break comes first in the pattern so
# that the regex engine looks for it in C: a ``^`` with MULTILINE is tried at every position
# (5x slower over the corpus).
_MARKER = re.compile(r"(---|\.\.\.)(?=[ \t\r\n]|\Z)")
_MARKER_LINE = re.compile(r"\n(---|\.\.\.)(?=[ \t\r\n]|\Z)")


def _markers(text: str) -> Iterator[tuple[int, str, int]]:
    """Start, marker and end of every ``---``/``...`` that starts a line."""
    first = _MARKER.match(text)
    if first:
        yield 0, first.group(1), first.end()
    for match in _MARKER_LINE.finditer(text):
        yield match.start(1), match.group(1), match.end()


@dataclass(frozen=True, slots=True)
class RawDocument:
    """The text of one document and the 1-based line where it starts in its file."""

    text: str
    first_line: int


@dataclass(slots=True)
class ParsedDocument:
    data: Any
    line: int
    """1-based line of the document's first content node."""
    item_lines: list[int] | None = None
    """For a document holding a list (``items:`` or a top-level sequence), each item's line."""
    widened: list[int] = field(default_factory=list)
    """1-based lines of integers beyond 64 bits, read as floats."""


class DocumentError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def split_documents(text: str) -> Iterator[RawDocument]:
    """Split a YAML stream on ``---``/``...`` markers at column 0.

    Inside a block scalar a line starting with ``---`` is a document marker in YAML too, so a
    line-based split agrees with the spec. Content after ``---`` on the same line (``--- {}``)
    stays with its document.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    start = 0
    line = 1
    for at, marker, end in _markers(text):
        chunk = text[start:at]
        if _has_content(chunk):
            yield RawDocument(chunk, line)
        line += chunk.count("\n")
        if marker == "---":
            start = end
        else:  # "..." ends a document; skip the rest of the marker line
            eol = text.find("\n", end)
            start = len(text) if eol < 0 else eol
    tail = text[start:]
    if _has_content(tail):
        yield RawDocument(tail, line)


# A line that starts (after blanks) with neither ``#`` nor whitespace, and not with ``%``.
_CONTENT_LINE = re.compile(r"^(?!%)[^\S\n]*[^\s#]", re.MULTILINE)


def _has_content(chunk: str) -> bool:
    """Whether a chunk holds more than blank lines, comments and directives (``%YAML 1.1``
    before the first ``---`` belongs to the stream; PyYAML reads YAML 1.1 regardless).

    The regex answers "yes" for almost every document without splitting it into lines (a
    per-document ``splitlines`` copied every document of a 100k-object stream once more); only
    chunks it finds empty get the exact line-by-line check, which also knows the rarer line
    breaks (``\r``, ``\x85``…) that ``splitlines`` honours.
    """
    if _CONTENT_LINE.search(chunk):
        return True
    for raw in chunk.splitlines():
        stripped = raw.strip()
        if stripped and not stripped.startswith("#") and not raw.startswith("%"):
            return True
    return False


def parse_document(doc: RawDocument) -> ParsedDocument | None:
    """Parse one document; ``None`` when it holds nothing (comments, blank).

    Documents that read the same in YAML 1.1 take the fast path (``fastyaml``); the rest,
    and every document with an error, are read by ``CSafeLoader`` as kubectl would."""
    fast, data = fast_load(doc.text)
    if fast and data is not None and not _holds_items(data):
        start = _CONTENT_LINE.search(doc.text)
        line = doc.text.count("\n", 0, start.start()) if start else 0
        return ParsedDocument(data, doc.first_line + line)
    return _parse_with_libyaml(doc)


def _holds_items(data: Any) -> bool:
    """A list document: its per-item lines come from PyYAML's nodes (``_item_lines``)."""
    return type(data) is list or (type(data) is dict and type(data.get("items")) is list)


def _parse_with_libyaml(doc: RawDocument) -> ParsedDocument | None:
    """The reference reading (``CSafeLoader`` with kubectl's adjustments).

    Errors name the line and column, never the document's text: a value that trips the parser
    may be a password (a Secret value starting with ``!`` is read as a tag, and PyYAML's
    message would quote it).
    """
    loader = KubeYamlLoader(doc.text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if may_have_aliases(doc.text):  # ``*`` and ``&`` alone are common in descriptions
            _check_aliases(node)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # An unclosed flow collection is noticed at the end of the document; point at the
        # document's last line, not at the next document's marker.
        last = len(doc.text.rstrip().splitlines()) - 1
        line = doc.first_line + min(mark.line if mark else 0, max(last, 0))
        column = f" (column {mark.column + 1})" if mark else ""
        raise DocumentError(_describe(exc) + column, line) from None
    except yaml.YAMLError as exc:
        raise DocumentError("invalid YAML: " + _scrub(str(exc)), doc.first_line) from None
    except (TypeError, ValueError) as exc:
        # An unhashable key (`{{ x }}: y`), a bad float.
        raise DocumentError(f"cannot construct document: {_scrub(str(exc))}",
                            doc.first_line) from None
    except RecursionError:
        raise DocumentError("cannot construct document: nested too deeply",
                            doc.first_line) from None
    finally:
        loader.dispose()
    first = doc.first_line + node.start_mark.line
    return ParsedDocument(data, first, _item_lines(node, doc.first_line),
                          [doc.first_line + line for line in loader.widened])


def _check_aliases(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand out of proportion or refer to themselves.

    PyYAML builds an alias as a second reference to one object, so the bomb does not go off
    here, but in the first code that walks the data (serialising it for a report, a diff, a
    size check): 440 bytes took 78 s and 2.6 GB before this check. Sizes are counted over the
    node graph, each node once, so the check itself is linear in the document.
    """
    expanded: dict[int, int] = {}
    open_nodes: set[int] = set()
    unique = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            expanded[key] = 1 + sum(expanded[id(c)] for c in _children(node))
            unique += 1
            continue
        if key in expanded:
            continue
        if key in open_nodes:
            raise ConstructorError(None, None, "an alias that refers to itself", node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            expanded[key] = 1
            unique += 1
            continue
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in expanded)
    allowed = max(ALIAS_EXPANSION_FLOOR, ALIAS_EXPANSION_RATIO * unique)
    if expanded[id(root)] - unique > allowed:
        raise ConstructorError(
            None, None, f"aliases expand the document past {allowed:,} extra nodes, "
            "the mark of an alias bomb", root.start_mark)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _item_lines(node: yaml.Node, offset: int) -> list[int] | None:
    if isinstance(node, yaml.SequenceNode):
        return [offset + item.start_mark.line for item in node.value]
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "items":
                if isinstance(value, yaml.SequenceNode):
                    return [offset + item.start_mark.line for item in value.value]
                return None
    return None


def _describe(exc: yaml.MarkedYAMLError) -> str:
    parts = [_scrub(p) for p in (exc.context, exc.problem) if p]
    return "invalid YAML: " + ("; ".join(p for p in parts if p) or "cannot parse")


_SAFE_TOKEN = re.compile(r"'?<[a-z ]+>'?|'[-?:,\[\]{}|>]'")
"""Parser vocabulary that quotes nothing from the document: ``'<block end>'``, ``'-'``."""
_QUOTES = frozenset("'\"`(")


def _scrub(message: str) -> str:
    """A parser message without any text it quotes from the document.

    PyYAML and libyaml quote what they stumbled on (``'!tag'``, ``found character '%'``,
    ``unacceptable key (…)``); the wording before the first quote says what went wrong, the
    line and column say where. Token names (``<block end>``) are kept. Only the first line is
    kept: later ones show the source.
    """
    first = message.splitlines()[0] if message else ""
    out: list[str] = []
    i = 0
    while i < len(first):
        token = _SAFE_TOKEN.match(first, i)
        if token:
            out.append(token.group(0))
            i = token.end()
        elif first[i] in _QUOTES:
            break
        else:
            out.append(first[i])
            i += 1
    text = "".join(out).rstrip(" :,;")
    return text or "cannot parse"
