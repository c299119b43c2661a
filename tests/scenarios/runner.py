"""Check one folder of ``expected.yaml`` + inputs against a scan: the runner behind the incident
scenarios (fixtures/scenarios) and the real incidents (fixtures/incidents). The matching follows
``../shared/tools/check-scenarios``; ``fixtures/scenarios/README.md`` documents the format.

What it owes the suite: each ``must_flag`` entry is found, no ``must_not_flag`` entry is, no
warning or error outside ``must_flag``/``allowed`` appears where the block lists ``allowed``, and
no Secret value of the inputs reaches the report. An entry whose rule does not exist yet, or that
names the capability it waits for under ``needs``, is an expected failure naming what is owed,
so the suite shows it without going red; once the capability lands the entry simply passes.
A folder whose ``known_gap`` says kaudit cannot catch it yet is an expected failure while a
``must_flag`` entry is missing, and a failure once everything is caught (the line must go).
``against`` names the live-cluster inputs (``scan --against``).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kaudit.rules.registry import load_catalogue
from tests.audit import audit, ref

RANK = {"info": 0, "warning": 1, "error": 2}
CATALOGUE = load_catalogue()
# Findings of the declarative unique-field packs carry codes from UQ100 up.
UNIQUE_PACKS_PRESENT = any(r.code >= "UQ100" and r.code.startswith("UQ")
                           for r in CATALOGUE.rules)
BLOCKS = ("lookalikes", "with_previous")


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


def owed(entry: dict[str, Any]) -> str | None:
    """What a failing entry waits for (``None``: nothing, so its failure is a real one)."""
    if entry.get("needs"):
        return str(entry["needs"])
    if "code" in entry and CATALOGUE.by_code(entry["code"]) is None:
        return f"rule {entry['code']}"
    if entry.get("family") == "unique" and not UNIQUE_PACKS_PRESENT:
        return "the unique-field packs"
    return None


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


def folders(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.glob("*/expected.yaml"))


def blocks(root: Path) -> list[tuple[Path, str]]:
    """(folder, block) for every scan the folders under ``root`` ask for."""
    out = []
    for folder in folders(root):
        spec = yaml.safe_load((folder / "expected.yaml").read_text())
        out.append((folder, "main"))
        out.extend((folder, block) for block in BLOCKS if block in spec)
    return out


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)


def check_block(folder: Path, block: str) -> Outcome:
    """Scan one block of ``folder/expected.yaml`` and compare; nothing is asserted here."""
    top = yaml.safe_load((folder / "expected.yaml").read_text())
    spec = top if block == "main" else top[block]
    paths = [folder / p for p in spec["scan"]]
    previous = spec.get("previous") if block == "with_previous" else None
    if isinstance(previous, str):
        previous = [previous]
    report = audit([str(p) for p in paths], now=spec.get("now", top.get("now")),
                   previous=[str(folder / p) for p in previous or []],
                   against=[str(folder / p) for p in spec.get("against", [])])
    findings = report["findings"]
    out = Outcome()
    gap = " ".join(str(spec.get("known_gap") or "").split())
    missing = [e for e in spec.get("must_flag", []) if not any(matches(f, e) for f in findings)]
    if gap and missing:
        out.pending.append(f"known gap: {gap}")
    elif gap:
        out.problems.append(f"caught now: remove known_gap from {folder.name}/expected.yaml")
    for entry in [] if gap else missing:
        waits = owed(entry)
        (out.pending if waits else out.problems).append(
            f"missing {entry}" + (f" (needs {waits})" if waits else ""))
    for entry in spec.get("must_not_flag", []):
        bad = [f for f in findings if matches(f, entry)]
        if bad:
            waits = entry.get("needs")
            (out.pending if waits else out.problems).append(
                f"must not flag {entry}: got {bad[0]['code']} on {ref(bad[0]['object'])}"
                + (f" (needs {waits})" if waits else ""))
    if block == "lookalikes" or "allowed" in spec:
        allowed = spec.get("allowed", []) + spec.get("must_flag", [])
        for f in findings:
            if RANK[f["severity"]] >= 1 and not any(matches(f, a) for a in allowed):
                out.problems.append(f"false alarm {f['code']} {f['severity']} on "
                                    f"{ref(f['object'])}: {f['message'][:120]}")
    text = json.dumps(report)
    leaked = [v for v in secret_values(paths) if v in text]
    if leaked:
        out.problems.append(f"{len(leaked)} Secret value(s) appear in the report")
    return out
