"""An aggregated APIService claiming a group/version a CRD serves."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from kaudit.rules import NOTHING, Family, Finding, KubeObject, Rule, RuleContext, Severity, related
from kaudit_rules.schema.apis import apiservices, crds, served_versions


class ApiserviceShadowsCrd(Rule):
    """An aggregated APIService serves a group/version that a CRD also defines.

    kube-apiserver routes a group/version to exactly one place. An APIService with a
    ``spec.service`` sends every request for its group/version to that extension server, so
    the CRD's objects become unreachable (or the extension server's, depending on which was
    registered last) and controllers of the CRD fail with 404s. The ``Local`` APIServices
    kube-apiserver creates for every CRD group (no ``spec.service``, label
    ``kube-aggregator.kubernetes.io/automanaged``) are how CRDs are served and are never
    reported.
    Fix: move the CRD or the extension server to another group (or version), or remove the one
    that is obsolete.
    """

    code = "SC002"
    name = "apiservice-shadows-crd"
    family = Family.SCHEMA
    severity = Severity.ERROR
    reads = NOTHING

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        served: dict[tuple[str, str], list[KubeObject]] = defaultdict(list)
        for crd in crds(ctx):
            group = crd.spec.get("group")
            if isinstance(group, str):
                for version in served_versions(crd):
                    served[(group, version)].append(crd)
        if not served:
            return
        for svc in apiservices(ctx):
            backend = svc.spec.get("service")
            if not isinstance(backend, dict) or not backend.get("name"):
                continue
            group, version = svc.spec.get("group"), svc.spec.get("version")
            shadowed = served.get((str(group or ""), str(version or "")), [])
            if not shadowed:
                continue
            target = f"{backend.get('namespace', '')}/{backend['name']}"
            names = ", ".join(c.name for c in shadowed)
            yield self.finding(
                svc, at="/spec/service",
                message=f"APIService {svc.name} sends {group}/{version} to Service {target}, "
                        f"but CRD {names} also serves {group}/{version}: one of the two is "
                        "unreachable and clients get the other's objects or 404s",
                related=[related(c, "shadowed-crd") for c in shadowed])
