"""``kaudit scan MANIFESTS --kube-version X.Y``: the release the manifests are meant for turns
removed API versions into errors (SC007); without it (or --against) they pass."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from kaudit.cli import app
from tests.conftest import FIXTURES

SC007 = FIXTURES / "rules/SC007-removed-api-version"
BASE = ["scan", str(SC007 / "flag.yaml"), "--select", "SC007", "--format", "json"]


def test_kube_version_makes_removed_versions_fail_the_gate() -> None:
    runner = CliRunner()
    quiet = runner.invoke(app, BASE)
    assert quiet.exit_code == 0, quiet.output
    assert json.loads(quiet.stdout)["findings"] == []
    old = runner.invoke(app, [*BASE, "--kube-version", "1.15"])
    assert old.exit_code == 0, old.output
    result = runner.invoke(app, [*BASE, "--kube-version", "v1.25"])
    assert result.exit_code == 1, result.output
    names = sorted((f["object"]["kind"], f["evidence"]["removedIn"])
                   for f in json.loads(result.stdout)["findings"])
    assert names == [("CronJob", "1.25"), ("Deployment", "1.16"), ("Ingress", "1.22"),
                     ("PodDisruptionBudget", "1.25"), ("PodSecurityPolicy", "1.25")]


def test_a_bad_kube_version_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, [*BASE, "--kube-version", "latest"])
    assert result.exit_code == 2
    assert "--kube-version" in result.output
