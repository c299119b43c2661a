"""Property: whatever shape an object takes, the whole pipeline survives it.

Real objects from the rule fixtures are mutated field by field -- a value replaced by one of
another type, a huge number, a deep nesting, hostile text, or removed -- written out as YAML
or JSON, and run through everything a user can ask for: load, every rule, every report format,
the graph in every format, ``explain`` of each object, ``diff`` against the unmutated file and
a saved snapshot. No exception may escape and no rule may crash (KA003).

CI runs a bounded, derandomised number of examples; a long run explores at random::

    KAUDIT_FUZZ_EXAMPLES=5000 python -m pytest tests/fuzz -q
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaudit.cli.diff_cmd import render_table as render_diff_table
from kaudit.cli.explain_view import render_explanation
from kaudit.diff import diff_snapshots
from kaudit.engine import EngineSettings, run
from kaudit.explain import explain
from kaudit.graph import build_graph
from kaudit.graph.render import RENDERERS
from kaudit.report import FORMATTERS, FormatOptions, Report
from kaudit.rules.registry import load_catalogue
from kaudit.snapshot.archive import snapshot_from
from kaudit.snapshot.files import load_paths, load_snapshot
from kaudit.snapshot.limits import MAX_DEPTH
from tests.conftest import FIXTURES

LONG_RUN = "KAUDIT_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("KAUDIT_FUZZ_EXAMPLES", "150"))
NOW = datetime(2024, 6, 1, tzinfo=UTC)
CATALOGUE = load_catalogue()
EXPLAINED_PER_EXAMPLE = 4


def _seed_groups() -> list[list[dict[str, Any]]]:
    """The objects of each fixture file, kept together so references between them hold."""
    files = sorted([*FIXTURES.glob("rules/*/flag.yaml"), *FIXTURES.glob("rules/*/healthy.yaml"),
                    *FIXTURES.glob("inputs/*.yaml")])
    groups = []
    for path in files:
        objects = [o.raw for o in load_paths([str(path)]).objects]
        if objects:
            groups.append(orjson.loads(orjson.dumps(objects)))
    return groups


GROUPS = _seed_groups()
TYPES = sorted({(str(o.get("apiVersion")), str(o.get("kind"))) for g in GROUPS for o in g})
"""Every (apiVersion, kind) of the seeds: an object re-typed as another kind meets the rules
of that kind with a body they never saw."""

TEXT = st.one_of(
    st.text(max_size=24),
    st.sampled_from(["", "[/]", "[bold red]x[/]", "\x1b[2J\x1b[31m", "../../etc/passwd", "-",
                     "~0~1/", "0", "True", "null", "v1", "Secret", "List", "apps/v1",
                     "2024-01-01T00:00:00Z", "not-a-time", "a" * 400, "é\u202e\u200b",
                     "sha256:" + "0" * 64, "hmac-sha256:" + "0" * 16 + ":" + "0" * 64]),
)
NUMBERS = st.one_of(
    st.integers(), st.integers(min_value=2**63, max_value=2**80),
    st.integers(min_value=-(2**80), max_value=-(2**63) - 1),
    st.floats(allow_nan=True, allow_infinity=True),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def deep(draw: st.DrawFn) -> Any:
    """Nesting around the depth bound: some just inside it, some past it."""
    depth = draw(st.integers(min_value=MAX_DEPTH - 40, max_value=MAX_DEPTH + 20))
    value: Any = draw(SCALARS)
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


# Mostly values of the wrong type; one in eight a deep nesting (which, past the bound, costs
# the object its audit, so a higher share would leave the rules little to chew on).
HOSTILE = st.integers(min_value=0, max_value=7).flatmap(lambda n: deep() if n == 0 else VALUES)
REMOVE = object()


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every position in an object, parents before children, in a stable order."""
    if isinstance(node, dict):
        for key in node:
            yield (*prefix, key)
            yield from _paths(node[key], (*prefix, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index))


