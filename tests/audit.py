"""Run a scan in-process and return its JSON report, as the CLI would print it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kaudit.apiversions import parse_release
from kaudit.cli.scan import against_sources, choose_now
from kaudit.engine import EngineSettings, projection_for, run
from kaudit.report import Report
from kaudit.rules.registry import load_catalogue
from kaudit.snapshot.files import load_snapshot
from kaudit.timeutil import parse_time


def audit(paths: Sequence[str], *, now: str | datetime | None = None,
          select: Sequence[str] = (), options: dict[str, dict[str, Any]] | None = None,
          previous: Sequence[str] = (), against: Sequence[str] = (),
          kube_version: str | None = None, lean: bool = True) -> dict[str, Any]:
    """``previous``: paths of an earlier observation, as ``scan --previous`` takes them;
    ``against``: the live cluster the inputs are applied to, as ``scan --against`` takes it;
    ``kube_version``: the release the inputs are meant for, as ``scan --kube-version``.

    ``lean`` (the default): load every object of a lean kind, manifests too, in the strict
    lean form (``kaudit.snapshot.reads``): a rule or extractor that reads a body field it did
    not declare fails the test that scans it, so every fixture, incident and scenario proves
    the declarations."""
    catalogue = load_catalogue()
    projection = projection_for(catalogue, tuple(select), (), options or {}, strict=True,
                                manifests=True) if lean else None
    snapshot = load_snapshot(list(paths), projection=projection)
    earlier = load_snapshot(list(previous), projection=projection) if previous else None
    live = load_snapshot(list(against)) if against else None
    when = parse_time(now) if isinstance(now, str) else now
    when, source = choose_now(when, snapshot)
    settings = EngineSettings(now=when, select=tuple(select), options=options or {},
                              previous=earlier, against=live,
                              kube_version=parse_release(kube_version) if kube_version else None)
    result = run(snapshot, catalogue, settings)
    sources = (*snapshot.sources, *against_sources(live))
    report = Report(result.findings, when, source, sources, len(snapshot),
                    len(snapshot.kinds()), snapshot.gaps, result.crashed)
    return report.to_json()


def ref(obj: dict[str, Any] | None) -> str:
    """``apiVersion Kind ns/name`` (or ``... name`` when cluster-scoped), as fixtures write it."""
    if not obj:
        return ""
    where = f"{obj['namespace']}/{obj['name']}" if obj.get("namespace") else obj["name"]
    return f"{obj['apiVersion']} {obj['kind']} {where}"
