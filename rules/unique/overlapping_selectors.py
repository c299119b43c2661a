"""Controllers, autoscalers and disruption budgets that claim the same pods."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from kaudit.apiversions import (
    current_group,
    empty_selector_selects_all,
    selector_defaults_to_template,
)
from kaudit.rules import Family, Finding, KubeObject, Reads, Rule, RuleContext, Severity, related
from kaudit.rules.controllers import controllers
from kaudit_rules.unique.selectors import describe, index_key, matches

WORKLOADS = (("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "DaemonSet"),
             ("apps", "ReplicaSet"), ("", "ReplicationController"))
HPA = ("autoscaling", "HorizontalPodAutoscaler")
READS = Reads({f"{group}/{kind}" if group else kind:
               ("spec.selector", "spec.template.metadata.labels") for group, kind in WORKLOADS})
"""A workload's selector and its pod template's labels (``kaudit.snapshot.reads``)."""
PDB = ("policy", "PodDisruptionBudget")


def _selector(obj: KubeObject) -> Mapping[str, Any] | None:
    """The selector the API server holds: a ReplicationController's is a plain label map, and
    where the object's version defaulted a missing selector to the pod template's labels
    (``extensions/v1beta1``, ``apps/v1beta1``, ReplicationControllers), that is what it
    selects."""
    value = obj.spec.get("selector")
    if obj.kind == "ReplicationController":
        value = {"matchLabels": value} if isinstance(value, dict) and value else None
    if isinstance(value, dict):
        return value
    if value is None and selector_defaults_to_template(obj.api_version, obj.kind):
        labels = _template_labels(obj)
        return {"matchLabels": dict(labels)} if labels else None
    return None


def _template_labels(obj: KubeObject) -> Mapping[str, str]:
    node: Any = obj.raw
    for step in ("spec", "template", "metadata", "labels"):
        if not isinstance(node, dict):
            return _NO_LABELS
        node = node.get(step)
    return node if isinstance(node, dict) else _NO_LABELS


_NO_LABELS: Mapping[str, str] = {}


def _adopts(parent: KubeObject, child: KubeObject) -> bool:
    """A Deployment adopts the orphaned ReplicaSets its selector matches: not a fight."""
    return parent.kind == "Deployment" and child.kind == "ReplicaSet"


_Selects = tuple[Mapping[str, Any], Mapping[str, str]]


def _unowned_workloads(ctx: RuleContext) -> dict[KubeObject, _Selects]:
    """Workload controllers no other controller owns, that select something and are not
    being deleted, in walking order, each with its selector and its pod template's labels
    (read once: ``_controllers`` asks for each candidate's selector again and again)."""
    controlled = controllers(ctx.snapshot).controlled
    out: dict[KubeObject, _Selects] = {}
    for group, kind in WORKLOADS:
        for obj in ctx.objects(kind, group):
            if obj in controlled:
                continue
            selector = _selector(obj)
            if selector and obj.deletion_timestamp is None:
                out[obj] = (selector, _template_labels(obj))
    return out


class OverlappingSelectors(Rule):
    """Two controllers, two autoscalers or several disruption budgets claim the same pods.

    Workload controllers in one namespace whose selectors match each other's pod template
    fight over those pods: each counts the other's pods as its own, scales them down or adopts
    them, and rollouts never settle. Two HorizontalPodAutoscalers on one target overwrite each
    other's replica count. A pod covered by more than one PodDisruptionBudget cannot be
    evicted at all (the eviction API refuses it), so node drains hang. A ReplicaSet owned by
    its Deployment is the Deployment's own and is not counted. Objects in legacy versions count
    as their current kind (an ``extensions/v1beta1`` Deployment is a Deployment) with the
    defaults of their version: no ``spec.selector`` selects the template's labels in
    ``extensions/v1beta1`` and ``apps/v1beta1``; an empty PodDisruptionBudget selector selects
    nothing in ``policy/v1beta1`` and every pod of the namespace in ``policy/v1``.
    Fix: make the selectors disjoint (add a distinguishing label to one template and its
    selector), delete the extra HorizontalPodAutoscaler, or narrow the budgets so each pod has
    one.
    """

    code = "UQ002"
    name = "overlapping-selectors"
    family = Family.UNIQUE
    severity = Severity.WARNING
    reads = READS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        workloads = _unowned_workloads(ctx)
        yield from self._controllers(workloads)
        yield from self._autoscalers(ctx)
        yield from self._budgets(ctx, workloads)

    def _controllers(self, workloads: dict[KubeObject, _Selects]) -> Iterator[Finding]:
        by_label: dict[tuple[str, str, str], list[KubeObject]] = defaultdict(list)
        unindexed: dict[str, list[KubeObject]] = defaultdict(list)
        for obj, (selector, _) in workloads.items():
            key = index_key(selector)
            if key is None:
                unindexed[obj.namespace].append(obj)
            else:
                by_label[(obj.namespace, *key)].append(obj)
        reported: set[tuple[Any, Any]] = set()
        for obj, (_, labels) in workloads.items():
            namespace = obj.namespace
            candidates: list[KubeObject] = []
            for k, v in sorted(labels.items()):
                found = by_label.get((namespace, k, str(v)))
                if found:
                    candidates.extend(found)
            found = unindexed.get(namespace)
            if found:
                candidates.extend(found)
            for other in candidates:
                if other is obj or not matches(workloads[other][0], labels):
                    continue
                if _adopts(other, obj) or _adopts(obj, other):
                    continue
                pair = tuple(sorted((obj.key, other.key)))
                if pair in reported:
                    continue
                reported.add(pair)
                first, second = sorted((obj, other), key=lambda o: o.key)
                # The pointer names the part of ``second`` the message quotes: its selector
                # when it is the selecting side (a defaulted selector, in legacy versions, is
                # its template's labels), else its pod template's labels.
                at = "/spec/selector" if second is other and "selector" in second.spec \
                    else "/spec/template/metadata/labels"
                yield self.finding(
                    second, at=at,
                    message=f"selector ({describe(workloads[other][0])}) of {other.ref.short} "
                            f"matches the pod template of {obj.ref.short}: both controllers "
                            "claim the same pods and fight over their number",
                    related=[related(first, "overlaps")])

    def _autoscalers(self, ctx: RuleContext) -> Iterator[Finding]:
        targets: dict[tuple[str, str, str], list[KubeObject]] = defaultdict(list)
        for hpa in ctx.objects(HPA[1], HPA[0]):
            ref = hpa.spec.get("scaleTargetRef")
            if isinstance(ref, dict) and ref.get("kind") and ref.get("name"):
                targets[(hpa.namespace, str(ref["kind"]), str(ref["name"]))].append(hpa)
        for (namespace, kind, name), hpas in sorted(targets.items()):
            if len(hpas) < 2:
                continue
            hpas = sorted(hpas, key=lambda o: o.name)
            others = ", ".join(h.name for h in hpas[:-1])
            target = f"{namespace}/{name}" if namespace else name
            yield self.finding(
                hpas[-1], at="/spec/scaleTargetRef",
                message=f"{kind} {target} is also scaled by "
                        f"HorizontalPodAutoscaler {others}: they overwrite each other's "
                        "replica count",
                related=[related(h, "also-scales") for h in hpas[:-1]])

    def _budgets(self, ctx: RuleContext,
                 workloads: dict[KubeObject, _Selects]) -> Iterator[Finding]:
        budgets: dict[str, list[KubeObject]] = defaultdict(list)
        for pdb in ctx.objects(PDB[1], PDB[0]):
            budgets[pdb.namespace].append(pdb)
        if not budgets:
            return
        subjects: list[tuple[KubeObject, Mapping[str, str], str]] = [
            (w, labels, "/spec/template/metadata/labels") for w, (_, labels) in workloads.items()]
        for pod in ctx.objects("Pod", ""):
            if any(link.obj is not None
                   and (current_group(link.obj.group, link.obj.kind), link.obj.kind) in WORKLOADS
                   for link in ctx.owners(pod)):
                continue  # its controller is in the snapshot and is checked instead
            subjects.append((pod, pod.labels, "/metadata/labels"))
        for obj, labels, pointer in subjects:
            covering = sorted((p for p in budgets.get(obj.namespace, ())
                               if matches(_pdb_selector(p), labels)), key=lambda p: p.name)
            if len(covering) < 2:
                continue
            what = f"pods of {obj.ref.short} are" if obj.kind != "Pod" else \
                f"Pod {obj.namespace}/{obj.name} is"
            yield self.finding(
                obj, at=pointer,
                message=f"{what} covered by {len(covering)} PodDisruptionBudgets "
                        f"({', '.join(p.name for p in covering)}): the eviction API refuses "
                        "pods with more than one budget, so node drains hang on them",
                related=[related(p, "budget") for p in covering])


def _pdb_selector(pdb: KubeObject) -> Mapping[str, Any] | None:
    """A budget's selector; an empty one (``{}``) selects every pod in ``policy/v1`` and no
    pod in ``policy/v1beta1`` (kaudit/data/api_versions.yaml)."""
    value = pdb.spec.get("selector")
    if not isinstance(value, dict):
        return None
    if not value.get("matchLabels") and not value.get("matchExpressions") \
            and empty_selector_selects_all(pdb.api_version, pdb.kind) is False:
        return None
    return value
