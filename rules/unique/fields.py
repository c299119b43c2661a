"""Reading the fields a unique constraint names: a small JSON-path-like language.

A path is dotted (``spec.prefix``), ``[*]`` walks every item of a list
(``spec.ports[*].nodePort``), and ``["…"]`` quotes a key that holds dots or slashes
(``metadata.annotations["crossplane.io/external-name"]``). Several paths of one constraint that
walk the same list walk it *together*: ``spec.rules[*].host`` and
``spec.rules[*].http.paths[*].path`` give one (host, path) pair per path of each rule, never a
rule's host with another rule's path. That is what makes an Ingress's host+path a key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

_TOKEN = re.compile(r'\["((?:[^"\\]|\\.)*)"\]|\[\*\]|\[(\d+)\]|([^.\[\]]+)|\.')

WILD = "*"
Step = str | int


def parse_path(text: str) -> tuple[Step, ...]:
    """``spec.rules[*].host`` -> ``("spec", "rules", "*", "host")``."""
    steps: list[Step] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ValueError(f"cannot read field path {text!r} at position {pos}")
        quoted, index, plain = m.group(1), m.group(2), m.group(3)
        if quoted is not None:
            steps.append(quoted.replace('\\"', '"'))
        elif index is not None:
            steps.append(int(index))
        elif plain is not None:
            steps.append(plain)
        elif m.group(0) == "[*]":
            steps.append(WILD)
        pos = m.end()
    if not steps:
        raise ValueError("empty field path")
    return tuple(steps)


def escape(step: Step) -> str:
    return str(step).replace("~", "~0").replace("/", "~1")


def walk(node: Any, steps: Sequence[Step]) -> Iterator[tuple[tuple[int, ...], str, Any]]:
    """Every value at ``steps``: (the list indexes taken at each ``[*]``, JSON pointer, value)."""
    yield from _walk(node, tuple(steps), (), "")


def _walk(node: Any, steps: tuple[Step, ...], binds: tuple[int, ...],
          pointer: str) -> Iterator[tuple[tuple[int, ...], str, Any]]:
    if not steps:
        if node is not None:
            yield binds, pointer, node
        return
    step, rest = steps[0], steps[1:]
    if step == WILD:
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from _walk(item, rest, (*binds, i), f"{pointer}/{i}")
        return
    if isinstance(step, int):
        if isinstance(node, list) and 0 <= step < len(node):
            yield from _walk(node[step], rest, binds, f"{pointer}/{step}")
        return
    if isinstance(node, Mapping) and step in node:
        yield from _walk(node[step], rest, binds, f"{pointer}/{escape(step)}")


def joint(node: Any, paths: Sequence[tuple[Step, ...]],
          defaults: Sequence[Any]) -> Iterator[tuple[tuple[Any, ...], tuple[str, ...]]]:
    """Value tuples of several paths, walking shared lists together (see the module doc).

    Every list a path walks (each ``[*]``) is enumerated once, item by item, and all paths
    through that list read the same item. Where a path has no value for an item its default
    is used; with no default (``None``) that combination is skipped. Yields (values, pointers).
    """
    prefixes = sorted({tuple(p[: i + 1]) for p in paths for i, s in enumerate(p) if s == WILD},
                      key=len)

    def bind(steps: tuple[Step, ...], bound: dict[tuple[Step, ...], int | None]
             ) -> tuple[Step, ...] | None:
        out: list[Step] = []
        for j, step in enumerate(steps):
            if step == WILD:
                index = bound.get(tuple(steps[: j + 1]))
                if index is None:
                    return None
                out.append(index)
            else:
                out.append(step)
        return tuple(out)

    def enumerate_lists(k: int, bound: dict[tuple[Step, ...], int | None]
                        ) -> Iterator[dict[tuple[Step, ...], int | None]]:
        if k == len(prefixes):
            yield bound
            return
        prefix = prefixes[k]
        parent = bind(prefix[:-1], bound)
        found = [v for _, _, v in walk(node, parent)] if parent is not None else []
        items = found[0] if found and isinstance(found[0], list) else []
        if not items:
            yield from enumerate_lists(k + 1, {**bound, prefix: None})
            return
        for i in range(len(items)):
            yield from enumerate_lists(k + 1, {**bound, prefix: i})

    for bound in enumerate_lists(0, {}):
        values: list[Any] = []
        pointers: list[str] = []
        for steps, default in zip(paths, defaults, strict=True):
            concrete = bind(steps, bound)
            found = list(walk(node, concrete)) if concrete is not None else []
            if found:
                pointers.append(found[0][1])
                values.append(found[0][2])
            elif default is not None:
                pointers.append("")
                values.append(default)
            else:
                break
        else:
            yield tuple(values), tuple(pointers)


def single(node: Any, paths: Sequence[tuple[Step, ...]],
           defaults: Sequence[Any]) -> tuple[tuple[tuple[Any, ...], tuple[str, ...]], ...]:
    """``joint`` for paths without ``[*]``: at most one value tuple, read by plain lookups
    (a unique constraint reads its key from every candidate object). Same values, pointers and
    defaults as ``joint``."""
    values: list[Any] = []
    pointers: list[str] = []
    for steps, default in zip(paths, defaults, strict=True):
        found = _first(node, steps)
        if found is not None:
            pointers.append(found[0])
            values.append(found[1])
        elif default is not None:
            pointers.append("")
            values.append(default)
        else:
            return ()
    return ((tuple(values), tuple(pointers)),)


def _first(node: Any, steps: Sequence[Step]) -> tuple[str, Any] | None:
    """``walk`` of a path without ``[*]``: (pointer, value), or ``None`` (missing or null)."""
    pointer = ""
    for step in steps:
        if isinstance(step, int):
            if not isinstance(node, list) or not 0 <= step < len(node):
                return None
            node = node[step]
            pointer = f"{pointer}/{step}"
        elif isinstance(node, Mapping) and step in node:
            node = node[step]
            pointer = f"{pointer}/{escape(step)}"
        else:
            return None
    return None if node is None else (pointer, node)
