"""Manifests in a group/version the target cluster no longer serves (what Pluto checks),
in the same run as every other pre-deploy check."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from kaudit.aggregation import group_version
from kaudit.apiversions import (
    Removal,
    removal,
    replacement_for,
    selector_defaults_to_template,
)
from kaudit.rules import NOTHING, Family, Finding, KubeObject, Rule, RuleContext, Severity, Snapshot
from kaudit_rules.schema.apis import APISERVICE_GROUP, CRD_GROUP, served_versions

NO_MATCH = 'no matches for kind "{kind}" in version "{api_version}"'
"""What ``kubectl apply`` prints for a group/version the API server does not serve."""


@dataclass(frozen=True)
class Served:
    """What a target cluster serves: every group-version with an APIService (each built-in
    one has an automanaged APIService; CRD versions get one too) or a CRD serving it."""

    versions: frozenset[tuple[str, str]]
    by_group: dict[str, list[str]]

    @classmethod
    def of(cls, target: Snapshot, manifests: Snapshot) -> Served | None:
        """``None`` when the target does not say what it serves (no APIService was read, or
        not the cluster's full list); the CRDs and APIServices the manifests bring count as
        served once applied."""
        if not target.was_read(APISERVICE_GROUP, "APIService"):
            return None
        listed = {group_version(svc) for svc in target.of_kind("APIService", APISERVICE_GROUP)}
        if ("", "v1") not in listed:
            # A cluster's APIServices always include the core group's automanaged "v1.": a
            # target without it holds a few APIService manifests, not the cluster's list.
            return None
        found: set[tuple[str, str]] = set()
        for snapshot in (target, manifests):
            for svc in snapshot.of_kind("APIService", APISERVICE_GROUP):
                group, version = group_version(svc)
                if version:
                    found.add((group, version))
            for crd in snapshot.of_kind("CustomResourceDefinition", CRD_GROUP):
                group = crd.spec.get("group")
                if isinstance(group, str):
                    found.update((group, v) for v in served_versions(crd))
        by_group: dict[str, list[str]] = defaultdict(list)
        for group, version in sorted(found):
            by_group[group].append(version)
        return cls(frozenset(found), dict(by_group))


class RemovedApiVersion(Rule):
    """A manifest in an API group/version the target cluster no longer serves.

    The API server answers such an apply with ``no matches for kind "Deployment" in version
    "extensions/v1beta1"`` and a Helm upgrade or GitOps sync stops half-way. What the target
    serves is read, most exact first, from:

    - ``--against``/``--against-context``: its APIService objects (every built-in
      group-version has an automanaged one, and a live read lists them) plus the served
      versions of its CRDs -- and of the CRDs the manifests themselves bring;
    - ``--kube-version X.Y``: the removals of the Kubernetes deprecation guide up to that
      release (kaudit/data/api_versions.yaml: 1.16, 1.22, 1.25, 1.26, 1.27, 1.29, 1.32).

    The finding names the version to use instead (followed through later removals:
    flowcontrol ``v1beta1`` -> ``v1beta3`` -> ``v1``) and, for a workload that relied on the
    old default selector, that the new version requires ``spec.selector``. A group the
    target serves at other versions only (a CRD that dropped ``v1alpha1``) is flagged with
    the versions it does serve. A group the target does not serve at all is left alone (its
    CRD may be installed by someone else, later). Without ``--against`` or
    ``--kube-version`` the rule stays quiet: a manifest folder does not say which cluster it
    is for, and charts written for old clusters legitimately use old versions.
    Fix: change ``apiVersion`` to the version named (``kubectl convert`` or the chart's
    capability checks), adjusting the fields that changed between the versions.
    """

    code = "SC007"
    name = "removed-api-version"
    family = Family.SCHEMA
    severity = Severity.ERROR
    reads = NOTHING

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        served = Served.of(ctx.against, ctx.snapshot) if ctx.against is not None else None
        release = ctx.kube_version
        if served is None and release is None:
            return
        for obj in ctx.objects():
            if not obj.api_version or not obj.kind:
                continue
            if served is not None:
                yield from self._against(obj, served, release)
            elif release is not None:
                gone = removal(obj.api_version, obj.kind)
                if gone is not None and gone.release <= release:
                    yield self._removed(obj, gone, release, f"Kubernetes {_text(release)}")

    def _against(self, obj: KubeObject, served: Served,
                 release: tuple[int, int] | None) -> Iterator[Finding]:
        group, version = obj.group, obj.version
        if (group, version) in served.versions:
            return
        gone = removal(obj.api_version, obj.kind)
        if gone is not None:
            yield self._removed(obj, gone, release, "the target cluster", served)
            return
        others = served.by_group.get(group)
        if not others:
            return  # a group the target does not serve at all: not a removal
        yield self.finding(
            obj, at="/apiVersion",
            message=f"the target cluster serves {group or 'the core group'} only at "
                    f"{', '.join(others)}, not {version}: the apply fails with "
                    f"{NO_MATCH.format(kind=obj.kind, api_version=obj.api_version)}",
            evidence={"apiVersion": obj.api_version, "served": others})

    def _removed(self, obj: KubeObject, gone: Removal, release: tuple[int, int] | None,
                 target: str, served: Served | None = None) -> Finding:
        use = replacement_for(obj.api_version, obj.kind, release)
        if served is not None and use:
            # The target knows best: the newest replacement it actually serves.
            use = _served_replacement(obj, served) or use
        instead = f"use {use}" if use else "nothing replaces it"
        if use and selector_defaults_to_template(obj.api_version, obj.kind) \
                and not obj.spec.get("selector"):
            labels = obj.get("spec", "template", "metadata", "labels")
            shown = ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) \
                if isinstance(labels, dict) and labels else "the template labels"
            instead += (f", where spec.selector is required (this version defaulted it to "
                        f"the pod template's labels: {shown})")
        return self.finding(
            obj, at="/apiVersion",
            message=f"{obj.api_version} {obj.kind} is not served by {target} (removed in "
                    f"Kubernetes {gone.release_text}): the apply fails with "
                    f"{NO_MATCH.format(kind=obj.kind, api_version=obj.api_version)}; {instead}",
            evidence={"apiVersion": obj.api_version, "removedIn": gone.release_text,
                      "replacement": use})


def _served_replacement(obj: KubeObject, served: Served) -> str:
    """The newest version along the replacement chain that the target serves (the one that
    lasts longest: flowcontrol v1 rather than v1beta3 when both are served)."""
    seen = {obj.api_version}
    current = removal(obj.api_version, obj.kind)
    candidate = current.replacement if current else ""
    best = ""
    while candidate and candidate not in seen:
        seen.add(candidate)
        group, _, version = candidate.rpartition("/")
        if (group, version) in served.versions:
            best = candidate
        nxt = removal(candidate, obj.kind)
        candidate = nxt.replacement if nxt else ""
    return best


def _text(release: tuple[int, int]) -> str:
    return f"{release[0]}.{release[1]}"
