"""The hand-written pod walk of ``workloads`` makes exactly the edges its ``FieldRef`` lines
declare, in the same order: compared with the generic trie walk over the same lines
(``compile_refs``) on generated pods of every shape, the shared corpus and the bench input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import generate
from kaudit.graph.edges import workloads
from kaudit.graph.edges.fieldrefs import FieldRef, compile_refs
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.snapshot.files import load_snapshot
from tests.conftest import shared_dir

REFERENCE = compile_refs("workloads", workloads.FIELD_REFS)


def _edges(extract: Any, snapshot: Snapshot) -> list[tuple[Any, ...]]:
    return [(e.source, e.target, e.relation, e.pointer, dict(e.attrs), e.target_key)
            for e in extract(snapshot)]


def assert_same(snapshot: Snapshot) -> int:
    walked = _edges(workloads.EXTRACTOR.extract, snapshot)
    assert walked == _edges(REFERENCE.extract, snapshot)
    return len(walked)


# ---- generated shapes ----------------------------------------------------------------------
# Every shape a field can take: mostly the right one (so the walks go deep), sometimes absent,
# null, of the wrong type or empty.
_junk = st.one_of(st.none(), st.integers(-2, 2), st.booleans(), st.just(""), st.just([]),
                  st.just({}), st.lists(st.none(), max_size=2))
_name = st.one_of(st.sampled_from(["a", "b", "a", "x~y/z"]), _junk)


def _maybe(shape: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(shape, shape, shape, _junk)


@st.composite
def _fields(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
    """A mapping holding each of ``fields`` four times in five, with extra keys around."""
    out: dict[str, Any] = {"name": "x"} if draw(st.booleans()) else {}
    for key, shape in fields.items():
        if draw(st.integers(0, 4)) < 4:  # 0, the simplest draw, keeps the key
            out[key] = draw(shape)
    return out


def _listed(item: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return _maybe(st.lists(_maybe(item), min_size=1, max_size=3))


_ref = st.one_of(_name, _fields({"name": _name, "key": st.just("k"), "namespace": st.one_of(
    st.sampled_from(["other", ""]), _junk)}))
_volume = _fields({
    "configMap": _ref,
    "secret": _maybe(_fields({"secretName": _ref})),
    "projected": _maybe(_fields({"sources": _listed(_fields({"configMap": _ref,
                                                              "secret": _ref}))})),
    "persistentVolumeClaim": _maybe(_fields({"claimName": _ref})),
})
_container = _fields({
    "envFrom": _listed(_fields({"configMapRef": _ref, "secretRef": _ref})),
    "env": _listed(_fields({"valueFrom": _maybe(_fields({"configMapKeyRef": _ref,
                                                          "secretKeyRef": _ref}))})),
})
_spec = _fields({
    "nodeName": _ref, "serviceAccountName": _ref, "imagePullSecrets": _listed(_ref),
    "volumes": _listed(_volume), "containers": _listed(_container),
    "initContainers": _listed(_container), "ephemeralContainers": _listed(_container),
    "volumeName": _ref,
})


@st.composite
def _objects(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["Pod", "Pod", "PersistentVolumeClaim"]))
        meta: dict[str, Any] = {"name": f"o{i}"}
        namespace = draw(st.sampled_from(["shop", "", None]))
        if namespace is not None:
            meta["namespace"] = namespace
        out.append({"apiVersion": "v1", "kind": kind, "metadata": meta,
                    "spec": draw(_maybe(_spec))})
    return out


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_objects())
def test_the_walk_agrees_with_the_lines_on_any_shape(objects: list[dict[str, Any]]) -> None:
    assert_same(Snapshot.build([KubeObject(o) for o in objects]))


def test_the_walk_agrees_on_the_bench_cluster() -> None:
    objects = [KubeObject(o) for o in generate(3000, seed=7)]
    assert assert_same(Snapshot.build(objects)) > 1000


def test_the_walk_reads_only_the_declared_fields() -> None:
    """The walk looks at no field of a pod's or claim's ``spec`` that its ``reads``
    declaration (the lines' paths) leaves out."""
    seen: list[str] = []

    class Watched(dict[str, Any]):
        def get(self, key: str, default: Any = None) -> Any:
            seen.append(key)
            return super().get(key, default)

    declared = {(kind, path[1]) for kind, path in workloads.EXTRACTOR.reads.paths()
                if path[0] == "spec"}  # type: ignore[union-attr]
    for kind, spec in (("Pod", {"nodeName": "node", "hostname": "x"}),
                       ("PersistentVolumeClaim", {"volumeName": "v"})):
        raw = {"apiVersion": "v1", "kind": kind, "metadata": {"name": "o", "namespace": "n"},
               "spec": Watched(spec)}
        seen.clear()
        assert list(workloads.EXTRACTOR.extract(Snapshot.build([KubeObject(raw)])))
        assert seen and {(("", kind), key) for key in seen} <= declared, kind


SHARED = shared_dir()


@pytest.mark.corpus
@pytest.mark.skipif(SHARED is None, reason="../shared corpus not present")
def test_the_walk_agrees_on_the_corpus() -> None:
    assert SHARED is not None
    total = 0
    for folder in sorted(p for p in (SHARED / "corpus").iterdir() if p.is_dir()):
        total += assert_same(load_snapshot([str(folder)]))
    assert total > 0


# ---- one-field lines -------------------------------------------------------------------------
_ONE_FIELD = FieldRef("about", ("spec", "x~y/z", "ref"), kinds=frozenset({("", "Pod")}))


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_maybe(_fields({"x~y/z": _maybe(_fields({"ref": _maybe(_fields({
    "apiVersion": st.sampled_from(["v1", "apps/v1", ""]), "kind": _name, "name": _name,
    "namespace": _name}))}))})), min_size=1, max_size=3))
def test_a_line_without_lists_reads_like_the_walk(specs: list[Any]) -> None:
    """``FieldRef.extract`` follows a line without ``*`` by plain lookups; the trie walk of
    ``compile_refs`` follows it step by step: the same edges."""
    snapshot = Snapshot.build([KubeObject({"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": f"p{i}", "namespace": "shop"}, "spec": spec}) for i, spec in enumerate(specs)])
    walked = compile_refs("about", [_ONE_FIELD])
    assert _edges(_ONE_FIELD.extract, snapshot) == _edges(walked.extract, snapshot)
