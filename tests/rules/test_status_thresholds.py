"""Status-rule behaviour at the real thresholds and across observations, beyond the fixtures."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.audit import audit
from tests.conftest import FIXTURES

KOPF = FIXTURES / "scenarios/kopf-stale-handler"
EU1 = "logs-eu-1"


def _write(path: Path, docs: list[dict]) -> str:
    path.write_text(yaml.safe_dump_all(docs))
    return str(path)


def test_annotations_over_the_hard_cap_are_an_error_naming_the_biggest(tmp_path: Path) -> None:
    def cm(name: str, size: int) -> dict:
        return {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": "a", "annotations": {
                    "small": "x", "kubectl.kubernetes.io/last-applied-configuration": "y" * size}}}
    path = _write(tmp_path / "big.yaml", [cm("near", 200_000), cm("over", 270_000),
                                          cm("fine", 150_000)])
    findings = audit([path], now="2024-06-01T00:00:00Z", select=["ST005"])["findings"]
    got = {f["object"]["name"]: (f["severity"], f["pointer"]) for f in findings}
    pointer = "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration"
    assert got == {"near": ("warning", pointer), "over": ("error", pointer)}


def _eu1(path: Path) -> dict:
    return next(d for d in yaml.safe_load_all(path.read_text())
                if d and d["metadata"]["name"] == EU1)


def test_a_new_diff_base_between_observations_keeps_it_a_warning(tmp_path: Path) -> None:
    earlier = _eu1(KOPF / "snapshot.yaml")
    annotations = earlier["metadata"]["annotations"]
    key = "kopf.zalando.org/last-handled-configuration"
    annotations[key] = annotations[key].replace("20240502", "20240501")
    previous = _write(tmp_path / "earlier.yaml", [earlier])
    report = audit([str(KOPF / "later.yaml")], now="2024-05-15T08:15:00Z", select=["ST006"],
                   previous=[previous])
    assert [f["severity"] for f in report["findings"]] == ["warning"]


def test_observations_closer_than_grace_keep_it_a_warning(tmp_path: Path) -> None:
    later = _eu1(KOPF / "later.yaml")
    for entry in later["metadata"]["managedFields"]:
        if entry.get("subresource") == "status":
            entry["time"] = "2024-05-15T08:01:30Z"  # two minutes after the earlier write
    current = _write(tmp_path / "later.yaml", [later])
    report = audit([current], now="2024-05-15T08:02:00Z", select=["ST006"],
                   previous=[str(KOPF / "snapshot.yaml")])
    assert [f["severity"] for f in report["findings"]] == ["warning"]


def test_the_same_resource_version_is_not_evidence_of_persistence() -> None:
    report = audit([str(KOPF / "snapshot.yaml")], now="2024-05-15T08:15:00Z", select=["ST006"],
                   previous=[str(KOPF / "snapshot.yaml")])
    assert [f["severity"] for f in report["findings"]] == ["warning"]
