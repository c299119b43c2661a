"""A read-only view of one Kubernetes object.

Rules read the same few metadata fields over and over; computing identity once on load and
reading the rest lazily keeps a 100k-object scan from re-parsing dictionaries in every rule.
The raw body stays a plain dict (rules that need ``spec`` read it directly) and must not be
mutated: the snapshot hands the same object to every rule. For the kinds in
``kaudit/data/lean_kinds.yaml`` a scan may keep only the body fields its rules declared they
read (``kaudit.snapshot.reads``); ``json_size`` still tells the whole object's size.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from kaudit.model import ObjectKey, ObjectRef, SourceLocation, split_api_version
from kaudit.timeutil import maybe_time

_EMPTY: Mapping[str, Any] = {}


class KubeObject:
    __slots__ = ("_fingerprint", "_meta", "_ref", "api_version", "group", "json_size", "key",
                 "kind", "name", "namespace", "raw", "source", "uid")

    def __init__(self, raw: dict[str, Any], source: SourceLocation | None = None,
                 json_size: int | None = None, fingerprint: int | None = None) -> None:
        # Runs once per object (100k times for a large dump): plain lookups, no helpers.
        self.raw = raw
        self.source = source
        # The object's length as compact JSON when loaded, before a lean projection cut its
        # body (``kaudit.snapshot.reads``); ``None`` when not measured.
        self.json_size = json_size
        self._fingerprint = fingerprint  # set when a lean projection cut the body
        meta = raw.get("metadata")
        if not isinstance(meta, dict):
            meta = _EMPTY
        self._meta: Mapping[str, Any] = meta  # read by most properties, most rules
        api_version = raw.get("apiVersion") or ""
        self.api_version: str = api_version
        self.kind: str = raw.get("kind") or ""
        self.group: str = split_api_version(api_version)[0]
        name = meta.get("name") or meta.get("generateName") or ""
        namespace = meta.get("namespace") or ""
        uid = meta.get("uid") or ""
        self.name: str = name if type(name) is str else str(name)
        self.namespace: str = namespace if type(namespace) is str else str(namespace)
        self.uid: str = uid if type(uid) is str else str(uid)
        self.key = ObjectKey(self.group, self.kind, self.namespace, self.name)
        self._ref: ObjectRef | None = None

    def __repr__(self) -> str:
        return f"<KubeObject {self.ref}>"

    # ---- identity ---------------------------------------------------------------------
    @property
    def ref(self) -> ObjectRef:
        # Made once: the graph, the rules and every finding ask for it.
        ref = self._ref
        if ref is None:
            ref = self._ref = ObjectRef(self.api_version, self.kind, self.namespace, self.name)
        return ref

    @property
    def version(self) -> str:
        return split_api_version(self.api_version)[1]

    @property
    def is_lean(self) -> bool:
        """A lean projection kept only the body fields the scan's readers declared
        (``kaudit.snapshot.reads``)."""
        return self._fingerprint is not None

    def fingerprint(self) -> int:
        """A hash of the whole object as loaded, ``apiVersion`` and key order aside: equal
        for two equal definitions, whether or not a lean projection cut their bodies."""
        if self._fingerprint is not None:
            return self._fingerprint
        from kaudit.snapshot.reads import fingerprint

        return fingerprint(self.raw)

    # ---- metadata ---------------------------------------------------------------------
    @property
    def metadata(self) -> Mapping[str, Any]:
        return self._meta

    @property
    def labels(self) -> Mapping[str, str]:
        value = self._meta.get("labels")
        return value if isinstance(value, dict) else _EMPTY

    @property
    def annotations(self) -> Mapping[str, str]:
        value = self._meta.get("annotations")
        return value if isinstance(value, dict) else _EMPTY

    @property
    def finalizers(self) -> list[str]:
        value = self._meta.get("finalizers")
        return [f for f in value if isinstance(f, str)] if isinstance(value, list) else []

    @property
    def owner_references(self) -> list[Mapping[str, Any]]:
        value = self._meta.get("ownerReferences")
        return [o for o in value if isinstance(o, dict)] if isinstance(value, list) else []

    @property
    def deletion_timestamp(self) -> datetime | None:
        # Asked of every object by several rules; almost none is being deleted.
        value = self._meta.get("deletionTimestamp")
        return None if value is None else maybe_time(value)

    @property
    def creation_timestamp(self) -> datetime | None:
        return maybe_time(self._meta.get("creationTimestamp"))

    @property
    def generation(self) -> int | None:
        value = self._meta.get("generation")
        return value if isinstance(value, int) else None

    @property
    def resource_version(self) -> str:
        return str(self.metadata.get("resourceVersion") or "")

    # ---- body -------------------------------------------------------------------------
    @property
    def spec(self) -> Mapping[str, Any]:
        value = self.raw.get("spec")
        return value if isinstance(value, dict) else _EMPTY

    @property
    def status(self) -> Mapping[str, Any]:
        value = self.raw.get("status")
        return value if isinstance(value, dict) else _EMPTY

    @property
    def conditions(self) -> list[Mapping[str, Any]]:
        value = self.status.get("conditions")
        return [c for c in value if isinstance(c, dict)] if isinstance(value, list) else []

    def condition(self, type_: str) -> Mapping[str, Any] | None:
        for cond in self.conditions:
            if cond.get("type") == type_:
                return cond
        return None

    def condition_is(self, type_: str, status: str = "True") -> bool:
        cond = self.condition(type_)
        return cond is not None and str(cond.get("status")) == status

    def get(self, *path: str | int, default: Any = None) -> Any:
        """Walk ``path`` through nested dicts and lists; ``default`` where anything is missing."""
        node: Any = self.raw
        for step in path:
            if isinstance(step, int):
                if not isinstance(node, list) or not -len(node) <= step < len(node):
                    return default
                node = node[step]
            else:
                if not isinstance(node, dict) or step not in node:
                    return default
                node = node[step]
        return node

    def iter_conditions_with_index(self) -> Iterator[tuple[int, Mapping[str, Any]]]:
        value = self.status.get("conditions")
        if isinstance(value, list):
            for i, cond in enumerate(value):
                if isinstance(cond, dict):
                    yield i, cond
