"""A scan of the benchmark's cluster finds exactly the faults the generator planted, one by
one (``bench/planted.py``): a rule that stops reporting a planted fault, a false alarm on the
healthy objects, or a generator change nobody declared each fail here, naming the finding.
Findings are counted and compared, never timed."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench import planted as check
from bench.generate import (
    GENERATOR_VERSION,
    Expected,
    generate,
    generate_planted,
    object_id,
    planted,
    snapshot_json,
)
from tests.audit import audit

GENERATED = {2: "ba493cef353fd63d"}
"""sha256 (first 16 hex digits) of the 1,000-object saved snapshot of seed 1, per
``GENERATOR_VERSION``: the cached inputs are named by the version, so output that changes
without a new version would leave stale files (and stale published numbers) behind."""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("planted")


@pytest.mark.parametrize("size", [1_000, 10_000])
def test_a_scan_finds_exactly_the_planted_faults(size: int, inputs: Path) -> None:
    comparison, scan, _ = check.check(size, folder=inputs, log=lambda _: None)
    assert scan.exit_code == 0 and not scan.report.get("crashed"), scan.stderr
    assert comparison.lines() == []
    assert comparison.ok and comparison.reported == comparison.expected
    # Both kinds of fault are planted and found (the first two apps always carry one each).
    assert set(comparison.faults) == set(comparison.matched) == {"stuck-deletion",
                                                                 "owner-recreated"}
    assert comparison.expected >= (4 if size == 1_000 else 60)


def test_the_yaml_dump_of_the_same_cluster_finds_the_same_faults(inputs: Path) -> None:
    comparison, scan, path = check.check(1_000, fmt="yaml", folder=inputs, log=lambda _: None)
    assert path.suffix == ".yaml" and scan.exit_code == 0
    assert comparison.lines() == [] and comparison.reported == comparison.expected > 0


def test_every_cut_of_the_last_app_is_explained(tmp_path: Path) -> None:
    """A run ends inside an app (``generate`` cuts it short): whatever is cut (a pod's owner
    stays, its Service or ConfigMap goes, a planted pod goes) causes no finding beyond the
    plants kept. Sizes 1-60 cut each of the first four apps at every position, two of them
    with plants."""
    for size in range(1, 61):
        objects, expected = generate_planted(size, 1)
        path = tmp_path / f"{size}.json"
        path.write_bytes(snapshot_json(objects))
        comparison = check.compare(expected, audit([str(path)], now=check.NOW)["findings"])
        assert comparison.lines() == [], size


def test_every_planted_finding_points_into_its_object() -> None:
    """The plant states the finding from the object it built: the object is in the cluster,
    the pointer resolves in it, and the related owner exists."""
    objects, expected = generate_planted(3_000, 3)
    by_id = {object_id(o): o for o in objects}
    assert expected
    for e in expected:
        target: Any = by_id[e.obj]
        for part in e.pointer.strip("/").split("/"):
            target = target[int(part)] if isinstance(target, list) else target[part]
        assert all(r in by_id for r in e.related)
    assert planted(3_000, 3) == expected  # the streaming list is the same list


def test_a_young_deletion_is_planted_absent_with_its_reason() -> None:
    """A stuck-deletion plant younger than FN001's grace must not cause FN001 (the rule
    rightly waits): the plant says so, with why, instead of being dropped."""
    absent = [e for e in planted(10_000, 1) if e.absent]
    assert [(e.code, e.obj[3]) for e in absent] == [("FN001",
                                                     "worker-00535-jtltjr5l6n-69tc8")]
    assert "inside FN001's grace of 0:15:00" in absent[0].absent


@pytest.mark.parametrize("twins", [(0, 1), (1, 2), (0, 2)])
def test_pods_of_one_name_are_declared_and_found(
        twins: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The side effect seed 1 shows once at 1M objects, made to happen in every app: two Pods
    of one ReplicaSet draw the same name suffix. UQ001 reports the later one, and plants on
    it are shadowed (the rules judge the first definition): both declared, both found."""
    from bench import generate as gen

    original, calls = gen._hash, [0]

    def colliding(rng: Any, n: int = 10) -> str:
        drawn = original(rng, n)  # drawn anyway: everything else stays as generated
        if n != 5:
            return drawn
        calls[0] += 1
        return "twin5" if (calls[0] - 1) % 3 in twins else drawn

    monkeypatch.setattr(gen, "_hash", colliding)
    objects, expected = gen.generate_planted(1_000, 1)
    collisions = [e for e in expected if e.fault.startswith("pod-name-collision")]
    assert len(collisions) == sum(o["kind"] == "Deployment" for o in objects) > 80
    assert all(e.code == "UQ001" and e.obj[3].endswith("-twin5") for e in collisions)
    path = tmp_path / "twins.json"
    path.write_bytes(snapshot_json(objects))
    comparison = check.compare(expected, audit([str(path)], now=check.NOW)["findings"])
    assert comparison.lines() == []
    assert comparison.matched["stuck-deletion"] and comparison.matched["owner-recreated"]
    if twins == (0, 1):  # plants fall on later twins here (cache-00027): shadowed, kept
        assert any(e.absent.startswith("shadowed") for e in comparison.absent)