# Fields rules read, worth hitting even where a fixture object lacks them.
KNOWN_PATHS: tuple[tuple[Any, ...], ...] = (
    ("spec",), ("status",), ("status", "conditions"), ("status", "conditions", 0),
    ("status", "conditions", 0, "status"), ("status", "conditions", 0, "lastTransitionTime"),
    ("status", "observedGeneration"), ("metadata", "generation"),
    ("metadata", "ownerReferences"), ("metadata", "ownerReferences", 0),
    ("metadata", "finalizers"), ("metadata", "deletionTimestamp"),
    ("metadata", "annotations", "meta.helm.sh/release-name"),
    ("metadata", "annotations", "kopf.zalando.org/last-handled-configuration"),
    ("metadata", "labels", "app"), ("spec", "selector"), ("spec", "versions"),
    ("spec", "names"), ("spec", "group"), ("data",), ("stringData",), ("items",),
)


def _put(obj: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    """Set (or remove) ``path``, creating missing mappings on the way; a path through a
    scalar or past a list's end is left alone."""
    parent: Any = obj
    for step in path[:-1]:
        if isinstance(parent, dict):
            parent = parent.setdefault(step, {})
        elif isinstance(parent, list) and isinstance(step, int) and step < len(parent):
            parent = parent[step]
        else:
            return
    last = path[-1]
    if isinstance(parent, dict) and not isinstance(last, int):
        if value is REMOVE:
            parent.pop(last, None)
        else:
            parent[last] = value
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        if value is REMOVE:
            del parent[last]
        else:
            parent[last] = value


@st.composite
def mutated(draw: st.DrawFn, group: list[dict[str, Any]]) -> list[dict[str, Any]]:
    objects = copy.deepcopy(group)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        index = draw(st.integers(min_value=0, max_value=len(objects) - 1))
        target = objects[index]
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            target["apiVersion"], target["kind"] = draw(st.sampled_from(TYPES))
            continue
        path = draw(st.sampled_from([*_paths(target), *KNOWN_PATHS]))
        value = draw(st.one_of(HOSTILE, st.just(REMOVE)))
        _put(target, path, value)
    return objects


def _write(folder: Path, name: str, objects: list[dict[str, Any]], as_json: bool) -> str:
    path = folder / (name + (".json" if as_json else ".yaml"))
    if as_json:
        path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}))
    else:
        path.write_text(yaml.dump_all(objects, Dumper=yaml.CSafeDumper))
    return str(path)


def run_pipeline(original: list[dict[str, Any]], mutated: list[dict[str, Any]],
                 as_json: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        before_path = _write(folder, "before", original, as_json)
        after_path = _write(folder, "after", mutated, as_json)
        snapshot = load_snapshot([after_path])
        before = load_snapshot([before_path])
        graph = build_graph(snapshot)
        result = run(snapshot, CATALOGUE, EngineSettings(now=NOW, previous=before,
                                                         against=before), graph)
        assert not result.crashed, "\n".join(result.tracebacks)
        report = Report(result.findings, NOW, "option", snapshot.sources, len(snapshot),
                        len(snapshot.kinds()), snapshot.gaps, result.crashed)
        for formatter in FORMATTERS.values():
            formatter(report, FormatOptions())
        for renderer in RENDERERS.values():
            renderer(graph, None)
        for obj in list(snapshot)[:EXPLAINED_PER_EXAMPLE]:
            explanation = explain(snapshot, graph, obj, NOW)
            explanation.to_json_text()
            render_explanation(explanation, color=False, width=120)
        diffed = diff_snapshots(before, snapshot)
        orjson.dumps(diffed.to_json())
        render_diff_table(diffed, color=False)
        orjson.dumps(snapshot_from(snapshot), option=orjson.OPT_SORT_KEYS)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG_RUN, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_the_pipeline_survives_mutated_objects(data: st.DataObject) -> None:
    original = data.draw(st.sampled_from(GROUPS))
    changed = data.draw(mutated(original))
    run_pipeline(original, changed, as_json=data.draw(st.booleans()))


def test_every_seed_group_runs_clean() -> None:
    """The unmutated fixtures pass the same pipeline: a failure above is the mutation's."""
    assert len(GROUPS) > 50
    for group in GROUPS:
        run_pipeline(group, group, as_json=False)
