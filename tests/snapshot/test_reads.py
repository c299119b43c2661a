"""The lean projection: what it keeps, what it drops, and when it stays out of the way."""

from __future__ import annotations

from typing import Any

import pytest

from kaudit.engine import projection_for
from kaudit.graph.edges import EXTRACTORS
from kaudit.rules.registry import load_catalogue
from kaudit.snapshot.reads import (
    NOTHING,
    Projection,
    Reads,
    StrictDict,
    UndeclaredRead,
    lean_kinds,
    union,
)


def pod(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "ns", "uid": "u1",
                         "annotations": {"a": "b"}},
            "spec": spec, "status": {"phase": "Running", "conditions": [{"type": "Ready"}]}}


READS = Reads({"Pod": ("spec.volumes", "spec.containers.*.envFrom")})


def test_keeps_declared_paths_and_always_kept_fields() -> None:
    projection = Projection.of([READS])
    assert projection is not None
    raw = pod(volumes=[{"name": "v"}], nodeName="n1",
              containers=[{"name": "c", "image": "nginx", "envFrom": [{"configMapRef": {}}]}])
    lean = projection.shape(raw, 100)[0]
    assert lean == {"apiVersion": "v1", "kind": "Pod", "metadata": raw["metadata"],
                    "spec": {"volumes": [{"name": "v"}],
                             "containers": [{"envFrom": [{"configMapRef": {}}]}]},
                    "status": raw["status"]}
    assert lean["metadata"] is raw["metadata"]  # kept whole, not copied


def test_unexpected_shapes_are_kept_as_they_are() -> None:
    projection = Projection.of([READS])
    assert projection is not None
    raw = pod(containers="not a list", volumes={"odd": True})
    assert projection.shape(raw, 10)[0]["spec"] == {"containers": "not a list",
                                                  "volumes": {"odd": True}}
    raw = pod(containers=["text", {"envFrom": 1, "image": "x"}])
    assert projection.shape(raw, 10)[0]["spec"]["containers"] == ["text", {"envFrom": 1}]


def test_other_kinds_manifests_and_big_objects_stay_whole() -> None:
    projection = Projection.of([READS, Reads(whole_at_bytes=1000)])
    assert projection is not None
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"uid": "x"},
               "spec": {"ports": []}}
    assert projection.shape(service, 10)[0] is service
    manifest = pod(nodeName="n")
    del manifest["metadata"]["uid"]
    assert projection.shape(manifest, 10)[0] is manifest
    assert projection.shape(pod(nodeName="n"), 1000)[0]["spec"] == {"nodeName": "n"}
    assert projection.shape(pod(nodeName="n"), 999)[0]["spec"] == {}
    custom = {"apiVersion": "example.org/v1", "kind": "Pod", "metadata": {"uid": "x"},
              "spec": {"a": 1}}
    assert projection.shape(custom, 10)[0] is custom  # a Pod of another group is not lean


def test_an_undeclared_reader_turns_projection_off() -> None:
    assert Projection.of([READS, None]) is None
    assert Projection.of([NOTHING]) is not None


def test_wildcard_kind_paths_apply_to_every_lean_kind() -> None:
    projection = Projection.of([Reads({"*": ("spec.claimRef",)}), READS])
    assert projection is not None
    assert projection.kept("apps", "Deployment") == [
        "apiVersion", "kind", "metadata", "spec.claimRef", "status"]
    assert "spec.volumes" in projection.kept("", "Pod")
    assert "spec.claimRef" in projection.kept("", "Pod")


def test_a_whole_path_absorbs_deeper_ones() -> None:
    projection = Projection.of([union(READS, Reads({"Pod": ("spec.containers",)}))])
    assert projection is not None
    raw = pod(containers=[{"name": "c", "image": "i"}])
    assert projection.shape(raw, 1)[0]["spec"]["containers"] == [{"name": "c", "image": "i"}]


def test_strict_projection_refuses_reads_of_dropped_fields() -> None:
    projection = Projection.of([READS], strict=True)
    assert projection is not None
    lean = projection.shape(pod(nodeName="n", volumes=[]), 1)[0]
    spec = lean["spec"]
    assert isinstance(spec, StrictDict)
    assert spec.get("volumes") == []
    assert spec.get("hostNetwork") is None  # absent from the object too: fine
    with pytest.raises(UndeclaredRead, match="nodeName"):
        spec.get("nodeName")
    with pytest.raises(UndeclaredRead):
        _ = "nodeName" in spec
    with pytest.raises(UndeclaredRead):
        list(spec)
    with pytest.raises(UndeclaredRead):
        bool(spec)
    assert type(lean["status"]) is dict  # always kept whole, a plain dict


def test_every_builtin_reader_declares_what_it_reads() -> None:
    """Projection is on for the built-in rules and extractors: one undeclared reader would
    silently keep every object whole."""
    undeclared = [r.code for r in load_catalogue().rules if r.declared_reads(r.Options()) is None]
    assert undeclared == []
    assert [e.relation for e in EXTRACTORS if e.reads is None] == []
    assert projection_for(load_catalogue()) is not None


def test_lean_kinds_are_builtin_kinds() -> None:
    from kaudit.kinds import BUILTIN_CLUSTER_SCOPED, BUILTIN_NAMESPACED

    assert lean_kinds() <= set(BUILTIN_NAMESPACED) | set(BUILTIN_CLUSTER_SCOPED)


def test_objects_a_reader_compares_whole_by_annotation_stay_whole() -> None:
    projection = Projection.of([READS, Reads(whole_if_annotated=("kopf.zalando.org/x",))])
    assert projection is not None
    kopf = pod(nodeName="n")
    kopf["metadata"]["annotations"]["kopf.zalando.org/x"] = "{}"
    assert projection.shape(kopf, 10) == (kopf, None)
    lean, fingerprint = projection.shape(pod(nodeName="n"), 10)
    assert lean["spec"] == {} and fingerprint is not None


def test_fingerprints_compare_whole_objects_after_the_cut() -> None:
    """UQ001 compares repeated definitions: a cut body must not make two different
    definitions look equal, nor two equal ones (keys in another order) different."""
    from kaudit.snapshot.object import KubeObject

    projection = Projection.of([READS])
    assert projection is not None
    one, two = pod(nodeName="a"), pod(nodeName="b")
    reordered = pod(nodeName="a")
    reordered["spec"] = dict(reversed(list(reordered["spec"].items())))
    objects = []
    for raw in (one, two, reordered):
        lean, fingerprint = projection.shape(raw, 10)
        objects.append(KubeObject(lean, None, 10, fingerprint))
    assert objects[0].raw == objects[1].raw  # the cut bodies are alike…
    assert objects[0].fingerprint() != objects[1].fingerprint()  # …the objects are not
    assert objects[0].fingerprint() == objects[2].fingerprint()
    assert objects[0].fingerprint() == KubeObject(pod(nodeName="a")).fingerprint()
