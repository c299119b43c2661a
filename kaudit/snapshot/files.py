"""Read manifests, dumps and saved snapshots from files, folders and stdin.

Every failure is local: an unreadable file, a broken document, a typeless object or a bound
that trips (``limits``) becomes an ``InputProblem`` (reported as KA001 with file and line) and
the rest is still audited. Finding and reading files, bounded, is ``reader``'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

import orjson

from kaudit.model import CoverageGap, InputProblem, Severity, SourceLocation
from kaudit.snapshot import limits as input_limits
from kaudit.snapshot.admission import Admitted, admit
from kaudit.snapshot.archive import is_archive, read_header
from kaudit.snapshot.collector import collector_paused
from kaudit.snapshot.gitops import GitOps, GitOpsOptions
from kaudit.snapshot.jsonpieces import loads_in_pieces
from kaudit.snapshot.limits import InputLimits
from kaudit.snapshot.object import KubeObject
from kaudit.snapshot.reader import (
    MANIFEST_SUFFIXES,
    STDIN,
    ReadError,
    display_name,
    read_input,
)
from kaudit.snapshot.reader import discover as _discover
from kaudit.snapshot.reads import Projection
from kaudit.snapshot.redact import is_secret
from kaudit.snapshot.shapes import expand, typeless_problem
from kaudit.snapshot.snapshot import Snapshot, SourceInfo
from kaudit.snapshot.yamlparse import DocumentError, ParsedDocument, parse_document, split_documents

__all__ = ["MANIFEST_SUFFIXES", "STDIN", "LoadResult", "NoInputError", "Progress", "discover",
           "load_paths", "load_snapshot"]

Progress = Callable[[int, int, int], None]
"""Called after each input with (inputs read, inputs in total, objects so far)."""


class NoInputError(Exception):
    """Nothing at all could be read: the CLI exits 2 (usage/input error)."""


@dataclass
class LoadResult:
    objects: list[KubeObject] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    gaps: list[CoverageGap] = field(default_factory=list)
    files_read: int = 0
    captured_at: datetime | None = None
    archive_sources: list[SourceInfo] = field(default_factory=list)
    read_kinds: set[tuple[str, str]] | None = None
    projection: Projection | None = None
    """Keep lean kinds' bodies only as far as the active readers declared
    (``kaudit.snapshot.reads``); ``None`` keeps every object whole."""
    _admitted: dict[int, Admitted | str] = field(default_factory=dict)
    """Items of a large JSON file admitted while it was parsed, by ``id`` of the kept dict;
    emptied when the file is done (``_add`` pops them)."""

    def shape_item(self, item: Any) -> Any:
        """Admit a freshly parsed item (its lean form), before the next one is parsed. Secrets
        wait for ``_add``: an item without a kind is copied there, and must be digested once."""
        if type(item) is not dict or self.projection is None or item.get("kind") == "Secret":
            return item
        outcome = admit(item, self.projection, secret=False)
        if not isinstance(outcome, str):
            item = outcome[0]
        self._admitted[id(item)] = outcome
        return item


def discover(paths: Sequence[str], gitops: GitOps | None = None,
             limits: InputLimits | None = None) -> tuple[list[str], list[InputProblem]]:
    """Expand folders recursively into manifest files, sorted for determinism; ``gitops``
    leaves Helm charts and kustomize fragments out of a folder's files (see ``gitops``)."""
    return _discover(paths, limits or input_limits.current(),
                     gitops.filter_folder if gitops is not None else None)


def load_paths(paths: Sequence[str], stdin: BinaryIO | None = None,
               named: Sequence[tuple[str, bytes]] = (),
               progress: Progress | None = None,
               gitops: GitOpsOptions | None = None,
               limits: InputLimits | None = None,
               projection: Projection | None = None) -> LoadResult:
    """Load files and folders; ``named`` adds in-memory inputs (display name, bytes), such as
    the packaged demo, whose install path would otherwise leak into reports."""
    limits = limits or input_limits.current()
    result = LoadResult(projection=projection)
    walk = GitOps(gitops or GitOpsOptions())
    files, problems = discover(paths, walk, limits)
    named = [*named, *walk.rendered()]
    result.problems.extend(problems)
    result.problems.extend(walk.notices)
    total = len(files) + len(named)
    with collector_paused():
        for done, name in enumerate(files, start=1):
            _load_file(name, result, stdin, limits)
            if progress is not None:
                progress(done, total, len(result.objects))
        for display, data in named:
            result.files_read += 1
            _load_data(display, data, result)
    return result


