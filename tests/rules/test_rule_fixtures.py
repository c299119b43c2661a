"""Every rule's fixtures: ``flag.yaml`` must give exactly ``expected.yaml``, and nothing may
be reported on the ``healthy-`` look-alikes. An optional ``against.yaml`` is the live cluster
the inputs are applied to (``scan --against``); ``kube_version`` in ``expected.yaml`` is
``scan --kube-version``. One test per fixture folder; rewrite the
expectations with ``pytest --update-expected`` and review the diff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.audit import audit, ref
from tests.conftest import FIXTURES

RULE_FIXTURES = sorted(p for p in (FIXTURES / "rules").iterdir() if p.is_dir())


def compact(finding: dict[str, Any]) -> dict[str, Any]:
    """The parts of a finding a fixture pins: everything but the derived fingerprint."""
    out: dict[str, Any] = {
        "code": finding["code"],
        "severity": finding["severity"],
        "object": ref(finding["object"]) or None,
        "pointer": finding["pointer"],
        "message": finding["message"],
    }
    if finding["related"]:
        out["related"] = [f"{r['role']}: {ref(r)}" for r in finding["related"]]
    if finding["fix"]:
        out["fix"] = finding["fix"]
    if finding["source"]:
        src = finding["source"]
        out["source"] = f"{src['file']}:{src.get('line', '')}"
    return out


@pytest.mark.parametrize("folder", RULE_FIXTURES, ids=[p.name for p in RULE_FIXTURES])
def test_rule_fixture(folder: Path, update_expected: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    code = folder.name.split("-", 1)[0]
    expected_file = folder / "expected.yaml"
    expected = yaml.safe_load(expected_file.read_text()) or {}
    monkeypatch.chdir(folder)
    inputs = [name for name in ("flag.yaml", "healthy.yaml") if (folder / name).exists()]
    against = ["against.yaml"] if (folder / "against.yaml").exists() else []
    report = audit(inputs, now=expected.get("now"), select=expected.get("select", [code]),
                   options={code: expected.get("options", {})}, against=against,
                   kube_version=expected.get("kube_version"))
    findings = [compact(f) for f in report["findings"] if f["code"] == code]

    healthy_hits = [f for f in findings if (f["object"] or "").rsplit("/", 1)[-1]
                    .rsplit(" ", 1)[-1].startswith("healthy-")]
    assert not healthy_hits, f"{code} fired on a healthy look-alike: {healthy_hits}"

    if update_expected:
        expected["findings"] = findings
        expected_file.write_text(yaml.safe_dump(expected, sort_keys=False, width=100))
    assert findings == expected.get("findings", []), \
        "findings differ from expected.yaml (pytest --update-expected rewrites it)"
    assert findings, f"{folder.name}/flag.yaml raises nothing: a fixture must prove the rule fires"
