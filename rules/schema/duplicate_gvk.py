"""Two definitions serving one group+kind or group+plural."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import orjson

from kaudit.rules import (
    NOTHING,
    Condition,
    Family,
    Finding,
    KubeObject,
    Rule,
    RuleContext,
    Severity,
    condition_is,
    related,
)
from kaudit.rules.conditions import first
from kaudit_rules.schema.apis import (
    CRD_GROUP,
    KCP_APIS,
    crds,
    is_builtin,
    is_kcp,
    logical_cluster,
    spec_versions,
)


def _age(obj: KubeObject) -> tuple[str, str]:
    created = obj.metadata.get("creationTimestamp")
    return (str(created) if created else "\uffff", obj.name)


def _lc_text(lc: str) -> str:
    return f" in logical cluster {lc}" if lc else ""


class DuplicateGvk(Rule):
    """Two definitions serve one group+kind or group+plural.

    The API server can serve a resource from one definition only; a second one is refused,
    ignored or — worse — served at random. kaudit recognises four forms: two CRDs with
    different names defining one kind or plural in one group (the newer loses); one CRD name
    defined twice in the inputs with different schemas (whichever is applied last silently
    replaces the other, e.g. Gateway API standard and experimental channels installed
    together); a CRD that lost a names conflict (``NamesAccepted=False``: it is not served, its
    objects cannot be created), shown with the reason and the CRD that holds the name -- or,
    for ``ShortNamesConflict`` with a short name repeating the CRD's own plural or singular,
    said to be a conflict with itself (such a CRD was accepted when created and stays served
    unless ``Established=False``: what hangs is whatever waits for ``NamesAccepted``); and two
    kcp APIBindings in one workspace (``kcp.io/cluster``) bound to the same group/resource with
    different schema identities (kcp #3252: two stores behind one resource, requests reach
    either at random). With ``--against``, the scanned CRDs are manifests about to be applied
    to that cluster, and a manifest CRD whose group+kind or group+plural is already served by a
    different live CRD is reported too: the live one was created first and keeps the name, so
    the applied CRD gets ``NamesAccepted=False``. A CRD for a kind kube-apiserver serves
    natively (e.g. ``clusterroles.rbac.authorization.k8s.io``) is reported too — except in a kcp
    installation, where CRDs for built-in groups (RBAC, admission) are how kcp serves those
    APIs in its workspaces: there they are legitimate and not reported. kcp is recognised by
    objects or CRDs in ``*.kcp.io`` groups, the ``kcp.io/cluster`` annotation, or kcp's own
    annotations on the CRD.
    Fix: delete or rename the losing definition (move its kind/plural to another group), keep
    one copy of a CRD defined twice, or unbind (delete) the stale kcp APIBinding and recreate
    its objects under the remaining one.
    """

    code = "SC001"
    name = "duplicate-gvk"
    family = Family.SCHEMA
    severity = Severity.ERROR
    reads = NOTHING

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        kcp = is_kcp(ctx)
        yield from self._rival_crds(ctx)
        yield from self._live_rivals(ctx)
        yield from self._redefined_crds(ctx)
        if not kcp:
            yield from self._builtin_crds(ctx)
        yield from self._kcp_bindings(ctx)

    # ---- two CRDs, one name; NamesAccepted=False ----------------------------------------
    def _rival_crds(self, ctx: RuleContext) -> Iterator[Finding]:
        index: dict[tuple[str, str, str, str], list[KubeObject]] = defaultdict(list)
        for crd in crds(ctx):
            group = crd.spec.get("group")
            names = crd.spec.get("names")
            if not isinstance(group, str) or not isinstance(names, dict):
                continue
            lc = logical_cluster(crd)
            for what in ("kind", "plural"):
                value = names.get(what)
                if isinstance(value, str) and value:
                    index[(lc, group, what, value)].append(crd)
        rivals: dict[Any, dict[Any, tuple[KubeObject, str]]] = defaultdict(dict)
        for (_, _, what, value), defs in index.items():
            distinct = {d.key: d for d in defs}
            if len(distinct) < 2:
                continue
            for d in distinct.values():
                for other in distinct.values():
                    if other.key != d.key:
                        rivals[d.key].setdefault(other.key, (other, f"{what} {value!r}"))
        for crd in crds(ctx):
            cond = first(crd, "NamesAccepted")
            mine = rivals.get(crd.key, {})
            if cond is not None and cond.status == "False":
                yield self._lost(crd, cond, list(mine.values()))
                continue
            if not mine:
                continue
            beaten = []
            for other, what in mine.values():
                if condition_is(other, "NamesAccepted", "False"):
                    continue  # the rival is the one that lost; it is reported
                if _age(other) < _age(crd):
                    beaten.append((other, what))
            if beaten:
                group = crd.spec.get("group")
                taken = "; ".join(f"{w} is already served by CRD {o.name}" for o, w in beaten)
                yield self.finding(
                    crd, at="/spec/names",
                    message=f"CRD {crd.name} in group {group}{_lc_text(logical_cluster(crd))}: "
                            f"{taken}. Only the CRD created first gets the name; the other gets "
                            "NamesAccepted=False, is not served, and its objects cannot be "
                            "created",
                    related=[related(o, "holds-name") for o, _ in beaten])

    def _lost(self, crd: KubeObject, cond: Condition,
              rivals: list[tuple[KubeObject, str]]) -> Finding:
        reason = cond.reason or "NamesNotAccepted"
        detail = cond.raw.get("message") or ""
        winners = [o for o, _ in rivals if not condition_is(o, "NamesAccepted", "False")]
        own = _own_collisions(crd)
        if own and not winners:
            index_, short, clash = own[0]
            listed = "; ".join(f"short name {n!r} is its own {w}" for _, n, w in own)
            # The naming controller accepts such names when the CRD is created and only
            # rejects them on a later pass (kubernetes#121641), so the CRD normally stays
            # Established and served; only Established=False says otherwise.
            if condition_is(crd, "Established", "False"):
                effect = "it is not served until then: its kind cannot be listed or created"
            else:
                effect = ("it is still served, but whatever waits for NamesAccepted=True "
                          "(helm --wait, Argo CD health, kubectl wait) hangs on it")
            return self.finding(
                crd, at=f"/spec/names/shortNames/{index_}",
                message=f"CRD {crd.name} lost a names conflict with itself: NamesAccepted=False, "
                        f"{reason}{f' ({detail})' if detail else ''}; {listed}. No other CRD is "
                        f"involved: remove the repeated name from spec.names.shortNames ({effect})",
                evidence={"shortName": short, "collidesWith": clash})
        if winners:
            held = "; the name is held by " + ", ".join(
                f"{o.ref.short} ({w})" for o, w in rivals if o in winners)
        else:
            held = "; the CRD holding the name is not in the inputs"
        return self.finding(
            crd, at=cond.pointer,
            message=f"CRD {crd.name} lost a names conflict: NamesAccepted=False, {reason}"
                    f"{f' ({detail})' if detail else ''}{held}. It is not served: its kind "
                    "cannot be listed or created until the conflict is resolved",
            related=[related(o, "holds-name") for o in winners])

    # ---- a manifest CRD against the live cluster's CRDs ---------------------------------
    def _live_rivals(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.against is None:
            return
        holders: dict[tuple[str, str, str, str], list[KubeObject]] = defaultdict(list)
        for live in ctx.against.of_kind("CustomResourceDefinition", CRD_GROUP):
            if ctx.get(live.key) is not None or condition_is(live, "NamesAccepted", "False"):
                continue  # redefined by the manifests themselves, or holding no name
            group, names = live.spec.get("group"), live.spec.get("names")
            if not isinstance(group, str) or not isinstance(names, dict):
                continue
            for what in ("kind", "plural"):
                value = names.get(what)
                if isinstance(value, str) and value:
                    holders[(logical_cluster(live), group, what, value)].append(live)
        if not holders:
            return
        for crd in crds(ctx):
            group, names = crd.spec.get("group"), crd.spec.get("names")
            if not isinstance(group, str) or not isinstance(names, dict):
                continue
            lc = logical_cluster(crd)
            taken: list[tuple[str, KubeObject]] = []
            for what in ("kind", "plural"):
                value = names.get(what)
                for live in holders.get((lc, group, what, str(value)), []):
                    taken.append((f"{what} {value!r}", live))
            if not taken:
                continue
            listed = "; ".join(f"{w} is already served by the live CRD {o.name}"
                               for w, o in taken)
            first = taken[0][0].split(" ", 1)[0]
            yield self.finding(
                crd, at=f"/spec/names/{first}",
                message=f"CRD {crd.name} in group {group}{_lc_text(lc)}: {listed}. Applied to "
                        "this cluster it gets NamesAccepted=False (the live CRD keeps the "
                        "name): it is not served and its objects cannot be created",
                related=[related(o, "holds-name")
                         for o in dict.fromkeys(o for _, o in taken)])

    # ---- one CRD name, two schemas -------------------------------------------------------
    def _redefined_crds(self, ctx: RuleContext) -> Iterator[Finding]:
        for crd in crds(ctx):
            definitions = ctx.snapshot.all_with_key(crd.key)
            if len(definitions) < 2:
                continue
            first = definitions[0]
            first_spec = _canonical(first)
            for later in definitions[1:]:
                if _canonical(later) == first_spec:
                    continue
                yield self.finding(
                    later, at="/spec",
                    message=f"CRD {crd.name} is defined twice with different schemas: at "
                            f"{first.source} and at {later.source} ({_difference(first, later)})"
                            "; whichever is applied last replaces the other, so objects valid "
                            "under one are rejected or lose fields under the other",
                    related=[related(first, "other-definition")])

    # ---- built-in kinds ------------------------------------------------------------------
    def _builtin_crds(self, ctx: RuleContext) -> Iterator[Finding]:
        for crd in crds(ctx):
            group = crd.spec.get("group")
            kind = crd.get("spec", "names", "kind")
            if isinstance(group, str) and isinstance(kind, str) and is_builtin(group, kind):
                yield self.finding(
                    crd, at="/spec/names/kind",
                    message=f"CRD {crd.name} defines {kind} in group {group}, which "
                            "kube-apiserver serves natively: the built-in API wins and this "
                            "definition is never served (only kcp serves built-in APIs from "
                            "CRDs)")

    # ---- kcp: two bindings, one resource -------------------------------------------------
    def _kcp_bindings(self, ctx: RuleContext) -> Iterator[Finding]:
        bound: dict[tuple[str, str, str], list[tuple[KubeObject, int, dict[str, Any]]]] = \
            defaultdict(list)
        for binding in ctx.objects("APIBinding", KCP_APIS):
            resources = binding.get("status", "boundResources")
            if not isinstance(resources, list):
                continue
            for i, res in enumerate(resources):
                if not isinstance(res, dict) or not res.get("resource"):
                    continue
                schema = res.get("schema") if isinstance(res.get("schema"), dict) else {}
                key = (logical_cluster(binding), str(res.get("group") or ""),
                       str(res["resource"]))
                bound[key].append((binding, i, schema))
        for (lc, group, resource), entries in sorted(bound.items()):
            identities = {str(s.get("identityHash") or s.get("UID") or "") for _, _, s in entries}
            if len(entries) < 2 or len(identities) < 2:
                continue
            entries = sorted(entries, key=lambda e: _age(e[0]))
            target, index, _ = entries[-1]
            listed = "; ".join(
                f"{b.name}: schema {s.get('name', '?')}, identity "
                f"{str(s.get('identityHash') or '?')[:12]}" for b, _, s in entries)
            gr = f"{resource}.{group}" if group else resource
            yield self.finding(
                target, at=f"/status/boundResources/{index}",
                message=f"{len(entries)} APIBindings bind {gr}{_lc_text(lc)} with different "
                        f"schema identities ({listed}): kcp keeps two stores behind one "
                        "resource and a request reaches either at random (kcp #3252)",
                related=[related(b, "also-binds") for b, _, _ in entries[:-1]])


def _canonical(crd: KubeObject) -> bytes:
    return orjson.dumps(crd.spec, option=orjson.OPT_SORT_KEYS)


def _versions_by_name(crd: KubeObject) -> dict[str, Any]:
    versions = crd.spec.get("versions")
    return {str(v.get("name")): v for v in versions if isinstance(v, dict)} \
        if isinstance(versions, list) else {}


def _difference(a: KubeObject, b: KubeObject) -> str:
    va, vb = spec_versions(a), spec_versions(b)
    only_a = [v for v in va if v not in vb]
    only_b = [v for v in vb if v not in va]
    parts = []
    if only_a:
        parts.append(f"versions only in the first: {', '.join(only_a)}")
    if only_b:
        parts.append(f"versions only in the second: {', '.join(only_b)}")
    versions_a = _versions_by_name(a)
    versions_b = _versions_by_name(b)
    changed = sorted(n for n in set(versions_a) & set(versions_b)
                     if orjson.dumps(versions_a[n], option=orjson.OPT_SORT_KEYS)
                     != orjson.dumps(versions_b[n], option=orjson.OPT_SORT_KEYS))
    if changed:
        label = "version" if len(changed) == 1 else "versions"
        verb = "differs" if len(changed) == 1 else "differ"
        parts.append(f"{label} {', '.join(changed)} {verb}")
    return "; ".join(parts) or "names, scope or conversion differ"


def _own_collisions(crd: KubeObject) -> list[tuple[int, str, str]]:
    """(index, short name, what it repeats) for each short name that repeats the CRD's own
    plural or singular: apiextensions' naming controller checks a new short name against
    every accepted name of the group, the CRD's own included, and answers
    ``ShortNamesConflict`` with no other CRD involved."""
    names = crd.spec.get("names")
    if not isinstance(names, dict):
        return []
    shorts = names.get("shortNames")
    if not isinstance(shorts, list):
        return []
    plural = str(names.get("plural") or "")
    singular = str(names.get("singular") or "")
    out: list[tuple[int, str, str]] = []
    for i, short in enumerate(shorts):
        if short == plural:
            out.append((i, short, "plural"))
        elif short == singular:
            out.append((i, short, "singular"))
    return out
