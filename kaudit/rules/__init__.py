"""The public rule API. Rule packs import from here and nowhere deeper."""

from kaudit.graph import ClusterGraph, Link
from kaudit.model import Family, Finding, ObjectKey, ObjectRef, Related, Severity
from kaudit.rules.base import NoOptions, Rule, related
from kaudit.rules.conditions import Condition, condition_is, conditions
from kaudit.rules.context import RuleContext
from kaudit.rules.helm import HelmRelease, HelmRevision, helm_releases, helm_revision
from kaudit.rules.manifest import is_manifest
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.snapshot.reads import NOTHING, Reads, union
from kaudit.timeutil import age_seconds, format_duration, format_time, maybe_time, parse_time

__all__ = [
    "NOTHING",
    "ClusterGraph",
    "Condition",
    "Family",
    "Finding",
    "HelmRelease",
    "HelmRevision",
    "KubeObject",
    "Link",
    "NoOptions",
    "ObjectKey",
    "ObjectRef",
    "Reads",
    "Related",
    "Rule",
    "RuleContext",
    "Severity",
    "Snapshot",
    "age_seconds",
    "condition_is",
    "conditions",
    "format_duration",
    "format_time",
    "helm_releases",
    "helm_revision",
    "is_manifest",
    "maybe_time",
    "parse_time",
    "related",
    "union",
]