def load_snapshot(paths: Sequence[str], stdin: BinaryIO | None = None,
                  named: Sequence[tuple[str, bytes]] = (),
                  progress: Progress | None = None,
                  gitops: GitOpsOptions | None = None,
                  projection: Projection | None = None) -> Snapshot:
    """Load ``paths`` into a snapshot; ``NoInputError`` when nothing could be read at all.
    ``projection``: keep only what the active readers read (``kaudit.snapshot.reads``)."""
    result = load_paths(paths, stdin, named, progress, gitops, projection=projection)
    if result.files_read == 0:
        detail = "; ".join(p.message for p in result.problems) or (
            f"no manifest files ({', '.join('*' + s for s in MANIFEST_SUFFIXES)}) in "
            f"{', '.join(paths)}")
        raise NoInputError(detail)
    archives = {src.paths[0] for src in result.archive_sources}
    given = [*paths, *(display for display, _ in named)]
    manifest_paths = tuple(p for p in given if ("<stdin>" if p == STDIN else p) not in archives)
    sources = [SourceInfo("files", manifest_paths)] if manifest_paths else []
    sources.extend(result.archive_sources)
    # A saved live snapshot knows which kinds it listed completely; once manifests are mixed
    # in, that knowledge no longer describes the whole input.
    read_kinds = result.read_kinds if not manifest_paths else None
    return Snapshot.build(
        result.objects,
        problems=result.problems,
        gaps=result.gaps,
        sources=sources,
        captured_at=result.captured_at,
        read_kinds=frozenset(read_kinds) if read_kinds is not None else None,
    )


def _load_file(name: str, result: LoadResult, stdin: BinaryIO | None,
               limits: InputLimits) -> None:
    display = display_name(name)
    try:
        data = read_input(name, stdin, limits)
    except ReadError as exc:
        result.problems.append(InputProblem(SourceLocation(display), str(exc)))
        return
    result.files_read += 1
    # Hand the only reference over, so the file's bytes can be freed as soon as they are
    # parsed instead of living (a second copy of a 100k-object dump) until the file is done.
    held = [data]
    del data
    _load_data(display, held, result)


_LEADING_SPACE = re.compile(rb"[ \t\r\n\f\v]*")


def _load_data(display: str, data: bytes | list[bytes], result: LoadResult) -> None:
    """``data`` may be a one-item list that this function empties: then it holds the last
    reference to the bytes and frees them once parsed (see ``_load_file``)."""
    if isinstance(data, list):
        data = data.pop()
    if data[:2] in _UTF16_BOMS:
        # Windows editors save UTF-16; everything below reads UTF-8.
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeError:
            result.problems.append(InputProblem(
                SourceLocation(display, 1), "not UTF-16 text, though it starts with a BOM"))
            return
    if b"\x00" in data[:8192]:
        result.problems.append(InputProblem(
            SourceLocation(display, 1), "not YAML or JSON: the file holds binary data"))
        return
    # JSON is recognised on the bytes: decoding a 150 MB dump to text only to look at its first
    # character would cost a full copy. orjson validates UTF-8 itself; a file it rejects goes
    # the YAML way below, which decodes (and reports bad UTF-8) as before.
    start = _LEADING_SPACE.match(data).end()  # type: ignore[union-attr]
    if data[start : start + 1] in (b"{", b"["):
        parsed = _parse_json(data, result.shape_item)
        if parsed is not _NOT_JSON:
            item_lines = _json_item_lines(data, parsed)
            del data  # the objects are built from ``parsed``; the bytes can go
            try:
                _add_json(display, parsed, result, item_lines)
            finally:
                result._admitted.clear()
            return
    try:
        text = data.decode("utf-8-sig")
        mixed = False
    except UnicodeDecodeError:
        # Bytes that are not UTF-8 become lone surrogates; only the documents holding one
        # are lost (``_load_yaml``), not the whole file.
        text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
        mixed = True
    del data
    _load_yaml(display, text, result, mixed)


_NOT_JSON = object()
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def _parse_json(data: bytes, each: Callable[[Any], Any]) -> Any:
    """orjson for whole-JSON files (a dump is often one large List); ``_NOT_JSON`` hands the
    file to the YAML parser, which also reads JSON and reports a precise line on errors.
    ``each`` shapes every item of a large dump as it is parsed."""
    try:
        parsed = loads_in_pieces(data, each)  # a large dump: item by item, a lower peak
        return orjson.loads(data) if parsed is None else parsed
    except orjson.JSONDecodeError:
        return _NOT_JSON


def _add_json(display: str, parsed: Any, result: LoadResult,
              item_lines: list[int] | None) -> None:
    if is_archive(parsed):
        _add_archive(display, parsed, result, item_lines)
    else:
        _add(ParsedDocument(parsed, 1, item_lines), display, result)


_ITEMS_OPEN = re.compile(rb'^[ \t]*"items"[ \t]*:[ \t]*\[[ \t]*\r?\n([ \t]*)\{', re.M)
_LIST_OPEN = re.compile(rb"\[[ \t]*\r?\n([ \t]*)\{")


