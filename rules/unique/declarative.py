"""Declarative unique-field constraints (``kind: UniqueConstraint``), one rule per document.

Many controllers require a field to be unique among objects the API server happily stores
side by side: two KongConsumers with one ``username``, two Certificates writing one Secret, two
Services asking for one ``nodePort``. Each such promise is a few lines of YAML: which kinds,
which fields form the key (Secret data compared by digest), within which scope the key must be
unique (cluster, namespace, or one controller instance such as an ingress class), which
objects count at all, and why it matters. The engine groups objects by (scope, key) in one pass
over the snapshot, so the cost is linear in the objects, never pairwise.

A document (every key but ``passive``, ``keep``, ``referencedBy``, ``where`` and ``conflict``
is required)::

    kind: UniqueConstraint
    code: UQ101                       # two letters + three digits, unique in the catalogue
    name: kong-consumer-username
    severity: error                   # error | warning | info
    summary: Two KongConsumers of one Kong gateway share a username.
    why: |                            # user documentation; must end with a "Fix:" paragraph
      …
      Fix: …
    kinds: [{group: configuration.konghq.com, kind: KongConsumer}]
    key:                              # field | label | annotation | secretData, + title/default
      - {field: username, title: username}
    scope: {type: ingressClass}       # cluster | namespace | ingressClass
    where: [{label: konghq.com/credential, in: [jwt]}]       # all must hold
    referencedBy: {relation: kong-credential}   # only objects something references
    keep: {order: oldest, controller: KIC}      # the controller keeps the oldest
    passive:                                    # lower severity when at most one is active
      severity: info
      when: [[{field: spec.deletionPolicy, equals: Orphan}]]
      because: the other copies never delete the external resource
    conflict: Kong rejects the configuration …  # what happens, said in the message
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from kaudit.rules import (
    Family,
    Finding,
    KubeObject,
    Reads,
    Related,
    Rule,
    RuleContext,
    Severity,
    related,
)
from kaudit_rules.unique import narrowing
from kaudit_rules.unique.conditions import GROUP_KIND, Condition, FieldSpec, parse_conditions
from kaudit_rules.unique.fields import WILD, Step, joint, single
from kaudit_rules.unique.scopes import ClassIndex, Scope

KIND = "UniqueConstraint"
CODE = re.compile(r"^[A-Z]{2}\d{3}$")
NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_REQUIRED = ("code", "name", "severity", "summary", "why", "kinds", "key", "scope")
_KNOWN = {*_REQUIRED, "kind", "where", "referencedBy", "keep", "passive", "conflict",
          "message"}


# ---- the rule --------------------------------------------------------------------------
@dataclass(frozen=True)
class Passive:
    when: tuple[tuple[Condition, ...], ...]
    severity: Severity
    because: str

    def applies(self, obj: KubeObject) -> bool:
        return any(all(c.holds(obj) for c in group) for group in self.when)


@dataclass(frozen=True)
class Constraint:
    kinds: tuple[tuple[str, str], ...]
    key: tuple[FieldSpec, ...]
    scope: Scope
    where: tuple[Condition, ...] = ()
    referenced_by: str | None = None
    referrer_kinds: frozenset[tuple[str, str]] | None = None
    keep_oldest_by: str | None = None
    passive: Passive | None = None
    conflict: str = ""
    message: str = ""
    """Optional wording of the finding's first clause: ``{value}`` (never a Secret value) and
    ``{others}`` (the other objects) are filled in."""
    secret_fields: bool = False


    def reads(self) -> Reads:
        """Every field the constraint reads (key, filters, scope), of its kinds and of its
        referrers' (``kaudit.snapshot.reads``): the pack declares its reads by being data."""
        specs = [*self.key, *(c.subject for c in self.where)]
        if self.passive is not None:
            specs.extend(c.subject for group in self.passive.when for c in group)
        paths: set[tuple[str, ...]] = set()
        for spec in specs:
            if spec.steps == GROUP_KIND:
                continue
            paths.add(_readable(spec.steps))
            if spec.secret:
                paths.add(_readable(("stringData", *spec.steps[1:])))
        paths.update(_readable(steps) for steps in self.scope.fields)
        kinds = [*self.kinds, *sorted(self.referrer_kinds or ())]
        names = [f"{g}/{k}" if g else k for g, k in kinds] if self.kinds else ["*"]
        return Reads({name: tuple(sorted(paths)) for name in names})


