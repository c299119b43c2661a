"""Kubernetes API versions over time: which groups serve one kind, what older versions
defaulted, and which release stopped serving which group-version.

The knowledge lives in ``kaudit/data/api_versions.yaml`` (a newcomer extends the table, not
the code); this module loads it once and answers the questions rules ask. A manifest written
for an old cluster (``extensions/v1beta1`` Deployment, ``policy/v1beta1`` PDB) is the same
object to every rule as its current-version twin, with the defaults its version had.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from kaudit import yamldata

_RELEASE = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?$")


@dataclass(frozen=True, slots=True)
class Removal:
    """``api_version`` of ``kind`` is not served from ``release`` on; use ``replacement``."""

    api_version: str
    kind: str
    release: tuple[int, int]
    replacement: str

    @property
    def release_text(self) -> str:
        return f"{self.release[0]}.{self.release[1]}"


@dataclass(frozen=True)
class ApiVersions:
    equivalent: Mapping[tuple[str, str], tuple[str, ...]]
    """(group, kind) -> every group serving that kind, current first."""
    selector_from_template: frozenset[tuple[str, str]]
    """(apiVersion, kind) whose missing ``spec.selector`` defaulted to the template labels."""
    empty_selector_selects_all: Mapping[tuple[str, str], bool]
    """(apiVersion, kind) -> whether an empty (``{}``) selector selects every pod."""
    removals: Mapping[tuple[str, str], Removal]
    """(apiVersion, kind) -> when it stopped being served."""


def parse_release(text: str) -> tuple[int, int]:
    """``1.25``, ``v1.25`` or ``1.25.3`` -> ``(1, 25)``; ``ValueError`` otherwise."""
    match = _RELEASE.match(str(text).strip())
    if match is None:
        raise ValueError(f"not a Kubernetes release: {text!r} (expected MAJOR.MINOR, e.g. 1.29)")
    return int(match.group(1)), int(match.group(2))


@cache
def table() -> ApiVersions:
    text = resources.files("kaudit.data").joinpath("api_versions.yaml").read_text()
    return build(yamldata.load(text))


def build(doc: Mapping[str, Any]) -> ApiVersions:
    equivalent: dict[tuple[str, str], tuple[str, ...]] = {}
    for entry in doc.get("same_kind") or []:
        groups = tuple(str(g) for g in entry["groups"])
        for group in groups:
            equivalent[(group, str(entry["kind"]))] = groups
    defaults = doc.get("defaults") or {}
    from_template = frozenset(
        (str(e["apiVersion"]), str(kind))
        for e in defaults.get("selector_from_template_labels") or [] for kind in e["kinds"])
    empty = {(str(e["apiVersion"]), str(e["kind"])): e["selects"] == "everything"
             for e in defaults.get("empty_selector") or []}
    removals: dict[tuple[str, str], Removal] = {}
    for release in doc.get("removed") or []:
        when = parse_release(str(release["release"]))
        for api in release["apis"]:
            for kind in api["kinds"]:
                removals[(str(api["apiVersion"]), str(kind))] = Removal(
                    str(api["apiVersion"]), str(kind), when, str(api.get("replacement") or ""))
    return ApiVersions(equivalent, from_template, empty, removals)


# ---- questions rules ask ----------------------------------------------------------------
def groups_of(group: str, kind: str) -> tuple[str, ...]:
    """Every group that serves ``kind`` as the same resource as ``group`` does (``group``
    itself first)."""
    found = table().equivalent.get((group, kind))
    if found is None:
        return (group,)
    return (group, *(g for g in found if g != group))


def legacy_groups() -> frozenset[str]:
    """Groups that serve some kind only as an older twin of another group's (``extensions``)."""
    return frozenset(g for groups in table().equivalent.values() for g in groups[1:])


def same_kind(group_a: str, group_b: str, kind: str) -> bool:
    return group_a == group_b or group_b in groups_of(group_a, kind)


def current_group(group: str, kind: str) -> str:
    """The group that serves ``kind`` today (``extensions`` Deployment -> ``apps``)."""
    found = table().equivalent.get((group, kind))
    return found[0] if found else group


def selector_defaults_to_template(api_version: str, kind: str) -> bool:
    return (api_version, kind) in table().selector_from_template


def empty_selector_selects_all(api_version: str, kind: str) -> bool | None:
    """Whether an empty selector selects everything for this version (``None``: no rule)."""
    return table().empty_selector_selects_all.get((api_version, kind))


def removal(api_version: str, kind: str) -> Removal | None:
    return table().removals.get((api_version, kind))


def replacement_for(api_version: str, kind: str, release: tuple[int, int] | None) -> str:
    """What to use instead of ``api_version`` on ``release``: the replacement, followed
    while it is itself removed by then (flowcontrol v1beta1 -> v1beta3 -> v1)."""
    seen = {api_version}
    found = removal(api_version, kind)
    current = found.replacement if found else ""
    while current and current not in seen:
        seen.add(current)
        later = removal(current, kind)
        if later is None or (release is not None and later.release > release):
            break
        current = later.replacement
    return current

