"""``-o sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run. Every rule that ran is described in ``tool.driver.rules`` (so a clean run still says
what was checked); each finding is a result with a physical location when its object came from
a file and a logical one (the Kubernetes object) always. Suppressed findings are results too,
with ``suppressions``, so code scanning shows them dismissed instead of forgetting them. Input
problems and coverage gaps are also ``toolExecutionNotifications``: the audit was incomplete.
The JSON patch of a fix is in the result's ``properties`` (SARIF ``fixes`` describe text edits
of the artifact; a patch for the live object is not one).

GitHub code scanning refuses a whole upload when one result lacks
``physicalLocation.artifactLocation.uri`` ("locationFromSarifResult: expected artifact
location") or when a run has more than 25,000 results. So an object that came from no file
(stdin, ``--demo``, a live cluster) still gets a physical location: its logical path
``group/version/Kind/namespace/name`` under the ``%KUBERNETES%`` base, line 1; and a run keeps
the 25,000 most severe results and says in a notification how many it left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson

from kaudit import __version__
from kaudit.model import Finding, Related, Severity, SourceLocation, Suppressed
from kaudit.report.locations import logical_name, subject, uri
from kaudit.report.model import Report, RuleInfo
from kaudit.report.options import FormatOptions
from kaudit.report.ruledoc import description, to_markdown, to_text
from kaudit.report.srcroot import source_root
from kaudit.timeutil import format_time

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/kaudit/"
"""The project's page. A constant, not read from the installed metadata: the same input must
give the same bytes whichever way kaudit was installed."""
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT_KEY = "kauditFingerprint/v1"
INPUT_ERROR = "KA001"
SOURCE_ROOT = "%SRCROOT%"
OBJECTS_ROOT = "%KUBERNETES%"
"""The base of the logical URIs given to objects that came from no file."""
MAX_RESULTS = 25_000
"""GitHub code scanning rejects a run with more results than this."""
_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def render_sarif(report: Report, options: FormatOptions) -> str:
    return orjson.dumps(sarif_log(report, options), option=orjson.OPT_INDENT_2).decode() + "\n"


def sarif_log(report: Report, options: FormatOptions) -> dict[str, Any]:
    rules = report.rule_infos()
    index = {r.code: i for i, r in enumerate(rules)}
    root = source_root(options.cwd)
    results = [(f.sort_key(), 0, _result(f, index, root, options, None))
               for f in report.findings]
    results += [(s.finding.sort_key(), 1, _result(s.finding, index, root, options, s))
                for s in report.suppressed]
    left_out = _cap(results)
    results.sort(key=lambda r: r[:2])
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "kaudit",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [_rule(r) for r in rules],
        }},
        "invocations": [_invocation(report, root, options, left_out)],
        "originalUriBaseIds": _uri_bases(root),
        "results": [r[2] for r in results],
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _cap(results: list[tuple[Any, int, dict[str, Any]]]) -> int:
    """Keep the ``MAX_RESULTS`` most severe results (unsuppressed before suppressed), in
    place; return how many were left out."""
    if len(results) <= MAX_RESULTS:
        return 0
    level = {v: _SEVERITY_RANK[k] for k, v in LEVEL.items()}
    results.sort(key=lambda r: (level[r[2]["level"]], r[1], r[0]))
    left_out = len(results) - MAX_RESULTS
    del results[MAX_RESULTS:]
    return left_out


def _uri_bases(root: Path) -> dict[str, Any]:
    """What the two URI bases stand for: relative file URIs resolve against the git work tree
    kaudit ran in, else the working directory (``kaudit.report.srcroot``; an absolute
    ``file:`` URI, as SARIF viewers need to open the file); object URIs name no file, so
    their base has no ``uri``."""
    return {
        SOURCE_ROOT: {"uri": root.as_uri().rstrip("/") + "/",
                      "description": {"text": "the root of the git work tree kaudit ran in "
                                              "(the working directory outside one)"}},
        OBJECTS_ROOT: {"description": {"text": (
            "Kubernetes objects that came from no file (standard input, --demo, a live "
            "cluster), by group/version/Kind/namespace/name")}},
    }


def _rule(rule: RuleInfo) -> dict[str, Any]:
    doc = rule.documentation or rule.summary or rule.name
    out: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": to_text(rule.summary or rule.name)},
        "fullDescription": {"text": description(doc)},
        "help": {"text": to_text(doc), "markdown": to_markdown(doc)},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"family": rule.family.value, "tags": ["kubernetes", rule.family.value]},
    }
    return out


def _physical(source: SourceLocation | None, root: Path,
              options: FormatOptions) -> dict[str, Any] | None:
    if source is None:
        return None
    located = uri(source.file, options.cwd, root)
    if located is None:
        return None
    artifact: dict[str, Any] = {"uri": located[0]}
    if located[1] is not None:
        artifact["uriBaseId"] = located[1]
    # GitHub places an alert by ``region.startLine``; a whole-file problem starts at line 1.
    return {"artifactLocation": artifact, "region": {"startLine": source.line or 1}}


def _object_physical(name: str) -> dict[str, Any]:
    """A physical location for what came from no file: the logical path under
    ``%KUBERNETES%``, every segment percent-encoded (``:`` in ``system:…`` names too)."""
    path = "/".join(quote(part, safe="") for part in name.split("/"))
    return {"artifactLocation": {"uri": path, "uriBaseId": OBJECTS_ROOT},
            "region": {"startLine": 1}}


def _located(source: SourceLocation | None, logical: str, root: Path,
             options: FormatOptions) -> dict[str, Any]:
    return _physical(source, root, options) or _object_physical(logical)


def _logical(finding: Finding) -> dict[str, Any]:
    if finding.object is None:
        name = subject(finding)
        return {"name": name, "fullyQualifiedName": name, "kind": "resource"}
    return {"name": finding.object.name, "fullyQualifiedName": logical_name(finding.object),
            "kind": "resource"}


def _related(i: int, rel: Related, root: Path, options: FormatOptions) -> dict[str, Any]:
    out: dict[str, Any] = {"id": i, "message": {"text": f"{rel.role}: {rel.ref.short}"}}
    out["physicalLocation"] = _located(rel.source, logical_name(rel.ref), root, options)
    out["logicalLocations"] = [{"name": rel.ref.name, "fullyQualifiedName": logical_name(rel.ref),
                                "kind": "resource"}]
    return out


def _result(finding: Finding, index: dict[str, int], root: Path, options: FormatOptions,
            suppressed: Suppressed | None) -> dict[str, Any]:
    logical = _logical(finding)
    location: dict[str, Any] = {
        "physicalLocation": _located(finding.source, logical["fullyQualifiedName"], root,
                                     options),
        "logicalLocations": [logical],
    }
    text = f"{finding.object.short}: {finding.message}" if finding.object else finding.message
    out: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
    if finding.related:
        out["relatedLocations"] = [_related(i, r, root, options)
                                   for i, r in enumerate(finding.related, start=1)]
    if suppressed is not None:
        entry: dict[str, Any] = {"kind": "inSource" if suppressed.in_source else "external",
                                 "status": "accepted"}
        if suppressed.justification:
            entry["justification"] = suppressed.justification
        entry["properties"] = {"via": suppressed.via}
        out["suppressions"] = [entry]
    properties: dict[str, Any] = {"family": finding.family.value, "rule": finding.rule}
    if finding.pointer:
        properties["pointer"] = finding.pointer
    if finding.fix:
        properties["fix"] = {"type": "json-patch", "patch": list(finding.fix)}
    if finding.extra:
        properties["evidence"] = dict(finding.extra)
    out["properties"] = properties
    return out


def _invocation(report: Report, root: Path, options: FormatOptions,
                left_out: int) -> dict[str, Any]:
    notifications: list[dict[str, Any]] = []
    if left_out:
        notifications.append({
            "level": "warning",
            "message": {"text": f"{left_out} least severe results left out: GitHub code "
                                f"scanning accepts at most {MAX_RESULTS} results per run; "
                                "-o json has them all"},
        })
    for gap in sorted(report.gaps, key=lambda g: (g.resource, g.reason)):
        detail = f" ({gap.detail})" if gap.detail else ""
        notifications.append({
            "level": "warning",
            "message": {"text": f"coverage gap: {gap.resource} not read: {gap.reason}{detail}"},
            "descriptor": {"id": "KA002"},
            "properties": gap.to_json(),
        })
    for f in report.findings:
        if f.code != INPUT_ERROR:
            continue
        note: dict[str, Any] = {"level": LEVEL[f.severity],
                                "message": {"text": f"input not audited: {f.message}"},
                                "descriptor": {"id": INPUT_ERROR}}
        physical = _physical(f.source, root, options)
        if physical is not None:
            note["locations"] = [{"physicalLocation": physical}]
        notifications.append(note)
    for code in report.crashed:
        notifications.append({"level": "error",
                              "message": {"text": f"rule {code} crashed; its findings are "
                                                  "missing"},
                              "descriptor": {"id": "KA003"}, "associatedRule": {"id": code}})
    return {
        "executionSuccessful": not report.crashed,
        "toolExecutionNotifications": notifications,
        "properties": {
            "config": report.config.to_json() if report.config is not None else None,
            "now": format_time(report.now) if report.now_source != "clock" else None,
            "sources": [s.to_json() for s in report.sources],
            "coverage": {"objects": report.objects, "kinds": report.kinds},
            "suppressed": len(report.suppressed),
        },
    }