def _readable(steps: tuple[Step, ...]) -> tuple[str, ...]:
    """A field path as a ``Reads`` path: a list index reads as every item (a superset)."""
    return tuple(WILD if isinstance(step, int) else step for step in steps)


@dataclass
class _Member:
    obj: KubeObject
    pointer: str
    values: tuple[Any, ...]
    referrers: list[KubeObject]


def _view(obj: KubeObject, group_kind: bool, secret: bool) -> Any:
    """The object as the key paths read it: ``Kind.group`` added for ``groupKind`` keys, and a
    Secret's ``stringData`` merged over ``data`` (the API server does the same on write; both
    hold digests here, taken over the same decoded bytes)."""
    if not group_kind and not (secret and isinstance(obj.raw.get("stringData"), dict)):
        return obj.raw
    node = dict(obj.raw)
    if group_kind:
        node[GROUP_KIND[0]] = f"{obj.kind}.{obj.group}".rstrip(".")
    if secret and isinstance(obj.raw.get("stringData"), dict):
        data = obj.raw.get("data")
        node["data"] = {**(data if isinstance(data, dict) else {}), **obj.raw["stringData"]}
    return node


def _holds(where: tuple[Condition, ...], obj: KubeObject) -> bool:
    """``all(c.holds(obj) for c in where)`` without a generator per object: a ``kinds: "*"``
    constraint filters every object of the snapshot."""
    for cond in where:  # noqa: SIM110 (the generator is what this avoids)
        if not cond.holds(obj):
            return False
    return True


def _age_key(obj: KubeObject) -> tuple[str, str, str]:
    created = obj.metadata.get("creationTimestamp")
    return (str(created) if created else "\uffff", obj.namespace, obj.name)


