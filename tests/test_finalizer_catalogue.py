"""The catalogue of well-known finalizers: complete entries, the projects the FN rules must
know, deterministic listing, and how a finalizer is matched to its entry."""

from __future__ import annotations

import orjson
import yaml
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.finalizers import TABLE, identify
from kaudit.finalizers.table import CATALOGUE, OwnerKind, lookup
from kaudit.snapshot import KubeObject, Snapshot

PROJECTS = ["Kubernetes", "Rancher", "external-attacher", "external-provisioner",
            "external-snapshotter", "Velero", "Argo CD", "Flux", "KEDA", "Istio", "Longhorn",
            "Rook", "cert-manager", "Crossplane", "Kopf", "Strimzi", "prometheus-operator",
            "ECK", "Knative", "Tekton", "Cluster API", "Karpenter",
            "AWS Load Balancer Controller"]


def test_every_entry_has_owner_source_and_leaves_behind() -> None:
    assert len(TABLE) >= 60
    for k in TABLE:
        assert k.controller and k.project, k.key
        assert k.source.startswith("https://github.com/") and "/blob/" in k.source, k.key
        assert len(k.leaves_behind) > 20, k.key
        assert k.found_on, k.key
    keys = [(k.match, k.key) for k in TABLE]
    assert len(keys) == len(set(keys)), "an entry is listed twice"


def test_catalogue_covers_the_ecosystem() -> None:
    projects = " ".join(k.project for k in TABLE)
    missing = [p for p in PROJECTS if p not in projects]
    assert not missing


def test_every_document_key_is_known() -> None:
    allowed = {"finalizer", "pattern", "domain", "project", "controller", "owner", "foundOn",
               "source", "workload", "servesObjectGroup", "kopf", "leavesBehind"}
    for doc in yaml.safe_load(CATALOGUE.read_text()):
        assert set(doc) <= allowed, doc
        assert sum(k in doc for k in ("finalizer", "pattern", "domain")) == 1, doc
        assert set(doc.get("workload") or {}) <= {"namespace", "names", "labels"}, doc


def _obj(kind: str, api_version: str) -> KubeObject:
    return KubeObject({"apiVersion": api_version, "kind": kind,
                       "metadata": {"name": "x", "namespace": "ns"}})


def test_exact_beats_pattern_beats_domain_and_patterns_fill_in_the_suffix() -> None:
    assert lookup("finalizer.acme.cert-manager.io")[0].match == "exact"
    assert lookup("something.cert-manager.io/else")[0].domain == "cert-manager.io"
    known, suffix = lookup("external-attacher/ebs-csi-aws-com")
    assert (known.pattern, suffix) == ("external-attacher/*", "ebs-csi-aws-com")
    owner = identify("external-attacher/ebs-csi-aws-com",
                     _obj("VolumeAttachment", "storage.k8s.io/v1"), Snapshot.build([]))
    assert "driver ebs-csi-aws-com" in owner.controller
    assert owner.source.endswith("external-attacher/blob/master/pkg/controller/util.go")
    assert lookup("nobody.example.org/cleanup") is None
    assert identify("kubernetes.io/pv-controller", _obj("PersistentVolume", "v1"),
                    Snapshot.build([])).kind is OwnerKind.CONTROL_PLANE


def test_liveness_by_workload_labels_and_namespaced_names() -> None:
    from kaudit.finalizers import State, assess
    from kaudit.timeutil import parse_time

    def deploy(name: str, ns: str, labels: dict[str, str], available: int) -> KubeObject:
        return KubeObject({"apiVersion": "apps/v1", "kind": "Deployment",
                           "metadata": {"name": name, "namespace": ns, "labels": labels},
                           "spec": {"replicas": 1},
                           "status": {"availableReplicas": available}})

    now = parse_time("2024-06-01T12:00:00Z")
    so = _obj("ScaledObject", "keda.sh/v1alpha1")
    # KEDA installed under another name, found by its label
    snap = Snapshot.build([deploy("autoscaler", "ops", {"app": "keda-operator"}, 0)])
    owner = identify("finalizer.keda.sh", so, snap)
    assert assess(owner, so, snap, now).state is State.GONE
    # Knative's "controller" only counts in knative-serving, not MetalLB's "controller"
    svc = _obj("Service", "serving.knative.dev/v1")
    snap = Snapshot.build([deploy("controller", "metallb-system", {}, 1)])
    owner = identify("services.serving.knative.dev", svc, snap)
    assert assess(owner, svc, snap, now).state is not State.ALIVE


def test_cli_lists_deterministically_in_both_formats() -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["finalizers", "--format", "json"])
    assert first.exit_code == 0
    rows = orjson.loads(first.stdout)
    assert len(rows) == len(TABLE)
    assert [r["finalizer"].lower() for r in rows] == sorted(r["finalizer"].lower() for r in rows)
    assert runner.invoke(app, ["finalizers", "--format", "json"]).stdout == first.stdout
    table = runner.invoke(app, ["finalizers", "velero"])
    assert table.exit_code == 0
    assert "restores.velero.io/external-resources-finalizer" in table.stdout
    assert "2 of" in table.stdout
    assert runner.invoke(app, ["finalizers", "--format", "xml"]).exit_code == 2


def test_catalogue_entries_keep_the_api_group_evidence() -> None:
    """A catalogued operator finalizer still points at its API group: a CRD being deleted
    (the operator being uninstalled) is evidence that nobody will remove it."""
    from kaudit.finalizers import State, assess
    from kaudit.timeutil import parse_time

    crd = KubeObject({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                      "metadata": {"name": "scaledobjects.keda.sh",
                                   "deletionTimestamp": "2024-06-01T10:00:00Z"},
                      "spec": {"group": "keda.sh", "names": {"kind": "ScaledObject"}}})
    so = _obj("ScaledObject", "keda.sh/v1alpha1")
    snap = Snapshot.build([crd])
    owner = identify("finalizer.keda.sh", so, snap)
    assert owner.controller == "KEDA operator" and owner.groups == ("keda.sh",)
    liveness = assess(owner, so, snap, parse_time("2024-06-01T12:00:00Z"))
    assert liveness.state is State.GONE
    topic = _obj("KafkaTopic", "kafka.strimzi.io/v1beta2")
    assert identify("strimzi.io/topic-operator", topic, Snapshot.build([])).groups == \
        ("kafka.strimzi.io",)
