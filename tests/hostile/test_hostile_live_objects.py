"""A hostile API server's objects are held to the same bounds as files: an object nested too
deep or with metadata the real API server would never return is left out, and its type is
reported incomplete (KA002), instead of crashing a rule for the whole scan."""

from __future__ import annotations

from typing import Any

from kaudit.snapshot.limits import MAX_DEPTH
from tests.live.cluster import build_cluster, obj
from tests.live.conftest import StartLive


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"k": value}
    return value


def test_unauditable_live_objects_become_a_coverage_gap(start_live: StartLive) -> None:
    cluster = build_cluster()
    configmaps = next(r for r in cluster.resources if r.plural == "configmaps")
    configmaps.objects.append(obj("v1", "ConfigMap", "deep", "shop",
                                  data={"x": nested(MAX_DEPTH + 20)}))
    configmaps.objects.append(obj("v1", "ConfigMap", "bad-labels", "shop",
                                  metadata={"labels": {"n": 7}}))
    live = start_live(cluster)
    report = live.report()
    assert not [f for f in report["findings"] if f["code"] == "KA003"]
    [gap] = [g for g in report["coverage"]["gaps"] if g["resource"] == "configmaps"]
    assert gap["reason"] == "objects skipped"
    assert gap["detail"] == f"2 cannot be audited, first: nested deeper than {MAX_DEPTH} levels"
    # The rest of the type is still read and audited.
    assert report["coverage"]["objects"] == 19