class UniqueConstraintRule(Rule):
    """Base of the rules built from ``UniqueConstraint`` documents (see the module doc)."""

    family = Family.UNIQUE
    constraint: ClassVar[Constraint]

    @classmethod
    def declared_reads(cls, options: Any) -> Reads:
        return cls.constraint.reads()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        c = self.constraint
        classes = ClassIndex.of(ctx.snapshot)
        steps = [f.steps for f in c.key]
        defaults = [f.default for f in c.key]
        groups: dict[tuple[str, tuple[Any, ...]], dict[Any, _Member]] = defaultdict(dict)
        where = c.where
        candidates: Iterable[KubeObject] | None = narrowing.candidates(ctx, c.kinds, where)
        if candidates is None:
            candidates = (
                (o for group, kind in c.kinds for o in ctx.objects(kind, group)) if c.kinds
                else ctx.objects())
        with_group_kind = any(f.steps == GROUP_KIND for f in c.key)
        # Keys of plain paths (no ``[*]``, the usual case) have one value tuple per object:
        # read it directly rather than through ``joint``'s list enumeration.
        plain = not any(WILD in s for s in steps)
        for obj in candidates:
            if where and not _holds(where, obj):
                continue
            scopes = self._scopes(ctx, obj, classes)
            if not scopes:
                continue
            node = _view(obj, with_group_kind, c.secret_fields)
            combos = joint(node, steps, defaults) if not plain \
                else single(node, steps, defaults)
            for values, pointers in combos:
                norm = tuple(f.normalise(v) for f, v in zip(c.key, values, strict=True))
                pointer = next((p for p in reversed(pointers) if p), "")
                for scope_value, referrers in scopes.items():
                    members = groups[(scope_value, norm)]
                    members.setdefault(obj.key, _Member(obj, pointer, norm, referrers))
        for (scope_value, _), members in sorted(groups.items(), key=lambda kv: kv[0]):
            if len(members) > 1:
                yield self._finding(scope_value, sorted(members.values(),
                                                        key=lambda m: _age_key(m.obj)))

    def _scopes(self, ctx: RuleContext, obj: KubeObject,
                classes: ClassIndex) -> dict[str, list[KubeObject]]:
        c = self.constraint
        if c.referenced_by is None:
            value = c.scope.of(obj, classes)
            return {} if value is None else {value: []}
        scopes: dict[str, list[KubeObject]] = {}
        for link in ctx.graph.incoming(obj.key, c.referenced_by):
            referrer = link.obj
            if referrer is None or (c.referrer_kinds is not None
                                    and (referrer.group, referrer.kind) not in c.referrer_kinds):
                continue
            value = c.scope.of(referrer, classes)
            if value is not None:
                scopes.setdefault(value, []).append(referrer)
        return scopes

    def _finding(self, scope_value: str, members: list[_Member]) -> Finding:
        c = self.constraint
        target = members[-1]
        others = members[:-1]

        def who(m: _Member) -> str:
            text = m.obj.ref.short
            if m.obj.deletion_timestamp is not None:
                text += " (being deleted)"
            if m.referrers:
                refs = ", ".join(sorted(r.ref.short for r in m.referrers))
                text += f" (used by {refs})"
            return text

        pairs = list(zip(c.key, target.values, strict=True))
        main_field, main_value = pairs[-1]
        context = [f'{f.title} "{v}"' for f, v in pairs[:-1] if not f.secret]
        others_text = ", ".join(who(m) for m in others)
        if c.message:
            head = c.message.format(value=main_value if not main_field.secret else "",
                                    others=others_text)
        elif main_field.secret:
            head = f"{main_field.title}: same value (digest match) as in {others_text}"
        else:
            head = f'{main_field.title} "{main_value}" is also used by {others_text}'
        if context:
            head += f", with the same {' and '.join(context)}"
        if target.referrers or target.obj.deletion_timestamp is not None:
            head = f"{who(target)}: {head}"
        where = c.scope.describe(scope_value, target.obj)
        message = f"{head}{',' if context else ''} {where}" if where else head
        severity = self.severity
        passive = c.passive is not None and sum(
            not c.passive.applies(m.obj) for m in members) <= 1
        if passive and c.passive is not None:
            severity = c.passive.severity
            message += f"; {c.passive.because}"
        elif c.conflict:
            message += f"; {c.conflict}"
        roles: dict[Any, str] = {m.obj.key: "conflicts-with" for m in others}
        if c.keep_oldest_by:
            kept, dropped = members[0], members[1:]
            roles[kept.obj.key] = "kept"
            for m in dropped[:-1]:
                roles[m.obj.key] = "dropped"
            names = ", ".join(m.obj.ref.short for m in dropped)
            verb = "is" if len(dropped) == 1 else "are"
            message += (f". {c.keep_oldest_by} keeps the oldest, {kept.obj.ref.short}; "
                        f"{names} {verb} dropped")
        rel: list[Related] = [related(m.obj, roles[m.obj.key]) for m in others]
        seen = {m.obj.key for m in members}
        for m in members:
            for r in m.referrers:
                if r.key not in seen:
                    seen.add(r.key)
                    rel.append(related(r, "referenced-by"))
        evidence: dict[str, Any] = {"scope": where or "cluster"}
        values = {f.title: v for f, v in zip(c.key, target.values, strict=True) if not f.secret}
        if values:
            evidence["values"] = values
        return self.finding(target.obj, at=target.pointer, message=message, related=rel,
                            severity=severity, evidence=evidence)


# ---- the factory -----------------------------------------------------------------------
def _kinds(doc: Any) -> tuple[tuple[str, str], ...]:
    """``[{group, kind}, …]``; ``"*"`` (empty tuple) means every kind the filters accept."""
    if doc == "*":
        return ()
    if not isinstance(doc, list) or not doc:
        raise ValueError('kinds must be "*" or a non-empty list of {group, kind}')
    out = []
    for item in doc:
        if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
            raise ValueError(f"kinds: {item!r} needs a kind (and group, '' for core)")
        out.append((str(item.get("group") or ""), item["kind"]))
    return tuple(out)


