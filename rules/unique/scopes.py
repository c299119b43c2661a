"""Within what a unique value must be unique: the cluster, a namespace, or one controller
instance (an ingress class, with the default-class rule)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kaudit.rules import KubeObject, Snapshot
from kaudit_rules.unique.fields import Step, parse_path

INGRESS_CLASS_GROUP = "networking.k8s.io"
DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"


@dataclass(frozen=True)
class ClassIndex:
    """Which ingress class an object without one belongs to.

    Controllers that follow the ingress-class convention (ingress-nginx, Kong's KIC and
    others) also take objects that name no class when their IngressClass is marked
    ``ingressclass.kubernetes.io/is-default-class: "true"``; when no IngressClass is the
    default, such objects belong to nobody. When the inputs hold no IngressClass at all the
    default is unknown, so unclassed objects are grouped with each other only.
    """

    read: bool
    default: str | None

    @classmethod
    def of(cls, snapshot: Snapshot) -> ClassIndex:
        defaults = sorted(
            o.name for o in snapshot.of_kind("IngressClass", INGRESS_CLASS_GROUP)
            if str(o.annotations.get(DEFAULT_CLASS_ANNOTATION, "")).lower() == "true")
        return cls(read=snapshot.was_read(INGRESS_CLASS_GROUP, "IngressClass"),
                   default=defaults[0] if defaults else None)


UNKNOWN_DEFAULT = "\x00default"


@dataclass(frozen=True)
class Scope:
    type: str
    fields: tuple[tuple[Step, ...], ...] = ()
    annotations: tuple[str, ...] = ()

    @classmethod
    def parse(cls, doc: Any) -> Scope:
        if isinstance(doc, str):
            doc = {"type": doc}
        if not isinstance(doc, dict) or doc.get("type") not in (
                "cluster", "namespace", "ingressClass"):
            raise ValueError("scope.type must be cluster, namespace or ingressClass")
        kind = doc["type"]
        if kind != "ingressClass":
            return cls(kind)
        fields_ = tuple(parse_path(p) for p in doc.get("fields", ["spec.ingressClassName"]))
        annotations = tuple(doc.get("annotations", ["kubernetes.io/ingress.class"]))
        return cls(kind, fields_, annotations)

    def of(self, obj: KubeObject, classes: ClassIndex) -> str | None:
        """The scope value of ``obj``; ``None`` when no controller instance takes it."""
        if self.type == "cluster":
            return ""
        if self.type == "namespace":
            return obj.namespace
        for steps in self.fields:
            value = obj.get(*steps)
            if isinstance(value, str) and value:
                return value
        for name in self.annotations:
            value = obj.annotations.get(name)
            if isinstance(value, str) and value:
                return value
        if classes.default is not None:
            return classes.default
        return None if classes.read else UNKNOWN_DEFAULT

    def describe(self, value: str, obj: KubeObject) -> str:
        if self.type == "cluster":
            return ""
        if self.type == "namespace":
            return f"in namespace {value}" if value else ""
        if value == UNKNOWN_DEFAULT:
            return "among objects that name no ingress class (the default class)"
        return f'for ingress class "{value}"'
