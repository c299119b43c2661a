"""Resource names that kubectl cannot resolve to one API."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from kaudit.rules import (
    NOTHING,
    Family,
    Finding,
    KubeObject,
    Rule,
    RuleContext,
    Severity,
    condition_is,
    related,
)
from kaudit_rules.schema.apis import (
    CRD_GROUP,
    KCP_APIS,
    Names,
    builtin_names,
    crds,
    logical_cluster,
)

BUILTIN = "\x00builtin"


@dataclass(frozen=True)
class _Claim:
    lc: str
    group: str
    what: str
    name: str
    obj: KubeObject | None  # None: a built-in resource
    kind: str = ""
    live: bool = False
    """A CRD of the ``--against`` cluster: already there, so it always came first."""


def _age(obj: KubeObject) -> tuple[str, str]:
    created = obj.metadata.get("creationTimestamp")
    return (str(created) if created else "\uffff", obj.name)


class NameCollision(Rule):
    """A CRD's kind, plural or short name is also used by another group or a built-in resource.

    ``kubectl get <name>`` resolves a bare name to one resource, preferring built-in and
    higher-priority groups. When two groups answer to the same kind, plural, singular or short
    name, the command silently lists one of them: scripts and runbooks operate on the wrong
    resource, and ``kubectl delete <name> --all`` can hit the wrong objects. Names used by a
    built-in resource (``po``, ``svc``, ``deploy``…) are taken: kubectl always picks the
    built-in. In kcp each workspace (``kcp.io/cluster``) resolves names on its own, and the
    resources an APIBinding binds count like CRDs. With ``--against``, the CRDs already in
    that cluster count too: a manifest CRD that takes a name a live CRD of another group uses
    is reported before it is applied.
    Fix: rename the plural or short name of one CRD, or use the fully qualified
    ``<plural>.<group>`` form everywhere.
    """

    code = "SC005"
    name = "name-collision"
    family = Family.SCHEMA
    severity = Severity.WARNING
    reads = NOTHING

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        by_name: dict[tuple[str, str], list[_Claim]] = defaultdict(list)
        builtins: dict[str, list[_Claim]] = defaultdict(list)
        for names in builtin_names():
            for what, name in names.all():
                builtins[name].append(
                    _Claim(BUILTIN, names.group, what, name, None, names.kind))
        for crd in crds(ctx):
            crd_names = Names.of_crd(crd)
            if crd_names is None:
                continue
            for what, name in crd_names.all():
                by_name[(logical_cluster(crd), name)].append(
                    _Claim(logical_cluster(crd), crd_names.group, what, name, crd,
                           crd_names.kind))
        for crd in self._live_crds(ctx):
            crd_names = Names.of_crd(crd)
            for what, name in crd_names.all() if crd_names is not None else ():
                by_name[(logical_cluster(crd), name)].append(
                    _Claim(logical_cluster(crd), crd_names.group, what, name, crd, live=True))
        for binding in ctx.objects("APIBinding", KCP_APIS):
            resources = binding.get("status", "boundResources")
            for res in resources if isinstance(resources, list) else []:
                if isinstance(res, dict) and res.get("resource"):
                    lc = logical_cluster(binding)
                    name = str(res["resource"]).lower()
                    by_name[(lc, name)].append(
                        _Claim(lc, str(res.get("group") or ""), "plural", name, binding))
        clashes: dict[object, list[tuple[_Claim, _Claim]]] = defaultdict(list)
        subjects: dict[object, KubeObject] = {}
        for (_, name), claims in sorted(by_name.items(), key=lambda kv: kv[0]):
            for claim in claims:
                if claim.obj is None or claim.live:
                    continue
                for other in builtins.get(name, []):
                    if other.group != claim.group:
                        clashes[claim.obj.key].append((claim, other))
                        subjects[claim.obj.key] = claim.obj
                for other in claims:
                    if other.obj is None or other.group == claim.group:
                        continue
                    if other.live or _age(other.obj) < _age(claim.obj) or (
                            _age(other.obj) == _age(claim.obj) and other.obj.key < claim.obj.key):
                        clashes[claim.obj.key].append((claim, other))
                        subjects[claim.obj.key] = claim.obj
        for key in sorted(clashes, key=lambda k: subjects[k].key):
            obj = subjects[key]
            seen: set[tuple[str, str, str]] = set()
            parts: list[str] = []
            rel = []
            for mine, other in clashes[key]:
                marker = (mine.name, other.group, other.what)
                if marker in seen:
                    continue
                seen.add(marker)
                if other.obj is None:
                    whose = f"the built-in {other.kind} ({other.group or 'core'})"
                elif other.live:
                    whose = f"the live CRD {other.obj.name} ({other.group})"
                else:
                    whose = f"{other.obj.ref.short} ({other.group})"
                # Names match case-insensitively; a kind is shown as the API spells it.
                shown = mine.kind if mine.what == "kind" and mine.kind else mine.name
                parts.append(f"{mine.what} {shown!r} is also the {other.what} of {whose}")
                if other.obj is not None and all(r.ref.key != other.obj.key for r in rel):
                    rel.append(related(other.obj, "same-name"))
            where = f" in logical cluster {logical_cluster(obj)}" if logical_cluster(obj) else ""
            yield self.finding(
                obj, at="/spec/names" if obj.kind == "CustomResourceDefinition"
                else "/status/boundResources",
                message=f"{obj.ref.short}{where}: {'; '.join(parts)}; kubectl resolves the "
                        "bare name to one of them only",
                related=rel)

    @staticmethod
    def _live_crds(ctx: RuleContext) -> list[KubeObject]:
        """CRDs of the ``--against`` cluster that hold their names and that the manifests do
        not redefine (a redefined one is judged by its manifest)."""
        if ctx.against is None:
            return []
        return [crd for crd in ctx.against.of_kind("CustomResourceDefinition", CRD_GROUP)
                if ctx.get(crd.key) is None and not condition_is(crd, "NamesAccepted", "False")]
