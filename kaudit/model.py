"""Value types shared by every layer.

They are frozen so that a rule cannot change what another rule (or the report) sees, and they
know how to render themselves as the JSON report's stable shapes so no formatter improvises.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Severity(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Family(enum.Enum):
    SCHEMA = "schema"
    UNIQUE = "unique"
    FINALIZERS = "finalizers"
    STATUS = "status"
    INPUT = "input"


def split_api_version(api_version: str) -> tuple[str, str]:
    """``apps/v1`` -> ``("apps", "v1")``; the core group is the empty string."""
    group, _, version = api_version.rpartition("/")
    return group, version


class ObjectKey(NamedTuple):
    """Identity of an object independent of the API version it was read through.

    ``apps/v1`` and ``apps/v1beta2`` Deployments with one name are the same object to the API
    server, so the graph and the indexes key on group, not apiVersion.

    A named tuple because identities are made and hashed millions of times at scale (every
    object, graph node and reference lookup): a tuple is built and hashed in C, where a frozen
    dataclass was measured 2x slower to make and 3x slower to hash. Equality stays that of a
    value type, not a tuple's: a key equals only another ``ObjectKey`` (never a plain tuple or
    an ``ObjectRef`` with the same strings); ``_replace`` makes a changed copy.
    """

    group: str
    kind: str
    namespace: str
    name: str

    def __eq__(self, other: object) -> bool:
        return type(other) is ObjectKey and tuple.__eq__(self, other)  # type: ignore[operator]

    def __ne__(self, other: object) -> bool:
        return not (type(other) is ObjectKey and tuple.__eq__(self, other))  # type: ignore[operator]

    __hash__ = tuple.__hash__

    def __str__(self) -> str:
        gk = f"{self.kind}.{self.group}" if self.group else self.kind
        return f"{gk} {self.namespace}/{self.name}" if self.namespace else f"{gk} {self.name}"


class ObjectRef(NamedTuple):
    """An object as users and the JSON report name it (a named tuple for the reasons
    ``ObjectKey`` gives, equal only to another ``ObjectRef``)."""

    api_version: str
    kind: str
    namespace: str
    name: str

    def __eq__(self, other: object) -> bool:
        return type(other) is ObjectRef and tuple.__eq__(self, other)  # type: ignore[operator]

    def __ne__(self, other: object) -> bool:
        return not (type(other) is ObjectRef and tuple.__eq__(self, other))  # type: ignore[operator]

    __hash__ = tuple.__hash__

    @property
    def group(self) -> str:
        return split_api_version(self.api_version)[0]

    @property
    def key(self) -> ObjectKey:
        return ObjectKey(self.group, self.kind, self.namespace, self.name)

    def to_json(self) -> dict[str, str]:
        out = {"apiVersion": self.api_version, "kind": self.kind}
        if self.namespace:
            out["namespace"] = self.namespace
        out["name"] = self.name
        return out

    def __str__(self) -> str:
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.api_version} {self.kind} {where}"

    @property
    def short(self) -> str:
        """``Kind ns/name`` for messages and tables."""
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}"


@dataclass(frozen=True, slots=True)
class SourceLocation:
    file: str
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file}
        if self.line is not None:
            out["line"] = self.line
        return out

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass(frozen=True, slots=True)
class Related:
    ref: ObjectRef
    role: str
    source: SourceLocation | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {**self.ref.to_json(), "role": self.role}
        if self.source is not None:
            out["source"] = self.source.to_json()
        return out


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """A resource type the scan could not read, and why: absent evidence is not evidence."""

    resource: str
    reason: str
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        out = {"resource": self.resource, "reason": self.reason}
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True, slots=True)
class InputProblem:
    """Something in the inputs that could not be audited; becomes a KA001 finding."""

    source: SourceLocation
    message: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    rule: str
    family: Family
    severity: Severity
    message: str
    object: ObjectRef | None = None
    pointer: str = ""
    related: tuple[Related, ...] = ()
    fix: tuple[dict[str, Any], ...] = ()
    source: SourceLocation | None = None
    # Names of the annotations/labels etc. are not needed; ``extra`` carries structured
    # evidence a formatter may show (never secret values).
    extra: tuple[tuple[str, Any], ...] = field(default=())

    @property
    def fingerprint(self) -> str:
        """Stable across runs and machines, so baselines survive reformatting of inputs."""
        if self.object is None:
            # Object-less findings (input problems, coverage gaps, crashes) are told apart by
            # where they were found, or by the subject they name.
            where = str(self.source) if self.source else str(dict(self.extra).get("subject", ""))
            return f"{self.code}::{where}:{self.pointer}"
        ref = self.object
        gk = f"{ref.group}/{ref.kind}" if ref.group else ref.kind
        ident = f"{ref.namespace}/{ref.name}" if ref.namespace else ref.name
        return f"{self.code}:{gk}:{ident}:{self.pointer}"

    def sort_key(self) -> tuple[Any, ...]:
        ref = self.object
        obj_key = (ref.group, ref.kind, ref.namespace, ref.name) if ref else ("", "", "", "")
        src = (self.source.file, self.source.line or 0) if self.source else ("", 0)
        return (self.code, obj_key, self.pointer, src, self.message)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "rule": self.rule,
            "family": self.family.value,
            "severity": self.severity.value,
            "object": self.object.to_json() if self.object else None,
            "pointer": self.pointer,
            "message": self.message,
            "related": [r.to_json() for r in self.related],
            "fix": list(self.fix),
            "source": self.source.to_json() if self.source else None,
            "fingerprint": self.fingerprint,
        }
        if self.extra:
            out["evidence"] = dict(self.extra)
        return out


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding a suppression silenced. Kept beside the report (not in ``findings``) so that
    formats which can show dismissed results (SARIF) do, instead of losing them."""

    finding: Finding
    via: str
    """``annotation`` (``ignore.kaudit.io/<rule>`` on the object) or ``baseline``."""
    justification: str = ""

    @property
    def in_source(self) -> bool:
        """Written next to the object itself (an annotation), not in a file beside it."""
        return self.via == "annotation"