def _json_item_lines(data: bytes, parsed: Any) -> list[int] | None:
    """Lines of a JSON list's items, without a second parse.

    orjson reports no positions. Pretty-printed dumps (``kubectl get -o json``, support
    bundles, ``json.dump(indent=…)``) open every item with a brace alone at one indentation,
    deeper than anything else at that level; the lines of those braces, counted and checked
    against the number of items, are the items' lines. Anything else (compact JSON, odd
    layouts) gets no item lines rather than wrong ones.
    """
    if isinstance(parsed, list):
        items = parsed
    elif isinstance(parsed, dict) and isinstance(parsed.get("items"), list):
        items = parsed["items"]
    else:
        return None
    # Each item on a line of its own needs a newline per item. Compact JSON (saved snapshots,
    # ``jq -c``, ``json.dumps`` without indent) has next to none: counting them (at memchr
    # speed) spares it the multi-line regex searches over the whole file, which found nothing
    # and cost 0.75 s for a 160 MB snapshot.
    if not items or data.count(b"\n") < len(items):
        return None
    if items is parsed:
        opening = _LIST_OPEN.match(data, _LEADING_SPACE.match(data).end())
    else:
        opening = _ITEMS_OPEN.search(data)
    if opening is None:
        return None
    indent = re.escape(opening.group(1))
    starts = [m.start() for m in re.finditer(rb"^" + indent + rb"\{", data, re.M)]
    starts = [s for s in starts if s >= opening.start(1)]
    if len(starts) != len(items):
        return None
    lines: list[int] = []
    line, previous = 1, 0
    for start in starts:
        line += data.count(b"\n", previous, start)
        previous = start
        lines.append(line)
    return lines


def _load_yaml(display: str, text: str, result: LoadResult, mixed: bool = False) -> None:
    """``mixed``: the text holds bytes that were not UTF-8 (as surrogates)."""
    typeless: list[int | None] = []
    for raw_doc in split_documents(text):
        bad = _NOT_UTF8.search(raw_doc.text) if mixed else None
        if bad is not None:
            line = raw_doc.first_line + raw_doc.text.count("\n", 0, bad.start())
            result.problems.append(InputProblem(
                SourceLocation(display, line), "not UTF-8 text: the document is skipped"))
            continue
        try:
            doc = parse_document(raw_doc)
        except DocumentError as exc:
            result.problems.append(InputProblem(SourceLocation(display, exc.line), exc.message))
            continue
        if doc is None:
            continue
        for line in doc.widened:
            result.problems.append(InputProblem(
                SourceLocation(display, line), "an integer beyond 64 bits, read as a float "
                "(as the API server stores it)", Severity.WARNING))
        if is_archive(doc.data):
            _add_archive(display, doc.data, result, doc.item_lines)
            continue
        typeless.extend(_add(doc, display, result, collect_typeless=False, parsed_yaml=True))
    if typeless:
        result.problems.append(typeless_problem(display, typeless))


def _add(doc: ParsedDocument, display: str, result: LoadResult,
         collect_typeless: bool = True, parsed_yaml: bool = False) -> list[int | None]:
    """``parsed_yaml``: the objects come from a YAML parser, whose keys are not shared yet: a
    scan (``projection``) shares them (``interning.with_shared_keys``: 1.5-2.5 s of CPU and a
    third of the memory of 100k YAML objects)."""
    expanded = expand(doc.data, display, doc.line, doc.item_lines)
    result.problems.extend(expanded.problems)
    # JSON items have no line: they share one (frozen) location instead of 100k copies.
    lineless = SourceLocation(display, None)
    append = result.objects.append
    projection = result.projection
    early = result._admitted
    share_keys = parsed_yaml and projection is not None
    for raw, line in expanded.objects:
        location = lineless if line is None else SourceLocation(display, line)
        outcome = early.pop(id(raw), None) if early else None
        if outcome is None:  # not admitted while it was parsed
            outcome = admit(raw, projection, share_keys=share_keys,
                            secret=raw.get("kind") == "Secret" and is_secret(raw))
        if isinstance(outcome, str):
            result.problems.append(InputProblem(location, f"object skipped: {outcome}"))
            continue
        kept, size, cut = outcome
        append(KubeObject(kept, location, size, cut))
    if collect_typeless and expanded.typeless:
        result.problems.append(typeless_problem(display, expanded.typeless))
        return []
    return expanded.typeless


def _add_archive(display: str, data: dict[str, Any], result: LoadResult,
                 item_lines: list[int] | None = None) -> None:
    """A saved snapshot; ``item_lines`` are the items' lines when it was written as YAML."""
    try:
        header = read_header(data)
    except ValueError as exc:
        result.problems.append(InputProblem(SourceLocation(display, 1), str(exc)))
        return
    items = data.get("items")
    if not isinstance(items, list):
        result.problems.append(InputProblem(
            SourceLocation(display, 1), "KauditSnapshot without an items list", Severity.ERROR))
        return
    _add(ParsedDocument({"items": items}, 1, item_lines), display, result)
    result.gaps.extend(header.gaps)
    latest = result.captured_at
    if header.captured_at and (latest is None or header.captured_at > latest):
        result.captured_at = header.captured_at
    if header.read_kinds is not None:
        result.read_kinds = (result.read_kinds or set()) | set(header.read_kinds)
    result.archive_sources.append(
        SourceInfo("snapshot", (display,), context=header.context, server=header.server))
