"""Parse YAML streams the way kubectl reads them, one document at a time.

A stream is split on document markers before parsing so that one broken document is reported
with its file and line while every other document of the same file is still audited; PyYAML's
own ``load_all`` stops at the first error. libyaml (``CSafeLoader``) does the parsing: the
pure-Python loader is ~10x slower and never used here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from kaudit.snapshot.fastyaml import fast_load

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
    """


KubeYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
KubeYamlLoader.add_constructor("tag:yaml.org,2002:value", SafeConstructor.construct_yaml_str)

_MARKER = re.compile(r"^(---|\.\.\.)(?=[ \t]|$)", re.MULTILINE)


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
    for match in _MARKER.finditer(text):
        chunk = text[start : match.start()]
        if _has_content(chunk):
            yield RawDocument(chunk, line)
        line += chunk.count("\n")
        if match.group(1) == "---":
            start = match.end()
        else:  # "..." ends a document; skip the rest of the marker line
            eol = text.find("\n", match.end())
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
    loader = KubeYamlLoader(doc.text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # An unclosed flow collection is noticed at the end of the document; point at the
        # document's last line, not at the next document's marker.
        last = len(doc.text.rstrip().splitlines()) - 1
        line = doc.first_line + min(mark.line if mark else 0, max(last, 0))
        raise DocumentError(_describe(exc), line) from None
    except yaml.YAMLError as exc:
        raise DocumentError(str(exc).splitlines()[0], doc.first_line) from None
    except (TypeError, ValueError, RecursionError) as exc:
        # An unhashable key (`{{ x }}: y`), a bad float, a pathological nesting.
        raise DocumentError(f"cannot construct document: {exc}", doc.first_line) from None
    finally:
        loader.dispose()
    first = doc.first_line + node.start_mark.line
    return ParsedDocument(data, first, _item_lines(node, doc.first_line))


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
    parts = [p for p in (exc.context, exc.problem) if p]
    return "invalid YAML: " + ("; ".join(parts) if parts else str(exc).splitlines()[0])
