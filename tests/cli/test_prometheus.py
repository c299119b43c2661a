"""``--format prometheus`` and ``--pushgateway``: the metrics of a one-shot run, checked with
prometheus_client's own text parser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.report.prometheus_format import METRICS
from tests.pushgateway import Gateway, pushgateway

NOW = "2024-06-01T12:00:00Z"


def scan(*args: str) -> Any:
    return CliRunner().invoke(app, ["scan", "--demo", "--now", NOW, "--fail-on", "never",
                                    *args], catch_exceptions=False)


def families(text: str) -> dict[str, Any]:
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_metrics_count_the_json_reports_findings() -> None:
    text = scan("--format", "prometheus").stdout
    report = json.loads(scan("--format", "json").stdout)
    parsed = families(text)
    samples = parsed["kaudit_findings"].samples
    assert sum(s.value for s in samples) == len(report["findings"])
    by_labels = {tuple(sorted(s.labels.items())): s.value for s in samples}
    first = report["findings"][0]
    key = tuple(sorted({"code": first["code"], "rule": first["rule"],
                        "family": first["family"], "severity": first["severity"],
                        "namespace": (first["object"] or {}).get("namespace", ""),
                        "kind": (first["object"] or {}).get("kind", "")}.items()))
    assert by_labels[key] >= 1
    assert parsed["kaudit_objects"].samples[0].value == report["coverage"]["objects"]
    assert parsed["kaudit_kinds"].samples[0].value == report["coverage"]["kinds"]
    stamp = parsed["kaudit_last_successful_evaluation_timestamp_seconds"].samples[0].value
    assert stamp == 1717243200.0  # --now
    # Only what a one-shot run knows: nothing a running watcher measures.
    watch_only = {m.name.removesuffix("_total") for m in METRICS if m.watch_only}
    assert not watch_only & parsed.keys()


def test_output_is_byte_identical_for_the_same_input() -> None:
    assert scan("--format", "prometheus").stdout == scan("--format", "prometheus").stdout


def test_every_exported_name_is_prefixed_and_documented() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for metric in METRICS:
        assert metric.name.startswith("kaudit_")
        assert f"`{metric.name}`" in readme, metric.name


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    with pushgateway() as running:
        yield running


def test_pushgateway_receives_the_same_metrics(gateway: Gateway) -> None:
    result = scan("--format", "json", "--pushgateway", gateway.url)
    assert result.exit_code == 0, result.output
    [(method, path, body)] = gateway.received
    assert (method, path) == ("PUT", "/metrics/job/kaudit")
    assert families(body.decode()).keys() == families(
        scan("--format", "prometheus").stdout).keys()
    assert json.loads(result.stdout)["version"] == 1  # the report itself is unchanged


def test_a_failed_push_is_an_error(gateway: Gateway) -> None:
    gateway.answer = 500
    result = scan("--format", "json", "--pushgateway", gateway.url)
    assert result.exit_code == 2
    assert "push failed" in result.stderr
    assert scan("--pushgateway", "ftp://x").exit_code == 2
