"""Run a scan in-process and return its JSON report, as the CLI would print it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kaudit.apiversions import parse_release
from kaudit.cli.scan import against_sources, choose_now
from kaudit.engine import EngineSettings, run
from kaudit.report import Report
from kaudit.rules.registry import load_catalogue
from kaudit.snapshot.files import load_snapshot
from kaudit.timeutil import parse_time


def audit(paths: Sequence[str], *, now: str | datetime | None = None,
          select: Sequence[str] = (), options: dict[str, dict[str, Any]] | None = None,
          previous: Sequence[str] = (), against: Sequence[str] = (),
          kube_version: str | None = None) -> dict[str, Any]:
    """``previous``: paths of an earlier observation, as ``scan --previous`` takes them;
    ``against``: the live cluster the inputs are applied to, as ``scan --against`` takes it;
    ``kube_version``: the release the inputs are meant for, as ``scan --kube-version``."""
    snapshot = load_snapshot(list(paths))
    earlier = load_snapshot(list(previous)) if previous else None
    live = load_snapshot(list(against)) if against else None
    when = parse_time(now) if isinstance(now, str) else now
    when, source = choose_now(when, snapshot)
    settings = EngineSettings(now=when, select=tuple(select), options=options or {},
                              previous=earlier, against=live,
                              kube_version=parse_release(kube_version) if kube_version else None)
    result = run(snapshot, load_catalogue(), settings)
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
