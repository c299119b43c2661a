"""The shared corpus: real manifests and cluster dumps from well-known projects.

Skipped when ``../shared`` is absent (a user's clone). Each stack is scanned on its own, as
``SOURCES.md`` says: sibling variants loaded together legitimately conflict.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kaudit.explain import explain
from kaudit.graph import build_graph
from kaudit.snapshot.files import MANIFEST_SUFFIXES, load_paths, load_snapshot
from kaudit.timeutil import format_time, parse_time
from tests.audit import audit
from tests.conftest import shared_dir

pytestmark = pytest.mark.corpus

# Stacks SOURCES.md describes as coherent, healthy installs or real cluster dumps. Not here:
# kubernetes-examples(-archived) (independent examples, duplicate names by design),
# dumps/popeye-testdata (built to contain problems), dumps/argo-cd-health-testdata
# (independent fixtures, deliberately unhealthy: see test_each_argo_fixture_scans).
HEALTHY_STACKS = [
    "argo-cd", "kube-prometheus", "crossplane", "kcp", "kong-ingress-controller",
    "microservices-demo", "cert-manager", "istio/crds", "istio/addons", "istio/bookinfo",
    "gatekeeper", "gateway-api/standard", "gateway-api/experimental", "rook-ceph", "strimzi",
    "longhorn", "metallb",
    *[f"ingress-nginx/{v}" for v in ("aws", "aws-nlb-with-tls-termination", "baremetal",
                                      "cloud", "do", "exoscale", "kind", "oracle", "scw")],
    "dumps/openshift-insights-archive-sample", "dumps/sbctl-kurl-support-bundle",
    "dumps/must-gather-clean-ocp-4.8", "dumps/troubleshoot-k3s-support-bundle",
]

NOW_ARGO = parse_time("2026-01-01T00:00:00Z")
SHARED = shared_dir()
CORPUS = SHARED / "corpus" if SHARED else None


def corpus_files() -> list[Path]:
    if CORPUS is None:
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file()
                  and p.name.lower().endswith(MANIFEST_SUFFIXES))


def test_loader_reads_every_corpus_file_without_an_exception(corpus: Path) -> None:
    files = corpus_files()
    assert len(files) >= 2290
    per_project: dict[str, int] = {}
    for path in files:
        result = load_paths([str(path)])  # an exception here fails the test
        parts = path.relative_to(corpus).parts
        project = "/".join(parts[:2]) if parts[0] == "dumps" else parts[0]
        per_project[project] = per_project.get(project, 0) + len(result.objects)
    print("\nobjects read per corpus folder:")
    for project, count in sorted(per_project.items()):
        print(f"  {project:45} {count:6}")
    assert per_project["argo-cd"] == 59
    # SOURCES.md counts 130 with PyYAML, which cannot read the 753 KB CRD with a bare "=".
    assert per_project["kube-prometheus"] == 131
    assert per_project["dumps/argo-cd-health-testdata"] >= 1340


@pytest.mark.parametrize("stack", HEALTHY_STACKS)
def test_healthy_stack_raises_no_error(corpus: Path, stack: str) -> None:
    report = audit([str(corpus / stack)])
    errors = [(f["code"], f["object"], f["message"]) for f in report["findings"]
              if f["severity"] == "error"]
    assert errors == []


def test_each_argo_fixture_scans(corpus: Path) -> None:
    """Argo CD's health fixtures are independent objects, many deliberately unhealthy: each is
    audited alone, without a crash (a crash is KA003)."""
    folder = corpus / "dumps/argo-cd-health-testdata"
    deleting: list[str] = []
    for path in sorted(folder.rglob("*.yaml")):
        report = audit([str(path)])
        assert not [f for f in report["findings"] if f["code"] == "KA003"], path
        if b"deletionTimestamp" not in path.read_bytes():
            continue
        snapshot = load_snapshot([str(path)])
        for obj in snapshot:
            if obj.deletion_timestamp is None:
                continue
            deleting.append(f"{path.relative_to(folder)}: {obj.ref.short}")
            # ... and kaudit explain builds its tree and patches for it.
            node = explain(snapshot, build_graph(snapshot), obj, NOW_ARGO).to_json()["tree"]
            while not node.get("target"):
                (node,) = node["children"]
            assert node["deletingSince"] == format_time(obj.deletion_timestamp), path
    # Every object with a deletionTimestamp was read as one (an unquoted YAML 1.1 timestamp
    # included) and went through the FN rules and explain without a crash.
    assert len(deleting) == 26, deleting


def test_argo_deleting_fixtures_get_finalizer_evidence(corpus: Path) -> None:
    """A stuck deletion in a lone fixture names who owes the finalizer, from the finalizer's
    domain and the object's own API group when no CRD is in the inputs."""
    path = corpus / ("dumps/argo-cd-health-testdata/resource_customizations/"
                     "promoter.argoproj.io/GitRepository/testdata/deleting.yaml")
    report = audit([str(path)], now="2025-07-04T13:00:00Z", select=["FN001"])
    (finding,) = report["findings"]
    assert finding["evidence"]["controller"] == (
        "the controller of API group promoter.argoproj.io (the object's own group)")
    assert finding["fix"][-2:] == [
        {"op": "test", "path": "/metadata/finalizers/0",
         "value": "gitrepository.promoter.argoproj.io/finalizer"},
        {"op": "remove", "path": "/metadata/finalizers/0"}]