def test_a_kept_report_is_compared_again_without_a_scan(
        inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kept = tmp_path / "report.json"
    assert check.main(["1000", "--inputs", str(inputs), "--report", str(kept)]) == 0
    report = orjson.loads(kept.read_bytes())
    assert check.main(["1000", "--from-report", str(kept)]) == 0
    report["findings"] = report["findings"][1:]
    kept.write_bytes(orjson.dumps(report))
    capsys.readouterr()
    assert check.main(["1000", "--from-report", str(kept)]) == 1
    assert capsys.readouterr().out.startswith("missing     FN001 error v1 Pod team-0000/")


def _finding(e: Expected, **extra: Any) -> dict[str, Any]:
    api_version, kind, namespace, name = e.obj
    return {"code": e.code, "severity": e.severity, "pointer": e.pointer,
            "object": {"apiVersion": api_version, "kind": kind, "namespace": namespace,
                       "name": name},
            "related": [dict(zip(("apiVersion", "kind", "namespace", "name"), r, strict=True))
                        for r in e.related], **extra}


def test_each_difference_is_named() -> None:
    expected = planted(1_000, 1)
    findings = [_finding(e) for e in expected]
    assert check.compare(expected, findings).ok
    dropped, doubled = findings[0], findings[1]
    recreated = next(f for f in findings if f["related"])
    stray = {**findings[2], "code": "ST999", "message": "a false alarm"}
    changed = [f for f in findings if f is not dropped] + [doubled, stray]
    changed[changed.index(recreated)] = {**recreated, "related": []}
    result = check.compare(expected, changed)
    assert not result.ok
    lines = "\n".join(result.lines())
    assert f"missing     {check.describe(check.finding_key(dropped))}" in lines
    assert f"duplicated  {check.describe(check.finding_key(doubled))}  reported 2 times" in lines
    assert f"unexpected  {check.describe(check.finding_key(stray))}  a false alarm" in lines
    assert f"mismatched  {check.describe(check.finding_key(recreated))}  must name" in lines
    assert len(result.lines()) == 4


def test_a_planted_absent_finding_reported_anyway_is_unexpected() -> None:
    expected = planted(10_000, 1)
    findings = [_finding(e) for e in expected]
    result = check.compare(expected, findings)
    assert [line.split()[0] for line in result.lines()] == ["unexpected"]
    assert "worker-00535-jtltjr5l6n-69tc8" in result.lines()[0]


def test_the_command_exits_non_zero_on_a_difference(
        inputs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    output = tmp_path / "planted.json"
    assert check.main(["1000", "--inputs", str(inputs), "--output", str(output)]) == 0
    assert "exactly the planted findings" in capsys.readouterr().out
    saved = orjson.loads(output.read_bytes())
    assert saved["ok"] and saved["cpu_seconds"] > 0 and saved["peak_rss_kib"] > 0
    # A generator that forgot one of its plants: the scan's finding is unexpected.
    monkeypatch.setattr(check, "planted", lambda size, seed: planted(size, seed)[1:])
    assert check.main(["1000", "--inputs", str(inputs)]) == 1
    assert "unexpected  FN001 error v1 Pod team-0000/" in capsys.readouterr().out


def test_the_generated_bytes_match_the_generator_version() -> None:
    digest = hashlib.sha256(snapshot_json(generate(1_000, 1))).hexdigest()[:16]
    assert GENERATED.get(GENERATOR_VERSION) == digest, (
        "bench/generate.py writes different files: bump GENERATOR_VERSION and pin the new "
        "digest here")


def test_a_list_claiming_one_finding_twice_is_refused(
        inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Two plants expecting one finding would hide a duplicate: refused, never matched."""
    expected = planted(1_000, 1)
    with pytest.raises(check.PlantedTwice, match="FN001 error v1 Pod team-0000/"):
        check.compare([expected[0], *expected], [])
    report = tmp_path / "report.json"
    report.write_bytes(orjson.dumps({"findings": []}))
    monkeypatch.setattr(check, "planted", lambda size, seed: [expected[0], *expected])
    assert check.main(["1000", "--from-report", str(report)]) == 2
    assert "claims one finding twice" in capsys.readouterr().out