def parse_constraint(doc: Mapping[str, Any]) -> Constraint:
    key_doc = doc["key"]
    if not isinstance(key_doc, list) or not key_doc:
        raise ValueError("key must be a non-empty list of fields")
    referenced = doc.get("referencedBy")
    relation = referrer_kinds = None
    if referenced is not None:
        if not isinstance(referenced, dict) or not isinstance(referenced.get("relation"), str):
            raise ValueError("referencedBy needs a relation (a graph edge name)")
        relation = referenced["relation"]
        if referenced.get("kinds") is not None:
            referrer_kinds = frozenset(_kinds(referenced["kinds"]))
    keep = doc.get("keep")
    keep_by = None
    if keep is not None:
        if not isinstance(keep, dict) or keep.get("order") != "oldest":
            raise ValueError("keep supports {order: oldest, controller: NAME}")
        keep_by = str(keep.get("controller") or "the controller")
    passive = None
    if doc.get("passive") is not None:
        p = doc["passive"]
        if not isinstance(p, dict) or not isinstance(p.get("when"), list):
            raise ValueError("passive needs when: a list of condition lists")
        passive = Passive(
            when=tuple(parse_conditions(g, f"passive.when[{i}]") for i, g in enumerate(p["when"])),
            severity=Severity.parse(str(p.get("severity", "info"))),
            because=str(p.get("because") or "the others do not act on it"))
    return Constraint(
        kinds=_kinds(doc["kinds"]),
        key=tuple(FieldSpec.parse(f, f"key[{i}]") for i, f in enumerate(key_doc)),
        scope=Scope.parse(doc["scope"]),
        where=parse_conditions(doc.get("where"), "where"),
        referenced_by=relation,
        referrer_kinds=referrer_kinds,
        keep_oldest_by=keep_by,
        passive=passive,
        conflict=str(doc.get("conflict") or "").strip(),
        message=_message(doc.get("message")),
        secret_fields=any(f.get("secretData") for f in key_doc if isinstance(f, dict)),
    )


def _message(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    try:
        text.format(value="", others="")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"message: only {{value}} and {{others}} may be filled in ({exc})") \
            from None
    return text


def unique_constraint(doc: dict[str, Any], origin: str) -> type[Rule]:
    """Factory for ``kind: UniqueConstraint`` documents (entry point ``kaudit.rule_kinds``)."""
    missing = [k for k in _REQUIRED if k not in doc]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    unknown = sorted(set(doc) - _KNOWN)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}")
    code, name = str(doc["code"]), str(doc["name"])
    if not CODE.match(code):
        raise ValueError(f"code {code!r} is not two capital letters and three digits")
    if not NAME.match(name):
        raise ValueError(f"name {name!r} must be lower-case words joined by '-'")
    summary = " ".join(str(doc["summary"]).split())
    why = str(doc["why"]).strip()
    if "Fix:" not in why:
        raise ValueError("why must end with a paragraph starting 'Fix:'")
    constraint = parse_constraint(doc)
    class_name = "".join(part.capitalize() for part in name.split("-"))
    return type(class_name, (UniqueConstraintRule,), {
        "__doc__": f"{summary}\n\n{why}\n",
        "__module__": __name__,
        "code": code,
        "name": name,
        "severity": Severity.parse(str(doc["severity"])),
        "constraint": constraint,
        "origin": origin,
    })


def load_packs(paths: Sequence[Any]) -> list[type[Rule]]:
    """The shipped packs, through the same reader ``--rules-dir`` uses."""
    from kaudit.rules.registry import rules_from_yaml

    rules: list[type[Rule]] = []
    for path in paths:
        rules.extend(rules_from_yaml(path, {KIND: unique_constraint}))
    return rules
