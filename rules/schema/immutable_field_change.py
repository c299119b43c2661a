"""A manifest that changes a field the API server will not let change (``--against``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kaudit.rules import Family, Finding, KubeObject, Reads, Rule, RuleContext, Severity
from kaudit_rules.schema.apply_diff import (
    MISSING,
    Change,
    Policy,
    diff,
    dotted,
    last_applied,
    resolve,
    shrinks,
)

DATA = Path(__file__).with_name("immutable_fields.yaml")
MAX_SHOWN = 4
MAX_VALUE = 60


@dataclass(frozen=True)
class ImmutableKind:
    """One entry of ``immutable_fields.yaml``."""

    group: str
    kind: str
    fields: tuple[str, ...]
    policy: Policy
    api_versions: frozenset[str]
    when: tuple[str, Any] | None
    server_says: str
    recreate: str
    shrink_says: str = ""

    @classmethod
    def parse(cls, doc: Mapping[str, Any]) -> ImmutableKind:
        root = doc.get("root")
        fields = (root,) if root else tuple(doc.get("fields") or ())
        when = doc.get("when")
        policy = Policy(
            exempt=tuple(doc.get("allExcept") or ()),
            increase_only=frozenset(doc.get("increaseOnly") or ()),
            settable_once=frozenset(doc.get("settableOnce") or ()),
            defaults=dict(doc.get("defaults") or {}),
        )
        return cls(str(doc["group"]), str(doc["kind"]), fields, policy,
                   frozenset(doc.get("apiVersions") or ()),
                   (when["pointer"], when["equals"]) if when else None,
                   _words(doc["serverSays"]), _words(doc["recreate"]),
                   _words(doc.get("shrinkSays") or doc["serverSays"]))


def _words(text: Any) -> str:
    """YAML folded text as one line."""
    return " ".join(str(text).split())


@cache
def _data() -> tuple[dict[tuple[str, str], tuple[ImmutableKind, ...]],
                     dict[str, tuple[str, ...]]]:
    out: dict[tuple[str, str], list[ImmutableKind]] = {}
    recreated: dict[str, tuple[str, ...]] = {}
    for doc in yaml.safe_load(DATA.read_text()):
        if "recreatedBy" in doc:
            recreated.update({str(k): tuple(str(w) for w in v)
                              for k, v in doc["recreatedBy"].items()})
            continue
        entry = ImmutableKind.parse(doc)
        out.setdefault((entry.group, entry.kind), []).append(entry)
    return {k: tuple(v) for k, v in out.items()}, recreated


def table() -> dict[tuple[str, str], tuple[ImmutableKind, ...]]:
    """(group, kind) -> its entries, read once from the data file."""
    return _data()[0]


def table_reads() -> Reads:
    """Every field (and ``when`` condition) of the table, as ``Reads`` paths: a JSON pointer's
    list index reads as every item (a superset)."""
    body: dict[str, tuple[tuple[str, ...], ...]] = {}
    for (group, kind), entries in sorted(table().items()):
        pointers = [p for e in entries for p in (*e.fields, *((e.when[0],) if e.when else ()))]
        body[f"{group}/{kind}" if group else kind] = tuple(
            tuple("*" if step.isdigit() else step.replace("~1", "/").replace("~0", "~")
                  for step in pointer.lstrip("/").split("/"))
            for pointer in pointers)
    return Reads(body)


def recreated_by_tool(obj: KubeObject) -> str:
    """The annotation saying the deploying tool deletes and re-creates ``obj`` instead of
    updating it (so no immutable field can block it), or ``""``."""
    for key, words in _data()[1].items():
        value = obj.annotations.get(key)
        if isinstance(value, str) and any(w in value for w in words):
            return key
    return ""


def _secret_view(obj: KubeObject) -> dict[str, Any]:
    """A Secret as the API server stores it: ``stringData`` merged into ``data`` (both hold
    digests of the decoded bytes, so equal values compare equal)."""
    raw = dict(obj.raw)
    string_data = raw.pop("stringData", None)
    if isinstance(string_data, Mapping):
        data = dict(raw.get("data") or {}) if isinstance(raw.get("data"), Mapping) else {}
        data.update(string_data)
        raw["data"] = data
    return raw


def _shown(value: Any, secret: bool) -> str:
    if value is MISSING:
        return "(absent)"
    if secret:
        return "(a value, compared by digest)"
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def _describe(change: Change, secret: bool) -> str:
    where = dotted(change.pointer)
    if change.how == "removes":
        return f"{where} is removed (the previous apply set it)"
    if change.how == "adds":
        return f"{where} is added ({_shown(change.manifest, secret)})"
    if change.how == "shrinks":
        return f"{where} shrinks from {_shown(change.live, secret)} to " \
               f"{_shown(change.manifest, secret)}"
    return f"{where} changes from {_shown(change.live, secret)} to " \
           f"{_shown(change.manifest, secret)}"


class ImmutableFieldChange(Rule):
    """With ``--against``: a manifest changes a field the API server refuses to change.

    Some fields are fixed when an object is created: a Deployment's, ReplicaSet's or
    DaemonSet's ``spec.selector``, most of a StatefulSet's spec (everything but ``replicas``,
    ``ordinals``, ``template``, ``updateStrategy``, ``persistentVolumeClaimRetentionPolicy``,
    ``minReadySeconds`` and ``revisionHistoryLimit``), a Job's ``template`` and ``selector``, a
    (Cluster)RoleBinding's ``roleRef``, a Service's ``clusterIP``, a PersistentVolumeClaim's
    spec except a storage increase and ``volumeAttributesClassName``, a StorageClass's
    ``provisioner``, ``parameters``, ``reclaimPolicy`` and ``volumeBindingMode``, the data of a
    ConfigMap or Secret marked ``immutable: true`` (Secret values compared by digest), a
    Secret's ``type`` and a CRD's ``spec.scope``. ``kubectl apply``, Helm and GitOps syncs
    fail on such a change and the rest of the release stops with them.

    The manifest is compared with its live counterpart as an apply would merge it: fields the
    manifest leaves out keep their live value unless the previous ``kubectl apply`` set them
    (its last-applied annotation), values the API server defaulted are not changes, and
    quantities compare by value. An object its tool deletes and re-creates instead of updating
    (a Helm hook with ``before-hook-creation``, Argo CD ``Replace=true`` or ``Force=true``) is
    not checked. The kinds, fields and exceptions are data
    (``immutable_fields.yaml``), each with the upstream validation that enforces it.
    Fix: keep the live value in the manifest, or delete and re-create the object; the finding
    says how, and what re-creating destroys.
    """

    code = "SC008"
    name = "immutable-field-change"
    family = Family.SCHEMA
    severity = Severity.ERROR

    @classmethod
    def declared_reads(cls, options: Any) -> Reads:
        """The fields of ``immutable_fields.yaml``, of its kinds (``kaudit.snapshot.reads``)."""
        return table_reads()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.against is None:
            return
        for (group, kind), entries in sorted(table().items()):
            for obj in ctx.objects(kind, group):
                live = ctx.live_counterpart(obj)
                if live is None or live.raw is obj.raw or recreated_by_tool(obj):
                    continue
                for entry in entries:
                    finding = self._check_one(obj, live, entry)
                    if finding is not None:
                        yield finding

    def _check_one(self, obj: KubeObject, live: KubeObject,
                   entry: ImmutableKind) -> Finding | None:
        if entry.api_versions and obj.api_version not in entry.api_versions:
            return None
        secret = obj.kind == "Secret" and obj.group == ""
        manifest_doc = _secret_view(obj) if secret else obj.raw
        live_doc = _secret_view(live) if secret else live.raw
        if entry.when is not None and resolve(live_doc, entry.when[0]) != entry.when[1]:
            return None
        if secret and not any(k in live.raw for k in ("data", "stringData", "type")):
            return None  # read as metadata only (a live scan): its content is unknown
        previous = last_applied(live)
        changes: list[Change] = []
        try:
            for pointer in entry.fields:
                changes.extend(diff(resolve(manifest_doc, pointer), resolve(live_doc, pointer),
                                    resolve(previous, pointer) if previous is not MISSING
                                    else MISSING, pointer, entry.policy))
            changes.extend(shrinks(manifest_doc, live_doc, entry.policy))
        except RecursionError:
            return None  # nesting deeper than any real object: nothing sound to say
        if not changes:
            return None
        says = entry.shrink_says if changes[0].how == "shrinks" else entry.server_says
        what = [_describe(c, secret) for c in changes[:MAX_SHOWN]]
        if len(changes) > MAX_SHOWN:
            what.append(f"and {len(changes) - MAX_SHOWN} more")
        where = f"{live.namespace}/{live.name}" if live.namespace else live.name
        kubectl = f"{obj.kind.lower()}/{obj.name}" + (f" -n {obj.namespace}"
                                                      if obj.namespace else "")
        return self.finding(
            obj,
            at=changes[0].pointer,
            message=f"the apply will fail: {'; '.join(what)}, but the live {obj.kind} "
                    f"{where} cannot change that; the API server answers "
                    f"\"{says}\". Keep the live value in the manifest, or "
                    f"{entry.recreate.replace('{object}', kubectl)}",
            related=[],
            evidence={"fields": [c.pointer for c in changes]},
        )
