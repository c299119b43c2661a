"""The benchmark itself works: it generates valid, deterministic inputs, kaudit reads them
completely (both formats), and the runner measures and reports. Timings are never asserted."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest

from bench import run
from bench.generate import generate, write_inputs
from kaudit.snapshot.files import load_snapshot

SIZE = 300


def test_generator_is_deterministic_and_realistic() -> None:
    objects = generate(SIZE, seed=7)
    assert len(objects) == SIZE
    assert orjson.dumps(objects) == orjson.dumps(generate(SIZE, seed=7))
    assert orjson.dumps(objects) != orjson.dumps(generate(SIZE, seed=8))
    kinds = Counter(o["kind"] for o in objects)
    for kind in ("Deployment", "ReplicaSet", "Pod", "Service", "ConfigMap", "Secret",
                 "CustomResourceDefinition", "Namespace", "Event"):
        assert kinds[kind] > 0, kind
    by_uid = {o["metadata"]["uid"]: o for o in objects}
    pod = next(o for o in objects if o["kind"] == "Pod")
    rs = by_uid[pod["metadata"]["ownerReferences"][0]["uid"]]
    assert rs["kind"] == "ReplicaSet"
    assert by_uid[rs["metadata"]["ownerReferences"][0]["uid"]]["kind"] == "Deployment"


def test_both_files_hold_the_same_objects(tmp_path: Path) -> None:
    json_path, yaml_path = write_inputs(SIZE, 1, tmp_path)
    from_json = load_snapshot([str(json_path)])
    from_yaml = load_snapshot([str(yaml_path)])
    assert len(from_json.objects) == len(from_yaml.objects) == SIZE
    assert not from_json.problems and not from_yaml.problems
    assert [o.raw for o in from_json.objects] == [o.raw for o in from_yaml.objects]


def test_runner_measures_every_task_and_reports_ratios(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(run, "RESULTS", tmp_path)
    output = tmp_path / "out.json"
    assert run.main(["--sizes", "150", str(SIZE), "--output", str(output)]) == 0
    printed = capsys.readouterr().out
    assert "JSON full scan / orjson.loads" in printed
    assert "YAML load / CSafeLoader load_all" in printed
    saved = orjson.loads(output.read_bytes())
    tasks = {(r["task"], r["format"], r["size"]) for r in saved["results"]}
    assert tasks == {(t, f, s) for s in (150, SIZE)
                     for t, f in (("orjson", "json"), ("orjson+gc", "json"), ("scan", "json"),
                                  ("yaml", "yaml"), ("yaml+gc", "yaml"), ("scan", "yaml"))}
    for r in saved["results"]:
        assert r["seconds"] > 0 and r["cpu_seconds"] > 0
        assert r["peak_rss_kib"] >= r["base_rss_kib"] > 0
        if r["task"] == "scan":
            assert set(r["phases"]) == {"load", "graph", "rules", "report"}
            # The generated unhealthy pods are found (stuck deletions are errors).
            assert r["findings"]["error"] > 0
    ratios = saved["ratios"]
    row = ratios["per_size"][str(SIZE)]
    assert set(row) >= {"json_time", "json_memory", "yaml_load", "json_time_vs_gc_floor"}
    assert set(row["json_time"]) == {"cpu", "wall"}
    assert set(ratios["growth"]) == {"from", "to", "json", "yaml"}
