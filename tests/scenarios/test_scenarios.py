"""The incident scenarios (fixtures/scenarios, copied from ../shared/scenarios): each
``expected.yaml`` entry must be found, look-alikes must stay quiet, and no Secret value may
appear in a report. The matching follows ``../shared/tools/check-scenarios``.

An expectation whose rule does not exist yet is an expected failure naming the missing rule,
so the suite shows what is still owed without going red; once the rule lands it must pass.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kaudit.rules.registry import load_catalogue
from tests.audit import audit, ref
from tests.conftest import FIXTURES

SCENARIOS = sorted(p.parent for p in (FIXTURES / "scenarios").glob("*/expected.yaml"))
RANK = {"info": 0, "warning": 1, "error": 2}
CATALOGUE = load_catalogue()
# Findings of the declarative unique-field packs carry codes from UQ100 up.
UNIQUE_PACKS_PRESENT = any(r.code >= "UQ100" and r.code.startswith("UQ")
                           for r in CATALOGUE.rules)


def matches(f: dict[str, Any], e: dict[str, Any]) -> bool:
    checks = [
        "code" not in e or f.get("code") == e["code"],
        "code_any" not in e or f.get("code") in e["code_any"],
        "family" not in e or f.get("family") == e["family"],
        "object" not in e or ref(f.get("object")) == e["object"],
        "any_of" not in e or ref(f.get("object")) in e["any_of"],
        "severity" not in e or f.get("severity") == e["severity"],
        "severity_at_least" not in e
        or RANK.get(f.get("severity"), -1) >= RANK[e["severity_at_least"]],
        "message_contains" not in e or e["message_contains"] in json.dumps(f),
    ]
    return all(checks)


def implemented(entry: dict[str, Any]) -> bool:
    if "code" in entry:
        return CATALOGUE.by_code(entry["code"]) is not None
    if entry.get("family") == "unique":
        return UNIQUE_PACKS_PRESENT
    return True


def secret_values(paths: list[Path]) -> set[str]:
    values: set[str] = set()
    for path in paths:
        for doc in yaml.safe_load_all(path.read_text()):
            if not isinstance(doc, dict) or doc.get("kind") != "Secret":
                continue
            for v in (doc.get("data") or {}).values():
                if isinstance(v, str) and len(v) >= 6:
                    values.add(v)
                    try:
                        decoded = base64.b64decode(v).decode()
                    except Exception:
                        continue
                    if len(decoded) >= 6:
                        values.add(decoded)
            for v in (doc.get("stringData") or {}).values():
                if isinstance(v, str) and len(v) >= 6:
                    values.add(v)
    return values


def blocks() -> list[tuple[Path, str]]:
    out = []
    for folder in SCENARIOS:
        spec = yaml.safe_load((folder / "expected.yaml").read_text())
        out.append((folder, "main"))
        out.extend((folder, block) for block in ("lookalikes", "with_previous") if block in spec)
    return out


@pytest.mark.parametrize(("folder", "block"), blocks(),
                         ids=[f"{f.name}:{b}" for f, b in blocks()])
def test_scenario(folder: Path, block: str) -> None:
    top = yaml.safe_load((folder / "expected.yaml").read_text())
    spec = top if block == "main" else top[block]
    if block == "with_previous" and CATALOGUE.by_code("ST006") is None:
        pytest.xfail("--previous arrives with the status rules (ST006)")
    paths = [folder / p for p in spec["scan"]]
    previous = spec.get("previous") if block == "with_previous" else None
    if isinstance(previous, str):
        previous = [previous]
    report = audit([str(p) for p in paths], now=spec.get("now", top.get("now")),
                   previous=[str(folder / p) for p in previous or []])
    findings = report["findings"]
    problems: list[str] = []
    pending: list[str] = []
    for entry in spec.get("must_flag", []):
        if not any(matches(f, entry) for f in findings):
            (problems if implemented(entry) else pending).append(f"missing {entry}")
    for entry in spec.get("must_not_flag", []):
        bad = [f for f in findings if matches(f, entry)]
        if bad:
            problems.append(f"must not flag {entry}: got {bad[0]['code']} on "
                            f"{ref(bad[0]['object'])}")
    if block == "lookalikes":
        allowed = spec.get("allowed", []) + spec.get("must_flag", [])
        for f in findings:
            if RANK[f["severity"]] >= 1 and not any(matches(f, a) for a in allowed):
                problems.append(f"false alarm {f['code']} {f['severity']} on "
                                f"{ref(f['object'])}: {f['message'][:120]}")
    text = json.dumps(report)
    leaked = [v for v in secret_values(paths) if v in text]
    if leaked:
        problems.append(f"{len(leaked)} Secret value(s) appear in the report")
    assert problems == []
    if pending:
        pytest.xfail("rules not implemented yet: " + "; ".join(pending))
